"""A refused commitment or upload changes nothing: not the database, and no file left on disk.
Nor does a step that fails after a file was written (issue 8), and what a crash leaves the orphan job removes."""
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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


def plant(month: str, name: str, hours_old: float) -> Path:
    path = Path(settings.MEDIA_ROOT) / "materials" / month / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n")
    age(path, hours_old)
    return path


def test_a_month_s_names_are_checked_against_the_rows_in_one_query(
        commitment_item, enterprise, applicant_user, officer):
    """Issue 13: not a query per file (a million files, a million queries every night)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    owed = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    for n in range(12):
        services.material_submit(application=application, material_id=owed.pk, upload=pdf_file(f"第{n}稿.pdf"),
                                 actor=applicant_user)
    for path in stored_files():
        age(path, 48)
    months = {p.parent for p in stored_files()}
    orphan = plant("2019/10", "89abcdef.pdf", 48)
    with CaptureQueriesContext(connection) as seen:
        removed = tasks.remove_orphan_material_files()
    assert removed == ["materials/2019/10/89abcdef.pdf"] and not orphan.exists()
    row_checks = [q for q in seen.captured_queries if "licensing_materialfile" in q["sql"]]
    assert len(row_checks) == len(months) + 1  # one per month's folder: 2019/10 and the uploads' own


def test_a_month_checked_to_the_end_is_not_listed_again(commitment_item):
    left_long_ago = plant("2019/10", "0123abcd.pdf", 48)
    assert tasks.remove_orphan_material_files() == ["materials/2019/10/0123abcd.pdf"]
    # Nothing writes into a month that is over; were something to, the next runs would not list it…
    again = plant("2019/10", "4567cdef.pdf", 48)
    this_month = plant(f"{timezone.localtime():%Y/%m}", "89abcdef.pdf", 48)
    assert tasks.remove_orphan_material_files() == [f"materials/{timezone.localtime():%Y/%m}/89abcdef.pdf"]
    assert again.exists() and not this_month.exists() and not left_long_ago.exists()
    # …until the shared cache forgets which months are done: then every folder is listed once more.
    from django.core.cache import cache
    cache.clear()
    assert tasks.remove_orphan_material_files() == ["materials/2019/10/4567cdef.pdf"]


def test_a_month_with_a_young_file_is_listed_again_until_it_can_be_judged(commitment_item):
    young = plant("2019/10", "0123abcd.pdf", 1)  # a clock set wrong, or a transaction still open
    assert tasks.remove_orphan_material_files() == []
    age(young, 48)
    assert tasks.remove_orphan_material_files() == ["materials/2019/10/0123abcd.pdf"]
