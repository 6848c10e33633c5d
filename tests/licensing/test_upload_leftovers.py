"""A refused commitment or upload changes nothing: not the database, and no file left on disk."""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing import services
from portal.exceptions import InvalidInput
from licensing.models import MaterialSubmission
from tests.factories import commitment_application, files_owed_at_commitment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # other runs share var/test-media


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_commitment_refused_for_a_missing_material_writes_no_file(commitment_item, enterprise, applicant_user,
                                                                    officer):
    app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                 until="notice_issued")
    files = files_owed_at_commitment(app)
    files.popitem()  # one material missing
    before = stored_files()
    with pytest.raises(InvalidInput) as exc:
        services.application_commit(application=app, actor=applicant_user, kind="already_meets",
                                    confirmations=[True] * 7, signatory="张三", files=files)
    assert "须一并提交" in exc.value.message
    assert stored_files() == before
    assert not MaterialSubmission.objects.filter(application=app, status="submitted").exists()


def test_a_commitment_with_one_file_that_is_not_a_document_writes_no_file(commitment_item, enterprise,
                                                                          applicant_user, officer):
    app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                 until="notice_issued")
    files = files_owed_at_commitment(app)
    first = next(iter(files))
    files[first] = SimpleUploadedFile("假.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    before = stored_files()
    with pytest.raises(InvalidInput) as exc:
        services.application_commit(application=app, actor=applicant_user, kind="already_meets",
                                    confirmations=[True] * 7, signatory="张三", files=files)
    assert "不是PDF、JPG或PNG文件" in exc.value.message
    assert stored_files() == before
