"""English as a second language in notices (issue 15): the interface reads in English, the documents stay Chinese.

With English chosen (the language cookie, or Accept-Language: en), the verification page, the "being prepared"
page and the SLA pages leave no Chinese outside the parts marked lang="zh-Hans" (document numbers, item names,
organisations). The documents themselves (告知书, 决定书, 许可证 …) and the report PDFs are legal texts in
Chinese whatever the language of the page whose action issued or rendered them (notices.constants.
DOCUMENT_LANGUAGE); and a Chinese page gains no marks at all.
"""
import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from licensing import services
from licensing.models import Item
from notices import seal as seals
from notices import services as notice_services
from notices import tasks
from notices.constants import DocumentKind
from notices.models import Document
from notices.selectors_outbox import department_pushes
from notices.reports_pdf import report_pdf
from portal.models import Organisation
from tests.factories import ApplicationFactory, UserFactory, item_officer
from tests.i18n_checks import english_leftovers

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture
def english(client):
    """A visitor who chose English with the switch (its cookie)."""
    client.cookies[COOKIE] = "en"
    return client


@pytest.fixture
def english_readers(applicant_user, admin_user):
    """People who read the portal in English, named so: the header shows the signed-in person by name, kept as
    it was written (the header is the portal app's, as in tests/licensing/test_english.py)."""
    for user, name in ((applicant_user, "Zhang San"), (admin_user, "Admin Chen")):
        user.full_name = name
        user.save(update_fields=["full_name"])


def read(response) -> str:
    return response.content.decode()


@pytest.fixture
def receipt(enterprise, applicant_user, at):
    """A registration receipt issued on 28 November 2026 (item 1, approval cancelled)."""
    with at(2026, 11, 28):
        application = services.application_submit(item=Item.objects.get(seq_no=1), applicant=enterprise,
                                                  actor=applicant_user)
    return Document.objects.get(application=application)


@pytest.fixture
def noticed(commitment_item, enterprise, applicant_user, officer):
    """A notice whose PDF no worker has rendered yet (its message was never sent)."""
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, notice_issued=True)
    return Document.objects.get(application=application, kind=DocumentKind.NOTICE)


# --- the verification page ---------------------------------------------------------------------------------

def test_the_verification_of_a_valid_code_reads_in_english(english, receipt):
    page = read(english.get(reverse("verify"), {"code": receipt.verification_code}))
    assert english_leftovers(page) == []
    assert '<html lang="en"' in page
    for shown in ["Verified: this document was issued by this portal", "Business information registration receipt",
                  "Issued on", "28 Nov 2026", "Unchanged since it was issued", receipt.sha256]:
        assert shown in page, shown
    assert f'<span lang="zh-Hans">{receipt.number}</span>' in page
    assert f'<span lang="zh-Hans">{receipt.application.item.name}</span>' in page


def test_the_items_english_gloss_follows_its_name(english, receipt):
    item = receipt.application.item
    item.name_en = "Hotel business licence"
    item.save(update_fields=["name_en"])
    page = read(english.get(reverse("verify"), {"code": receipt.verification_code}))
    assert f'<span lang="zh-Hans">{item.name}</span> <span class="gloss">(Hotel business licence)</span>' in page
    assert english_leftovers(page) == []


def test_an_unknown_code_is_refused_in_english(english, receipt):
    page = read(english.get(reverse("verify"), {"code": "ZZZZZZZZZZZZ"}))
    assert "No document has this verification code" in page
    assert receipt.number not in page
    assert english_leftovers(page) == []


def test_the_empty_verification_page_reads_in_english_with_accept_language(client):
    page = read(client.get(reverse("verify"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Check the seal of a PDF file" in page
    assert english_leftovers(page) == []


def test_an_upload_that_is_not_a_pdf_is_refused_in_english(english, not_a_pdf):
    response = english.post(reverse("verify-pdf"), {"pdf": not_a_pdf})
    assert response.status_code == 400
    page = read(response)
    assert "The uploaded file is not a PDF" in page
    assert english_leftovers(page) == []


def test_an_upload_too_large_says_the_limit_in_english(english):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * seals.MAX_CHECKED_PDF_BYTES, "application/pdf")
    response = english.post(reverse("verify-pdf"), {"pdf": big})
    assert response.status_code == 400
    assert "The file is larger than 10 MB" in read(response)


# --- the documents' pages -----------------------------------------------------------------------------------

def test_the_preparing_page_reads_in_english(noticed, queue, login, applicant_user, english_readers, english):
    response = login(applicant_user).get(reverse("document-pdf", args=[noticed.verification_code]))
    assert response.status_code == 202
    page = read(response)
    assert english_leftovers(page) == []
    assert "The document&#x27;s PDF is being prepared" in page
    assert f'Notice <span lang="zh-Hans">{noticed.number}</span>' in page
    assert f"refreshes itself every {settings.DOCUMENT_PREPARING_REFRESH_SECONDS} seconds" in page


def test_the_document_page_reads_in_english_around_the_chinese_document(noticed, login, applicant_user,
                                                                          english_readers, english):
    page = read(login(applicant_user).get(reverse("document-html", args=[noticed.verification_code])))
    assert english_leftovers(page) == []
    assert "Below is the document as fixed when it was issued, in Chinese" in page
    assert f"Notice (verification code {noticed.verification_code})" in page  # the title names no Chinese number


# --- the SLA pages ------------------------------------------------------------------------------------------

@pytest.fixture
def records(at, commitment_item, officer):
    """Approval records of every sort the SLA page lists: delivered on time and late, undelivered and overdue,
    due soon, and one no route names a regulator for (item 66, approved by the 市行政审批局)."""
    from notices.outbox import outbox_deliver

    def decided(*when):
        with at(*when):
            return ApplicationFactory(decided=True, item=commitment_item, officer=officer)

    on_time, late = decided(2024, 10, 8, 10), decided(2024, 10, 9, 10)
    decided(2024, 10, 10, 10), decided(2024, 10, 14, 10)  # overdue by the 16th; due soon on the 16th
    for application, when in ((on_time, (2024, 10, 8, 11)), (late, (2024, 10, 15, 9))):
        with at(*when):
            assert outbox_deliver(department_pushes().get(application=application).pk)
    bureau_item = Item.objects.get(seq_no=66)
    with at(2024, 10, 14, 10):
        ApplicationFactory(approved=True, item=bureau_item, officer=item_officer(bureau_item))
    return department_pushes()


def test_the_sla_page_reads_in_english(records, at, login, admin_user, english_readers, english):
    with at(2024, 10, 16, 14):
        response = login(admin_user).get(reverse("records-sla"))
    page = read(response)
    assert response.status_code == 200
    assert english_leftovers(page) == []
    for shown in ["Due soon (", "Overdue (", "Awaiting routing (1)", "Recently delivered", "Add a route for this item",
                  ' <span lang="zh-Hans">钦政办〔2019〕72号</span>, ', " days "]:
        assert shown in page, shown


def test_the_efficiency_page_reads_in_english(records, at, login, admin_user, english_readers, english):
    with at(2024, 10, 16, 14):
        page = read(login(admin_user).get(reverse("records-efficiency")))
    assert "Steps with a time limit, taken on time or late" in page
    assert english_leftovers(page) == []


def test_the_chinese_pages_gain_no_marks(records, at, login, admin_user, receipt, client):
    """Chinese is the default and its pages stay as they were: nothing is marked lang="zh-Hans" on them."""
    with at(2024, 10, 16, 14):
        sla = read(login(admin_user).get(reverse("records-sla")))
    verify = read(client.get(reverse("verify"), {"code": receipt.verification_code}))
    for page in (sla, verify):
        assert '<html lang="zh-Hans">' in page
        assert '<span lang="zh-Hans">' not in page
    assert "审批信息推送时效" in sla and "验证通过：该文书由本平台出具" in verify and "2026年11月28日" in verify


# --- the warning mail ---------------------------------------------------------------------------------------

def test_the_warning_mail_is_in_the_language_of_the_account_it_goes_to(at, commitment_item, officer):
    """An authority whose contact address is an account that chose English gets the warning in English; the
    gazette's and the data's Chinese (the item, the authority, 钦政办〔2019〕72号) stays as it is."""
    UserFactory(email="Shenpi@example.gov.cn", language="en", organisation=officer.organisation)
    officer.organisation.contact_email = "shenpi@example.gov.cn"
    officer.organisation.save()
    with at(2024, 10, 14, 10):
        application = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(2024, 10, 16, 14):
        assert tasks.outbox_warn_due_soon() == 1
    regulator = department_pushes().get(application=application).recipient_org
    [message] = mail.outbox
    assert message.subject.startswith("[Approval record due soon]")
    assert "Application number: " + application.number in message.body
    assert "Due: 17 Oct 2024 23:59" in message.body
    data = {commitment_item.name, officer.organisation.name, regulator.name, "钦政办〔2019〕72号"}
    for text in (message.subject, message.body):
        for name in data:
            text = text.replace(name, "")
        assert CJK.findall(text) == [], text


def test_the_warning_mail_to_a_shared_mailbox_is_in_chinese(at, commitment_item, officer):
    officer.organisation.contact_email = "shenpi@example.gov.cn"
    officer.organisation.save()
    with at(2024, 10, 14, 10):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(2024, 10, 16, 14), translation.override("en"):  # whatever language the job's thread was left in
        assert tasks.outbox_warn_due_soon() == 1
    assert mail.outbox[0].subject.startswith("【审批信息推送即将超期】")
    assert "推送期限：2024年10月17日 23:59" in mail.outbox[0].body


# --- the documents stay Chinese -----------------------------------------------------------------------------

class _Text(HTMLParser):
    """The text a reader sees in a document: without its style sheet."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str, *values) -> str:
    reader = _Text()
    reader.feed(html)
    text = " ".join(" ".join(reader.parts).split())
    for value in values:
        text = text.replace(value, "…")
    return text


def numbers(documents) -> list[str]:
    """What differs between two applications' documents issued at the same moment: their numbers and codes."""
    application = next(iter(documents.values())).application
    return [application.number, *(value for d in documents.values() for value in (d.number, d.verification_code))]


def documents_issued(language, *, at, item, enterprise, applicant_user, officer):
    """The notice and commitment issued for a new application while `language` is active, at the same moment."""
    with translation.override(language), at(2026, 11, 30, 10):
        application = ApplicationFactory(item=item, applicant=enterprise, actor=applicant_user, officer=officer,
                                         committed=True)
    return {d.kind: d for d in Document.objects.filter(application=application)}


def test_a_document_issued_while_english_is_active_is_the_chinese_document(at, commitment_item, enterprise,
                                                                           applicant_user, officer):
    """The same notice and commitment, issued from an English page and from a Chinese one: word for word the same
    text (but for their numbers and codes), in Chinese."""
    chinese = documents_issued("zh-hans", at=at, item=commitment_item, enterprise=enterprise,
                               applicant_user=applicant_user, officer=officer)
    english = documents_issued("en", at=at, item=commitment_item, enterprise=enterprise,
                               applicant_user=applicant_user, officer=officer)
    assert set(english) == {DocumentKind.NOTICE, DocumentKind.COMMITMENT}
    for kind, document in english.items():
        assert visible_text(document.html, *numbers(english)) == visible_text(chinese[kind].html, *numbers(chinese))
        assert f"<h1>{DocumentKind(kind).label}</h1>" in document.html
        with translation.override("en"):
            assert str(DocumentKind(kind).label) not in visible_text(document.html)  # "Notice", "Commitment"


def test_a_pdf_rendered_while_english_is_active_is_chinese(noticed, media_root_of_this_test):
    with translation.override("en"):
        data = notice_services.document_pdf(noticed)
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "告知书" in text and "Notice" not in text
    check = seals.check_pdf(data, Organisation.objects.filter(pk=noticed.organisation_id))
    assert check.reason == f"告知书 {noticed.number}，验证码 {noticed.verification_code}"  # what views_verify reads


@pytest.fixture
def media_root_of_this_test(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


REPORT = ('{% extends "notices/base_document.html" %}{% load i18n %}'
          '{% block content %}<h1>{% translate "审批信息推送时效" %}</h1><p>{{ kind }}：{{ status }}</p>{% endblock %}')


def test_a_report_pdf_rendered_while_english_is_active_is_chinese(settings):
    """The quarterly reports go through the same renderer (notices.reports_pdf): their interface words, and the
    labels handed to them lazily, come out in Chinese whatever the page's language."""
    settings.TEMPLATES = [{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"tests/report.html": REPORT}),
                                "django.template.loaders.app_directories.Loader"]},
    }]
    from notices.constants import OutboxStatus

    with translation.override("en"):
        assert render_to_string("tests/report.html", {"kind": DocumentKind.LICENCE.label}).count("Licence") == 1
        rendered = report_pdf("tests/report.html", {"kind": DocumentKind.LICENCE.label,
                                                     "status": OutboxStatus.DELIVERED.label})
        assert translation.get_language() == "en"  # the page's language is left as it was
    assert "<h1>审批信息推送时效</h1>" in rendered.html and "<p>许可证：已送达</p>" in rendered.html
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "审批信息推送时效" in "".join(text.split()) and "Delivery" not in text
