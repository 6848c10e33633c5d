"""Taking a handed-in material leaves an audit row naming who took which material of which
application (issue 8: views and downloads of documents and materials); a refused one does not."""
import pytest
from django.urls import reverse

from licensing.constants import MaterialDue
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def committed(commitment_item, enterprise, applicant_user, officer):
    return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                              committed=True)


def submission_of(application):
    return application.materials.select_related("material").get(material__due=MaterialDue.AT_COMMITMENT)


@pytest.mark.parametrize("persona", ["officer", "regulator", "applicant_user"])
def test_each_material_download_is_audited_with_who_and_what(committed, login, request, persona):
    user = request.getfixturevalue(persona)
    submission = submission_of(committed)
    url = reverse("web-application-material-file", args=[committed.number, submission.material_id])
    response = login(user).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [row] = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, actor=user)
    assert row.object_type == "licensing.materialsubmission" and row.object_id == str(submission.pk)
    assert row.details["material"] == submission.material.name
    assert row.details["application"] == committed.number
    assert row.details["path"] == url


def test_a_refused_material_download_leaves_no_download_row(committed, login, outsider):
    submission = submission_of(committed)
    url = reverse("web-application-material-file", args=[committed.number, submission.material_id])
    assert login(outsider).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()
