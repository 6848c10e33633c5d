"""The officer reads what the applicant handed in: the same bytes, served only to those who may see it."""
import pytest
from django.urls import reverse

from licensing.constants import MaterialDue
from portal.models import AuditAction, AuditEvent
from tests.factories import commitment_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def committed(commitment_item, enterprise, applicant_user, officer):
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                  officer=officer, until="committed")


def url(application):
    material = application.item.materials.get(due=MaterialDue.AT_COMMITMENT)
    return reverse("web-application-material-file", args=[application.number, material.pk])


def test_the_officer_downloads_the_material_as_it_was_handed_in(login, officer, committed):
    response = login(officer).get(url(committed))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, actor=officer).exists()


def test_the_application_page_links_the_handed_in_material(login, officer, committed):
    html = login(officer).get(reverse("web-application-detail", args=[committed.number])).content.decode()
    assert url(committed) in html


def test_a_material_not_yet_handed_in_is_404(login, officer, committed):
    later = committed.item.materials.get(due=MaterialDue.AFTER_DECISION)
    response = login(officer).get(reverse("web-application-material-file", args=[committed.number, later.pk]))
    assert response.status_code == 404


def test_an_outsider_cannot_tell_the_material_exists(login, outsider, committed):
    assert login(outsider).get(url(committed)).status_code == 404
