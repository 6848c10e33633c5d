"""Rendered before anyone asks (issue 12): issuing a document queues its PDFs after the commit, a beat job
renders those whose message was lost, and a download only ever serves a kept PDF. One asked for before
the worker's turn gets a page saying it is being prepared (202, Retry-After, a meta refresh of the same
URL) and the render is asked for again; no web worker waits for WeasyPrint.

Real WeasyPrint and pyHanko, real Celery messages (a filesystem broker of each test's own, read back as
a worker would receive them), no mocks.
"""
import datetime as dt
import logging
import shutil

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from licensing import services
from notices import services as notice_services
from notices import tasks
from notices.constants import DocumentKind
from notices.models import Document
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PREPARING = "正在生成"


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def kept_files(media_root) -> list:
    """Every file under MEDIA_ROOT/documents/ (notices.models.Document's upload_to), by its storage name."""
    return sorted(str(p.relative_to(media_root)) for p in (media_root / "documents").rglob("*") if p.is_file())


def read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def notice_of(application) -> Document:
    return Document.objects.get(application=application, kind=DocumentKind.NOTICE)


@pytest.fixture
def noticed(commitment_item, enterprise, applicant_user, officer):
    """A notice issued in a transaction whose on-commit callbacks never ran: its message was lost."""
    return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                              notice_issued=True)


# --- issuing queues the render after the commit ----------------------------------------------------

def test_an_approval_keeps_both_pdfs_of_each_document_it_issues_and_the_download_serves_them(
        django_capture_on_commit_callbacks, eager, commitment_item, enterprise, applicant_user, officer,
        regulator, login, media_root):
    """Issue 12: "Issuing a document enqueues its PDF rendering after commit" and "A download finds the PDF
    ready": the original and the masked copy are both kept, and downloading serves those bytes."""
    committed = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                   officer=officer, committed=True)
    before = set(Document.objects.filter(application=committed).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(application=committed, actor=officer)
    issued = Document.objects.filter(application=committed).exclude(pk__in=before)
    assert {d.kind for d in issued} >= {DocumentKind.DECISION, DocumentKind.LICENCE}
    for document in issued:
        assert document.pdf and document.masked_pdf, document.kind
        assert read(document.pdf).startswith(b"%PDF") and read(document.masked_pdf).startswith(b"%PDF")
    files = kept_files(media_root)
    assert len(files) == 2 * issued.count()

    decision = issued.get(kind=DocumentKind.DECISION)
    url = reverse("document-pdf", args=[decision.verification_code])
    for reader, field in ((applicant_user, decision.pdf), (regulator, decision.masked_pdf)):
        client = login(reader)
        first, second = client.get(url), client.get(url)
        assert first.status_code == second.status_code == 200
        assert first["Content-Type"] == "application/pdf"
        # A render signs anew (a new signing time), so the same bytes twice are the kept file, not a render.
        assert first.content == second.content == read(field)
    assert kept_files(media_root) == files  # nothing rendered, nothing added


def test_a_rolled_back_issue_queues_nothing(django_capture_on_commit_callbacks, queue, commitment_item, enterprise,
                                            applicant_user, officer):
    """Issue 12: the render is enqueued "after commit": a transition that rolls back sends no message."""
    submitted = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            services.application_issue_notice(application=submitted, actor=officer)
            raise Boom
    assert callbacks == []
    assert queue.messages() == []
    assert not Document.objects.filter(application=submitted, kind=DocumentKind.NOTICE).exists()


def test_a_committed_issue_sends_one_message_naming_its_document(django_capture_on_commit_callbacks, queue,
                                                                 commitment_item, enterprise, applicant_user, officer):
    """Issue 12: issuing enqueues the document's rendering after commit (one message, for that document)."""
    submitted = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_issue_notice(application=submitted, actor=officer)
    notice = notice_of(submitted)
    assert queue.messages() == [("notices.tasks.document_prepare_pdf", [notice.pk])]
    assert not notice.pdf  # the worker renders it, not the request that issued it


# --- the job: one effect however often it runs ------------------------------------------------------

def test_the_job_run_twice_keeps_one_file_each(noticed, media_root):
    """Issue 12: "Rendering twice yields one file, as today": same names, same bytes, no orphan file."""
    notice = notice_of(noticed)
    assert tasks.document_prepare_pdf.run(notice.pk) is True
    notice.refresh_from_db()
    names, contents = (notice.pdf.name, notice.masked_pdf.name), (read(notice.pdf), read(notice.masked_pdf))
    files = kept_files(media_root)
    assert files == sorted(names)

    assert tasks.document_prepare_pdf.run(notice.pk) is False
    notice.refresh_from_db()
    assert (notice.pdf.name, notice.masked_pdf.name) == names
    assert (read(notice.pdf), read(notice.masked_pdf)) == contents
    assert kept_files(media_root) == files


# --- the beat job: what no message asked for --------------------------------------------------------

@pytest.fixture
def now():
    """A moment just ahead of the real clock (the demonstration certificates are valid from yesterday)."""
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)


def test_the_beat_job_renders_a_lost_documents_pdfs_once_it_is_older_than_the_cutoff_and_only_once(
        commitment_item, enterprise, applicant_user, officer, now):
    """Issue 12: "a beat job renders any that were missed"; it leaves alone what was just issued (its
    message is likely still on its way) and, run again, renders nothing more."""
    with time_machine.travel(now, tick=False):  # issued; its message lost (no callback runs)
        notice = notice_of(ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                              officer=officer, notice_issued=True))
    with time_machine.travel(now + dt.timedelta(seconds=59), tick=False):
        assert tasks.documents_render_missed.run() == []
    notice.refresh_from_db()
    assert not notice.pdf and not notice.masked_pdf

    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False):
        assert tasks.documents_render_missed.run() == [notice.pk]
        notice.refresh_from_db()
        kept = (notice.pdf.name, read(notice.pdf), notice.masked_pdf.name, read(notice.masked_pdf))
        assert kept[1].startswith(b"%PDF") and kept[3].startswith(b"%PDF")
        assert tasks.documents_render_missed.run() == []
    notice.refresh_from_db()
    assert (notice.pdf.name, read(notice.pdf), notice.masked_pdf.name, read(notice.masked_pdf)) == kept


def test_a_document_whose_seal_vanished_is_logged_and_skipped_and_the_others_are_rendered(
        commitment_item, enterprise, applicant_user, officer, settings, tmp_path, caplog, now):
    """Issue 12: a seal promised at issue and gone (notices.services._seal_for) is the operator's error:
    the beat job logs it, keeps no PDF for it, and still renders the documents issued after it."""
    with time_machine.travel(now, tick=False):
        vanished = notice_of(ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                                officer=officer, notice_issued=True))
        other = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
        another_authority = OrganisationFactory(name="钦州市另一审批局")  # sealed, as every factory organisation
    with time_machine.travel(now + dt.timedelta(seconds=1), tick=False):
        kept = notice_services.document_issue(application=other, kind=DocumentKind.NOTICE,
                                              organisation=another_authority)
    assert vanished.organisation != kept.organisation and vanished.seal == kept.seal == "demo"

    # The seal directory moves after issue, and only the other authority's certificate comes along.
    moved = tmp_path / "seals-now"
    shutil.copytree(settings.DOCUMENT_SEAL_DIR / another_authority.code, moved / another_authority.code)
    settings.DOCUMENT_SEAL_DIR = moved

    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False), caplog.at_level(logging.ERROR):
        assert tasks.documents_render_missed.run() == [kept.pk]
    assert f"document {vanished.pk} could not be rendered" in caplog.text
    vanished.refresh_from_db()
    kept.refresh_from_db()
    assert not vanished.pdf and not vanished.masked_pdf  # left for the next run, once the operator acts
    assert read(kept.pdf).startswith(b"%PDF") and read(kept.masked_pdf).startswith(b"%PDF")


# --- a download asked for before the worker's turn ---------------------------------------------------

def test_a_download_before_the_render_says_it_is_being_prepared_and_renders_nothing(
        noticed, queue, login, applicant_user, settings, media_root):
    """Issue 12: "If it is not ready yet, the page says it is being prepared and refreshes, rather than
    blocking a worker for seconds"; once the job has run, the same URL downloads the PDF."""
    notice = notice_of(noticed)
    client = login(applicant_user)
    url = reverse("document-pdf", args=[notice.verification_code])

    response = client.get(url)
    assert response.status_code == 202
    assert response["Retry-After"] == str(settings.DOCUMENT_PREPARING_REFRESH_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert "attachment" not in response.get("Content-Disposition", "")
    page = response.content.decode()
    assert PREPARING in page and notice.number in page
    # no URL in the refresh: the browser asks for this same PDF again
    assert f'<meta http-equiv="refresh" content="{settings.DOCUMENT_PREPARING_REFRESH_SECONDS}">' in page
    assert reverse("document-html", args=[notice.verification_code]) in page  # the way back
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    notice.refresh_from_db()
    assert not notice.pdf and not notice.masked_pdf and kept_files(media_root) == []
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()  # nothing was taken

    # The render is asked for again (the message at issue was lost); a page refreshing every few
    # seconds does not pile up more messages.
    assert queue.messages() == [("notices.tasks.document_prepare_pdf", [notice.pk])]
    assert client.get(url).status_code == 202
    assert len(queue.messages()) == 1

    # The worker receives that message and runs it; the same URL now downloads the kept PDF.
    [(_task, args)] = queue.messages()
    assert tasks.document_prepare_pdf.run(*args) is True
    notice.refresh_from_db()
    done = client.get(url)
    assert done.status_code == 200 and done["Content-Type"] == "application/pdf"
    assert done.content == read(notice.pdf)
    assert done["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).count() == 1


def test_a_broker_that_is_down_still_gets_the_page_and_the_next_request_asks_again(
        noticed, queue, login, applicant_user, caplog):
    """A broker that is down is no error for the user: the page still says the PDF is being prepared
    (the beat job catches up), a warning is logged, and a later request asks the worker again."""
    notice = notice_of(noticed)
    client = login(applicant_user)
    url = reverse("document-pdf", args=[notice.verification_code])
    queue.point_at_a_broker_that_is_down()
    with caplog.at_level(logging.WARNING, logger="notices.services"):
        response = client.get(url)
    assert response.status_code == 202 and PREPARING in response.content.decode()
    assert f"could not queue the PDF of document {notice.pk}" in caplog.text

    queue.point_here()
    assert client.get(url).status_code == 202
    assert queue.messages() == [("notices.tasks.document_prepare_pdf", [notice.pk])]


def test_the_document_page_says_the_pdf_is_being_prepared_until_it_is_kept(noticed, queue, login, applicant_user,
                                                                            regulator):
    """Issue 12: the download button stays (its link answers with the preparing page); beside it the page
    says the PDF is being prepared, until the PDF the reader gets (original or masked copy) is kept."""
    notice = notice_of(noticed)
    url = reverse("document-html", args=[notice.verification_code])
    pdf_link = reverse("document-pdf", args=[notice.verification_code])
    page = login(applicant_user).get(url).content.decode()
    assert pdf_link in page and "PDF 正在生成" in page

    notice_services.document_pdf(notice, masked=False)  # the original kept, the masked copy not yet
    page = login(applicant_user).get(url).content.decode()
    assert pdf_link in page and "PDF 正在生成" not in page
    assert "PDF 正在生成" in login(regulator).get(url).content.decode()  # the regulator reads the masked copy
    assert queue.messages() == []  # showing the page asks for nothing
