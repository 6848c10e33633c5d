"""A refused commitment or upload changes nothing: not the database, and no file left on disk.
Nor does a step that fails after a file was written (issue 8), and what a crash leaves the orphan job removes."""
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing import services, tasks
from licensing.constants import Channel, MaterialDue
from licensing.models import Application, MaterialFile, MaterialSubmission
from portal.exceptions import InvalidInput
from tests.factories import ApplicationFactory, commitment_application, files_owed_at_commitment, pdf_file

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


# --- a later step fails after the file was written ----------------------------------------------

class RenderingFailed(Exception):
    pass


def documents_fail(monkeypatch):
    """From now on issuing a document (the step after the uploads) fails, as a full disk or a bug would."""
    def fail(**kwargs):
        raise RenderingFailed("文书生成失败")
    monkeypatch.setattr("licensing.services.commitment.document_issue", fail)


def test_an_application_whose_notice_fails_after_its_files_were_written_leaves_no_file(
        commitment_item, enterprise, clerk, monkeypatch):
    documents_fail(monkeypatch)
    owed = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    with pytest.raises(RenderingFailed):
        services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk, channel=Channel.WINDOW,
                                    uploads={owed.pk: pdf_file("申请书.pdf")})
    assert stored_files() == set()
    assert not Application.objects.exists()


def test_a_commitment_whose_document_fails_after_its_files_were_written_leaves_no_file(
        commitment_item, enterprise, applicant_user, officer, monkeypatch):
    app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                 until="notice_issued")
    before = stored_files()
    documents_fail(monkeypatch)
    with pytest.raises(RenderingFailed):
        services.application_commit(application=app, actor=applicant_user, kind="already_meets",
                                    confirmations=[True] * 7, signatory="张三", files=files_owed_at_commitment(app))
    assert stored_files() == before
    assert not MaterialFile.objects.filter(submission__application=app).exists()


# --- the orphan job ---------------------------------------------------------------------------

def age(path: Path, hours: float):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_the_orphan_job_removes_old_files_no_row_names_and_nothing_else_run_twice(
        commitment_item, enterprise, applicant_user, officer):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    owed = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    for version in ("初稿", "定稿"):  # the draft is replaced: kept as history, named by its row
        services.material_submit(application=application, material_id=owed.pk, upload=pdf_file(f"{version}.pdf"),
                                 actor=applicant_user)
    named = stored_files()
    assert len(named) == 2
    folder = Path(settings.MEDIA_ROOT) / "materials" / "2019" / "10"
    folder.mkdir(parents=True)
    left_by_a_crash, still_uploading = folder / "0123abcd.pdf", folder / "4567cdef.pdf"
    for path in (left_by_a_crash, still_uploading):
        path.write_bytes(b"%PDF-1.4\n")
    for path in named | {left_by_a_crash}:
        age(path, 25)
    age(still_uploading, 1)  # within the grace period: its transaction may not have committed yet

    first, second = tasks.remove_orphan_material_files(), tasks.remove_orphan_material_files()

    assert first == ["materials/2019/10/0123abcd.pdf"] and second == []
    assert stored_files() == named | {still_uploading}
