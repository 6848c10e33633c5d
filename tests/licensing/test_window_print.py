"""Printing at the window (issue 12): the clerk prints the 告知书 and the 告知承诺书, two copies each, in one action.

附件3 第二条: "告知书与告知承诺书一式两份，由行政审批部门和申请单位（人）各保存1份". One PDF, in the order a
duplex printer hands them out: notice copy 1, notice copy 2, commitment copy 1, commitment copy 2,
each copy starting on a fresh sheet; the pages of copy 1 say "第一联 申请人留存" at their top right,
those of copy 2 "第二联 审批机关留存". Made of the PDFs kept at issue, never rendered in the request.
"""
import io
import logging

import pytest
from django.urls import reverse
from pypdf import PdfReader

from licensing.constants import Channel
from notices.constants import DocumentKind
from notices.models import Document
from notices.services import document_pdf, document_pdf_ready, document_prepare_pdf
from notices.tasks import document_prepare_pdf as document_prepare_pdf_task
from portal.models import AuditAction, AuditEvent
from tests.factories import commitment_application

pytestmark = pytest.mark.django_db

FIRST, SECOND = "第一联 申请人留存", "第二联 审批机关留存"


@pytest.fixture
def at_the_window(commitment_item, enterprise, clerk, officer):
    """Item 13 accepted at the window by the clerk: the notice handed over on the spot (附件3 第三条)."""
    def make(until):
        return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                      until=until, channel=Channel.WINDOW)
    return make


def prepared(application):
    """Its documents' PDFs kept, as the worker does after issue (notices.tasks.document_prepare_pdf)."""
    for document in application.documents.all():
        document_prepare_pdf(document.pk)
    return {d.kind: d for d in Document.objects.filter(application=application)}


def print_url(application):
    return reverse("window-print-notice-commitment", args=[application.number])


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def page_count(document) -> int:
    return len(PdfReader(io.BytesIO(document_pdf(document))).pages)


def copies(pages: list[str], document, *, start: int) -> int:
    """Check two copies of `document` from page `start`, each labelled and starting on a front side;
    return where the next document starts."""
    count = page_count(document)
    for label, other in ((FIRST, SECOND), (SECOND, FIRST)):
        copy = pages[start:start + count]
        assert all(label in text and other not in text for text in copy), (label, start)
        assert document.number in copy[0]
        start += count
        if count % 2:  # a blank back, so the next copy starts on a fresh sheet
            assert pages[start].strip() == ""
            start += 1
        assert start % 2 == 0
    return start


def test_the_clerk_prints_the_notice_and_the_commitment_in_two_labelled_copies_each(login, clerk, at_the_window):
    """附件3 第二条 一式两份: one PDF; notice ×2 then commitment ×2; 第一联 申请人留存 / 第二联 审批机关留存."""
    application = at_the_window("committed")
    documents = prepared(application)

    response = login(clerk).get(print_url(application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")  # the browser shows it, to print
    assert "filename*=UTF-8''%E5%91%8A%E7%9F%A5%E4%B9%A6%E5%92%8C%E6%89%BF%E8%AF%BA%E4%B9%A6-" in (
        response["Content-Disposition"])  # 告知书和承诺书-<办件编号>.pdf
    assert application.number in response["Content-Disposition"]
    pages = pages_of(response.content)
    end = copies(pages, documents[DocumentKind.NOTICE], start=0)
    end = copies(pages, documents[DocumentKind.COMMITMENT], start=end)
    assert end == len(pages)
    joined = "".join(pages)
    assert documents[DocumentKind.NOTICE].verification_code in joined  # what verifies the paper copy
    assert documents[DocumentKind.COMMITMENT].verification_code in joined


def test_the_print_carries_no_signature_but_keeps_the_seal_picture(login, clerk, at_the_window):
    """The PAdES signature covers the original file's bytes only: the print drops it (paper is checked by
    its QR code and verification code), and the seal's stamp stays drawn on the page."""
    application = at_the_window("committed")
    notice = prepared(application)[DocumentKind.NOTICE]
    original = PdfReader(io.BytesIO(document_pdf(notice)))
    assert "/AcroForm" in original.trailer["/Root"]  # the kept PDF is signed

    printed = PdfReader(io.BytesIO(login(clerk).get(print_url(application)).content))

    assert "/AcroForm" not in printed.trailer["/Root"]
    assert all("/Annots" not in page for page in printed.pages)
    last = page_count(notice) - 1
    stamp = printed.pages[last]["/Resources"]["/XObject"]
    assert len(stamp) > len(original.pages[last]["/Resources"].get("/XObject", {}))  # the stamp, drawn in


def test_before_the_applicant_signs_the_notice_prints_alone_and_the_desk_says_so(login, clerk, at_the_window,
                                                                                 enterprise):
    """Notice issued, no commitment yet: two copies of the notice only."""
    application = at_the_window("notice_issued")
    notice = prepared(application)[DocumentKind.NOTICE]
    client = login(clerk)

    desk = client.get(reverse("window-applicant", args=[enterprise.pk])).content.decode()
    assert "打印告知书和承诺书（一式两份）" in desk and "承诺书尚未签署，只打印告知书" in desk
    response = client.get(print_url(application))

    assert response.status_code == 200
    assert "%E5%91%8A%E7%9F%A5%E4%B9%A6-" in response["Content-Disposition"]  # 告知书-<办件编号>.pdf
    pages = pages_of(response.content)
    assert copies(pages, notice, start=0) == len(pages)
    assert "钦诺〔" not in "".join(pages)  # no commitment number: none is issued


def test_a_pdf_not_kept_yet_gets_the_preparing_page_and_nothing_is_rendered_in_the_request(
        login, clerk, at_the_window, queue, settings):
    """Issue 12: a download finds the PDF ready, or the page says it is being prepared and refreshes;
    no web worker waits for WeasyPrint. The render is asked of a worker (once, however often the page
    refreshes); the worker's run, twice, keeps each PDF once; the same URL then prints."""
    application = at_the_window("committed")
    documents = list(Document.objects.filter(application=application, kind__in=[DocumentKind.NOTICE,
                                                                                DocumentKind.COMMITMENT]))
    client = login(clerk)

    response = client.get(print_url(application))

    assert response.status_code == 202
    assert response["Retry-After"] == str(settings.DOCUMENT_PREPARING_REFRESH_SECONDS)
    html = response.content.decode()
    assert "正在生成" in html and 'http-equiv="refresh"' in html
    assert all(d.number in html for d in documents)
    for document in documents:
        document.refresh_from_db()
        assert not document_pdf_ready(document) and not document_pdf_ready(document, masked=True)
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()  # nothing handed out
    asked = sorted(args[0] for _task, args in queue.messages())
    assert asked == sorted(d.pk for d in documents)
    assert client.get(print_url(application)).status_code == 202
    assert len(queue.messages()) == 2  # a refreshing page piles up no renders

    assert [document_prepare_pdf_task.run(*args) for _task, args in queue.messages()] == [True, True]
    assert [document_prepare_pdf_task.run(*args) for _task, args in queue.messages()] == [False, False]
    assert client.get(print_url(application)).status_code == 200


def test_a_broker_that_is_down_still_gets_the_preparing_page(login, clerk, at_the_window, queue, caplog):
    """A broker that is down is no error at the window: the page says the PDFs are being prepared (the
    beat job renders them), and a warning is logged."""
    application = at_the_window("committed")
    queue.point_at_a_broker_that_is_down()

    with caplog.at_level(logging.WARNING, logger="notices.printing"):
        response = login(clerk).get(print_url(application))

    assert response.status_code == 202 and "正在生成" in response.content.decode()
    assert "could not queue the PDF of document" in caplog.text


def test_an_application_without_a_notice_has_nothing_to_print(login, clerk, commitment_item, enterprise,
                                                              applicant_user, officer):
    """Filed online, no notice issued yet: the application page says so (409), nothing is printed."""
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, until="submitted", channel=Channel.ONLINE)
    client = login(clerk)

    response = client.get(print_url(application))

    assert response.status_code == 409
    assert "还没有出具告知书" in response.content.decode()
    page = client.get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert print_url(application) not in page


def test_only_the_window_prints(client, login, at_the_window, applicant_user, officer, other_officer):
    """The window's action (licensing.use_window_desk): the applicant's own account and the officers are
    refused (403), an anonymous visitor signs in first; the permission matrix covers every role."""
    application = at_the_window("committed")
    prepared(application)

    assert client.get(print_url(application)).status_code == 302
    for user in (applicant_user, officer, other_officer):
        assert login(user).get(print_url(application)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()


def test_an_unknown_application_is_not_found(login, clerk):
    assert login(clerk).get(reverse("window-print-notice-commitment", args=["QZ1999-999999"])).status_code == 404


def test_the_print_is_audited_as_a_download_of_each_document(login, clerk, at_the_window):
    """Who took which document, as for a download (notices.views): one row per document printed, each
    naming both documents of the print."""
    application = at_the_window("committed")
    documents = prepared(application)

    login(clerk).get(print_url(application))

    rows = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, actor=clerk).order_by("id")
    assert [row.object_id for row in rows] == [str(documents[k].pk) for k in (DocumentKind.NOTICE,
                                                                                DocumentKind.COMMITMENT)]
    for row in rows:
        assert row.details["application"] == application.number and row.details["view"] == "window_print"
        assert row.details["masked"] is False  # the clerk acts for the applicant: the full identifier
        named = " ".join(row.details["documents"])
        assert documents[DocumentKind.NOTICE].number in named and documents[DocumentKind.COMMITMENT].number in named


def test_the_desk_and_the_application_page_offer_the_print_to_the_clerk_only(login, clerk, at_the_window, enterprise,
                                                                             applicant_user):
    """The button shows once the notice exists, on the window desk's row and on the application page."""
    application = at_the_window("committed")
    url = print_url(application)
    client = login(clerk)

    desk = client.get(reverse("window-applicant", args=[enterprise.pk])).content.decode()
    page = client.get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert url in desk and "打印告知书和承诺书（一式两份）" in desk and "只打印告知书" not in desk
    assert url in page
    own = login(applicant_user).get(reverse("web-application-detail", args=[application.number]))
    assert url not in own.content.decode()
