"""Reading a document leaves an audit row, as taking its PDF does (issue 8: views and downloads of
documents and materials): who, which document, which page, and whether identifiers were masked."""
import io

import pytest
from django.urls import reverse

from notices.constants import DocumentKind
from notices.models import Document
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def notice(commitment_item, enterprise, applicant_user, officer):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, notice_issued=True)
    document = Document.objects.get(application=application, kind=DocumentKind.NOTICE)
    document.pdf.save("kept.pdf", io.BytesIO(b"%PDF-1.7 kept"))  # keeps these tests from rendering
    document.masked_pdf.save("kept-masked.pdf", io.BytesIO(b"%PDF-1.7 kept, masked"))
    return document


def rows(action, document):
    return AuditEvent.objects.filter(action=action, object_type="notices.document", object_id=str(document.pk))


@pytest.mark.parametrize("page, action, view", [
    ("document-html", AuditAction.DOCUMENT_VIEW, "page"),
    ("document-content", AuditAction.DOCUMENT_VIEW, "content"),
    ("document-pdf", AuditAction.DOCUMENT_DOWNLOAD, None),
])
@pytest.mark.parametrize("persona, masked", [("applicant_user", False), ("regulator", True)])
def test_each_view_and_download_of_a_document_is_audited(notice, login, request, persona, masked, page, action, view):
    user = request.getfixturevalue(persona)
    assert login(user).get(reverse(page, args=[notice.verification_code])).status_code == 200
    [row] = rows(action, notice)
    assert row.actor == user and row.outcome == "success"
    assert row.details["application"] == notice.application.number
    assert row.details["kind"] == DocumentKind.NOTICE
    assert row.details["masked"] is masked
    assert row.details.get("view") == view
    assert row.details["path"] == reverse(page, args=[notice.verification_code])


def test_a_refused_view_is_not_recorded_as_a_view(notice, login, outsider):
    assert login(outsider).get(reverse("document-content", args=[notice.verification_code])).status_code == 404
    assert not rows(AuditAction.DOCUMENT_VIEW, notice).exists()
