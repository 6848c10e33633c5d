"""The officer reads what the applicant handed in: the same bytes, served only to those who may see it."""
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing import services
from licensing.constants import MaterialDue
from licensing.models import MaterialFile
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory, commitment_application

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


# --- stored and served under the type the content shows, not the uploader's name (issue 8) ---------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 a photo"
PNG = b"\x89PNG\r\n\x1a\n a scan"


@pytest.mark.parametrize("uploaded_as, content, extension, content_type", [
    ("setup.bat", b"%PDF-1.4\n@echo off\n", "pdf", "application/pdf"),
    ("index.html", JPEG + b"<script>alert(1)</script>", "jpg", "image/jpeg"),
    ("安装程序.exe", PNG, "png", "image/png"),
])
def test_an_upload_is_stored_and_served_under_the_type_its_content_shows(
        login, officer, commitment_item, enterprise, applicant_user, uploaded_as, content, extension, content_type):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    owed = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    services.material_submit(application=application, material_id=owed.pk, actor=applicant_user,
                             upload=SimpleUploadedFile(uploaded_as, content, content_type="application/octet-stream"))

    [stored] = stored_files()
    assert stored.suffix == f".{extension}" and uploaded_as.rsplit(".", 1)[0] not in stored.name
    response = login(officer).get(reverse("web-application-material-file", args=[application.number, owed.pk]))
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="material.{extension}"' in disposition
    assert f"filename*=UTF-8''{quote(f'申请书.{extension}')}" in disposition
    assert uploaded_as.rsplit(".", 1)[1] not in disposition


def test_the_uploader_s_file_name_is_kept_only_as_cleaned_text(login, officer, commitment_item, enterprise,
                                                                 applicant_user):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    owed = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    name = "..\\..\\C:\\temp/申请书\u202egpj.exe\x07" + "长" * 150
    services.material_submit(application=application, material_id=owed.pk, actor=applicant_user,
                             upload=SimpleUploadedFile(name, b"%PDF-1.4\n", content_type="application/pdf"))

    shown = MaterialFile.objects.get(submission__application=application).display_name
    assert shown == ("申请书gpj.exe" + "长" * 150)[:100]
    page = login(officer).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert shown in page and "\u202e" not in page


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
