"""The documents people sign, keep and verify, for a whole notify-and-commit journey.

Real WeasyPrint, real fonts: each PDF is read back with pypdf, as a reader of the paper would.
Rendering takes a moment, so each test renders at most one PDF.
"""
import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from licensing import services
from licensing.constants import COMMITMENT_CONFIRMATIONS, Channel, CommitmentKind, MaterialDue
from licensing.models import Item
from notices import services as notice_services
from notices.constants import DocumentKind
from notices.models import Document
from tests.factories import ApplicantFactory, valid_id_number

pytestmark = pytest.mark.django_db

LEGAL_BASIS = "《旅馆业治安管理办法》第四条：申请开办旅馆，应当具备相应的安全设施。"
CONDITIONS = "客房、通道和消防设施符合《旅馆业治安管理办法》及消防技术标准。"


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace: line breaks fall anywhere in Chinese text."""
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text() for page in pages).split())


def document(application, kind) -> Document:
    return Document.objects.get(application=application, kind=kind)


def rendered(application, kind) -> str:
    data = notice_services.document_pdf(document(application, kind))
    assert data.startswith(b"%PDF")
    return pdf_text(data)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item(commitment_item):
    commitment_item.legal_basis = LEGAL_BASIS
    commitment_item.conditions = CONDITIONS
    commitment_item.save()
    return commitment_item


def files_for(application, a_pdf):
    due_now = [MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT]
    return {s.material_id: a_pdf(f"{s.material.name}.pdf")
            for s in application.materials.filter(material__due__in=due_now).select_related("material")}


@pytest.fixture
def noticed(item, enterprise, applicant_user, officer, at):
    """Filed online on Monday 10 March 2025; the notice is issued the same day."""
    with at(2025, 3, 10):
        application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user,
                                                  channel=Channel.ONLINE)
        return services.application_issue_notice(application=application, actor=officer)


def commit(application, actor, a_pdf, **kwargs):
    kwargs.setdefault("kind", CommitmentKind.ALREADY_MEETS)
    return services.application_commit(application=application, actor=actor, confirmations=[True] * 7,
                                       signatory="张三", files=files_for(application, a_pdf), **kwargs)


@pytest.fixture
def decided(noticed, applicant_user, officer, a_pdf, at):
    """Committed and decided on Wednesday 12 March 2025, within the 3 working days."""
    with at(2025, 3, 12):
        committed = commit(noticed, applicant_user, a_pdf)
        return services.application_decide(application=committed, actor=officer)


# --- what each document says ------------------------------------------------------------------

def test_the_notice_tells_the_applicant_everything_before_it_commits(noticed, item):
    text = rendered(noticed, DocumentKind.NOTICE)
    notice = document(noticed, DocumentKind.NOTICE)
    for phrase in [
        "告知书", notice.number, "钦州市好客旅馆有限公司", item.name,
        LEGAL_BASIS, CONDITIONS,  # 附件3 第二条（一）1、2
        "申请书", "承诺书附件", "安全设施说明", "许可决定作出之日起20个工作日内提交",  # 第二条（一）3
        "收到本告知书后3个工作日内，即2025年3月13日前",  # 第三条: Mon 10 March + 3 working days
        "当场作出行政许可决定",  # 第五条
        "以一般程序实施行政许可", "记入诚信档案", "不再对你（单位）适用告知承诺",  # 第十、九条
        "个月内，测试行业主管部门对承诺内容是否属实进行检查",  # 第七条
        item.measures[0].replace(" ", ""),
        "一式两份", "2025年3月10日",
        f"验证码：{notice.verification_code}", f"/verify/?code={notice.verification_code}",
        # issue 12: no claim of a legal seal where only a demonstration one is applied
        "不是《信息安全技术电子印章》（GB/T38540）规定的电子印章",
    ]:
        assert phrase in text, phrase


def test_the_commitment_carries_the_applicant_and_each_of_the_seven_confirmations(
        noticed, enterprise, applicant_user, a_pdf, at):
    with at(2025, 3, 12, hour=15):
        commit(noticed, applicant_user, a_pdf)
    text = rendered(noticed, DocumentKind.COMMITMENT)
    for confirmation in COMMITMENT_CONFIRMATIONS:
        assert f"{confirmation}【已确认】" in text, confirmation
    for phrase in ["告知承诺书", enterprise.identifier, "企业（统一社会信用代码）", "已具备许可条件",
                   "签署人：张三", "2025年3月12日15:00", document(noticed, DocumentKind.NOTICE).number, "一式两份"]:
        assert phrase in text, phrase


def test_a_will_meet_commitment_says_no_business_before_the_date(noticed, applicant_user, officer, a_pdf, at):
    with at(2025, 3, 12):
        committed = commit(noticed, applicant_user, a_pdf, kind=CommitmentKind.WILL_MEET,
                           meet_by=dt.date(2025, 4, 30))
        services.application_decide(application=committed, actor=officer)
    promise = "承诺于2025年4月30日前具备许可条件</strong>，具备条件并提交材料前不得从事相关经营活动"
    assert promise in document(noticed, DocumentKind.COMMITMENT).html
    assert "具备条件并提交材料前不得从事相关经营活动" in document(noticed, DocumentKind.DECISION).html
    assert "可开展经营活动</th><td>自" not in document(noticed, DocumentKind.DECISION).html


def test_the_decision_names_the_licence_what_is_still_owed_and_the_inspection(decided):
    text = rendered(decided, DocumentKind.DECISION)
    for phrase in [
        "准予行政许可决定书", f"许可证编号{decided.licence.number}", "准予行政许可",
        "可开展经营活动自2025年3月12日起",
        "安全设施说明2025年4月10日前",  # 20 working days, skipping 清明 (4 April 2025)
        "将于2025年5月12日前对你（单位）的承诺内容是否属实进行检查",  # 2 months after the decision
        "撤销警示", "依法撤销本行政许可决定", "测试行业主管部门",
    ]:
        assert phrase in text, phrase
    assert "申请书2025" not in text  # handed in with the commitment: not owed any more


def test_late_materials_give_a_revocation_that_notes_the_credit_record(decided, at):
    with at(2025, 4, 11):
        services.applications_revoke_for_overdue_materials()
        services.applications_revoke_for_overdue_materials()  # the beat job may run twice: one document
    assert decided.documents.filter(kind=DocumentKind.REVOCATION).count() == 1
    text = rendered(decided, DocumentKind.REVOCATION)
    for phrase in ["撤销行政许可决定书", "未在约定期限内提交材料：安全设施说明", decided.licence.number,
                   "自2025年4月11日起失效", "已记入你（单位）的诚信档案", "申请行政复议"]:
        assert phrase in text, phrase


def test_a_rejection_gives_the_reason_and_the_remedies(item, enterprise, applicant_user, officer):
    application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user,
                                              wants_commitment=False)
    application = services.application_accept(application=application, actor=officer)
    services.application_reject(application=application, actor=officer, reason="经营场所消防验收不合格。")
    text = rendered(application, DocumentKind.REJECTION)
    for phrase in ["不予行政许可决定书", "不予行政许可", "经营场所消防验收不合格。", "60日内依法申请行政复议"]:
        assert phrase in text, phrase


def test_a_filing_gets_its_receipt_at_once(enterprise, applicant_user):
    filing_item = Item.objects.get(seq_no=3)
    application = services.application_submit(item=filing_item, applicant=enterprise, actor=applicant_user,
                                              details="备案经营范围：演出")
    text = rendered(application, DocumentKind.FILING_RECEIPT)
    for phrase in ["备案回执", filing_item.name, "予以备案", "备案事项说明：备案经营范围：演出", "事中事后监管"]:
        assert phrase in text, phrase


def test_a_cancelled_item_gets_a_registration_receipt_that_enters_supervision(enterprise, applicant_user):
    cancelled_item = Item.objects.get(seq_no=1)
    application = services.application_submit(item=cancelled_item, applicant=enterprise, actor=applicant_user)
    text = rendered(application, DocumentKind.CANCEL_RECEIPT)
    for phrase in ["经营信息登记回执", "已直接取消审批", "凭营业执照即可开展相关经营活动", "纳入事中事后监管"]:
        assert phrase in text, phrase


def test_a_persons_identifier_is_masked_except_on_the_commitment_it_signs(item, applicant_user, officer, a_pdf, at):
    person = ApplicantFactory(kind="person", name="赵六", identifier=valid_id_number(7), members=[applicant_user])
    with at(2025, 3, 10):
        application = services.application_submit(item=item, applicant=person, actor=applicant_user,
                                                  channel=Channel.WINDOW)
        commit(application, applicant_user, a_pdf)
    assert person.identifier not in document(application, DocumentKind.NOTICE).html
    assert person.masked_identifier in document(application, DocumentKind.NOTICE).html
    assert person.identifier in document(application, DocumentKind.COMMITMENT).html


def test_demo_content_is_bannered_on_the_document(item, noticed, at):
    item.is_demo_content = True
    item.save()
    with at(2025, 3, 10):
        other = services.application_submit(item=item, applicant=noticed.applicant, actor=noticed.submitted_by,
                                            channel=Channel.WINDOW)
    assert "演示数据" in document(other, DocumentKind.NOTICE).html
    assert "演示数据" not in document(noticed, DocumentKind.NOTICE).html


# --- documents are what was issued ------------------------------------------------------------

def test_a_later_edit_of_the_legal_basis_does_not_change_an_issued_notice(noticed, item, login, applicant_user):
    notice = document(noticed, DocumentKind.NOTICE)
    item.legal_basis = "修订后的法律依据"
    item.save()
    shown = login(applicant_user).get(reverse("document-content", args=[notice.verification_code]))
    assert LEGAL_BASIS in shown.content.decode()
    assert "修订后的法律依据" not in shown.content.decode()
    assert Document.digest(shown.content.decode()) == notice.sha256


def test_the_pdf_is_rendered_once_and_then_served_as_kept(noticed, login, applicant_user, media_root):
    notice = document(noticed, DocumentKind.NOTICE)
    assert not notice.pdf
    # Issue 12: the worker renders both PDFs after issue (the job's own function here); a download
    # only serves what it kept (tests/notices/test_pdf_ahead.py: one asked for before that gets 202).
    notice_services.document_prepare_pdf(notice.pk)
    client = login(applicant_user)
    url = reverse("document-pdf", args=[notice.verification_code])

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    notice.refresh_from_db()
    kept = media_root / notice.pdf.name
    assert kept.read_bytes() == first.content

    kept.write_bytes(b"%PDF-1.7 the kept file")  # were it rendered again, this would not come back
    second = client.get(url)
    assert second.content == b"%PDF-1.7 the kept file"
    assert len(list(media_root.rglob("*.pdf"))) == 2  # the original and its masked copy, once each


def test_the_download_is_named_after_the_document_in_utf8(noticed, login, applicant_user, media_root):
    notice = document(noticed, DocumentKind.NOTICE)
    notice.pdf.save("kept.pdf", io.BytesIO(b"%PDF-1.7 kept"))  # keeps this test from rendering
    response = login(applicant_user).get(reverse("document-pdf", args=[notice.verification_code]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{noticed.number}.pdf"' in disposition  # the ASCII fallback for old clients
    # RFC 5987: 告知书-QZ2025-000001.pdf, percent-encoded UTF-8.
    assert f"filename*=UTF-8''%E5%91%8A%E7%9F%A5%E4%B9%A6-{noticed.number}.pdf" in disposition


# --- who may see a document --------------------------------------------------------------------

ALLOWED = ["applicant_user", "colleague", "officer", "regulator", "clerk", "admin_user"]
REFUSED = ["outsider", "other_officer", "other_regulator"]


@pytest.mark.parametrize("persona", ALLOWED)
@pytest.mark.parametrize("page", ["document-html", "document-content"])
def test_those_who_may_see_the_application_see_its_documents(noticed, login, request, persona, page):
    notice = document(noticed, DocumentKind.NOTICE)
    response = login(request.getfixturevalue(persona)).get(reverse(page, args=[notice.verification_code]))
    assert response.status_code == 200
    assert notice.number in response.content.decode()


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("page", ["document-html", "document-content", "document-pdf"])
def test_others_are_told_the_document_does_not_exist(noticed, login, request, persona, page):
    notice = document(noticed, DocumentKind.NOTICE)
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse(page, args=[notice.verification_code])).status_code == 404
    assert client.get(reverse(page, args=["ZZZZZZZZZZZZ"])).status_code == 404
    assert not Document.objects.get(pk=notice.pk).pdf  # nothing was rendered for them


@pytest.mark.parametrize("page", ["document-html", "document-content", "document-pdf"])
def test_anonymous_visitors_are_sent_to_sign_in(noticed, client, page):
    notice = document(noticed, DocumentKind.NOTICE)
    response = client.get(reverse(page, args=[notice.verification_code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_document_page_frames_the_frozen_html_without_letting_it_run_anything(noticed, login, applicant_user):
    notice = document(noticed, DocumentKind.NOTICE)
    client = login(applicant_user)
    page = client.get(reverse("document-html", args=[notice.verification_code])).content.decode()
    assert reverse("document-content", args=[notice.verification_code]) in page
    assert reverse("document-pdf", args=[notice.verification_code]) in page
    assert notice.sha256 in page
    content = client.get(reverse("document-content", args=[notice.verification_code]))
    assert "default-src 'none'" in content["Content-Security-Policy"]
    assert "sandbox" in content["Content-Security-Policy"]
    assert content["X-Frame-Options"] == "SAMEORIGIN"
