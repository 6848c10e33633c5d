"""Side effects after commit: issuing a document schedules its PDF job (notices.tasks.document_prepare_pdf)
with transaction.on_commit, so a transition that rolls back enqueues nothing; the job itself is thin and
idempotent: run twice, it renders once. Real WeasyPrint, no mocks.
"""
import pytest
from django.db import transaction

from licensing import services
from notices.constants import DocumentKind
from notices.models import Document
from notices.selectors_outbox import department_pushes
from notices.tasks import document_prepare_pdf
from portal.celery import app as celery_app
from portal.exceptions import Conflict
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def submitted(commitment_item, enterprise, applicant_user, officer):
    return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)


@pytest.fixture
def eager_celery():
    """Run enqueued tasks in-process (the real task, the real renderer) instead of sending them to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def notice_of(application):
    return Document.objects.get(application=application, kind=DocumentKind.NOTICE)


def test_issuing_a_notice_schedules_its_pdf_for_after_the_commit(django_capture_on_commit_callbacks, submitted,
                                                                  officer):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_issue_notice(application=submitted, actor=officer)
    assert len(callbacks) == 1
    document = notice_of(submitted)
    assert not document.pdf  # nothing rendered inside the transaction


def test_the_scheduled_callback_renders_that_documents_pdf(django_capture_on_commit_callbacks, submitted, officer,
                                                           eager_celery):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_issue_notice(application=submitted, actor=officer)
    assert len(callbacks) == 1
    document = notice_of(submitted)
    assert document.pdf
    with document.pdf.open("rb") as fh:
        assert fh.read().startswith(b"%PDF")


def test_a_transition_rolled_back_after_the_service_leaves_no_callback_and_no_document(
        django_capture_on_commit_callbacks, submitted, officer):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(Boom):
            with transaction.atomic():
                services.application_issue_notice(application=submitted, actor=officer)
                raise Boom
    assert callbacks == []
    assert not Document.objects.filter(application=submitted).exists()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_refused_transition_leaves_no_callback_and_no_new_document(django_capture_on_commit_callbacks, submitted,
                                                                     officer):
    services.application_issue_notice(application=submitted, actor=officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(Conflict):
            services.application_issue_notice(application=submitted, actor=officer)
    assert callbacks == []
    assert Document.objects.filter(application=submitted).count() == 1


def test_a_decision_schedules_one_pdf_per_document_it_issues(django_capture_on_commit_callbacks, commitment_item,
                                                            enterprise, applicant_user, officer):
    committed = ApplicationFactory(committed=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                   officer=officer)
    before = Document.objects.filter(application=committed).count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_decide(application=committed, actor=officer)
    issued = Document.objects.filter(application=committed).count() - before
    # and one delivery per approval record it writes for the regulator (issue 9)
    records = department_pushes().filter(application=committed).count()
    assert issued >= 1 and records == 1 and len(callbacks) == issued + records


def test_the_pdf_job_run_twice_renders_once(submitted, officer):
    document = notice_of(services.application_issue_notice(application=submitted, actor=officer))
    assert not document.pdf

    assert document_prepare_pdf.apply(args=[document.pk]).get() is True
    document.refresh_from_db()
    first_name = document.pdf.name
    with document.pdf.open("rb") as fh:
        first_bytes = fh.read()
    assert first_bytes.startswith(b"%PDF")

    assert document_prepare_pdf.run(document.pk) is False
    document.refresh_from_db()
    assert document.pdf.name == first_name
    with document.pdf.open("rb") as fh:
        assert fh.read() == first_bytes


def test_the_pdf_job_for_a_document_that_is_gone_does_nothing():
    assert document_prepare_pdf.run(987654321) is False


def test_the_pdf_the_job_kept_is_the_one_downloaded(login, submitted, officer, applicant_user):
    document = notice_of(services.application_issue_notice(application=submitted, actor=officer))
    document_prepare_pdf.run(document.pk)
    document.refresh_from_db()
    with document.pdf.open("rb") as fh:
        kept = fh.read()
    from django.urls import reverse

    response = login(applicant_user).get(reverse("document-pdf", args=[document.verification_code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == kept
