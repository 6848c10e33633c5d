"""Handing in materials; their content is checked, not their name, and every hand-in is an event.

Every file ever handed in is a MaterialFile row: a replacement keeps the earlier file (marked
replaced), and the officer reads the current one. Once a material is relied on (the decision,
the 承诺书, the officer's 受理: selectors.material_frozen_reason) its file is frozen.
"""
import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from licensing.constants import OPEN, STOPPED, Action, MaterialStatus
from licensing.models import Application, MaterialFile, MaterialSubmission
from licensing.selectors.actions import material_frozen_reason
from licensing.selectors.deadlines import is_overdue
from licensing.services._core import _event, _today
from portal.uploads import STORED_UNDER, check_upload, display_name, removed_on_error, store
from portal.exceptions import Conflict, InvalidInput, Problems

logger = logging.getLogger(__name__)

NO_SUCH_MATERIAL = "该事项没有这项材料。"


def _material_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_uploads(files: dict, *, known: set) -> dict:
    """{material id: upload} with every id (one of `known`) and every file checked, all problems at once.

    Called before anything is written, so a refusal leaves no file behind (a rolled-back row
    would not take its file on disk with it).
    """
    problems = Problems()
    checked = {}
    for key, upload in files.items():
        material_id = _material_id(key)
        if material_id not in known:
            problems.add("files", NO_SUCH_MATERIAL)
            continue
        problems.check(f"files.{material_id}", lambda: check_upload(upload))
        checked[material_id] = upload
    problems.raise_if_any()
    return checked


@transaction.atomic
@removed_on_error()
def material_submit(*, application, material_id, upload, actor) -> MaterialSubmission:
    """Hand in one owed material, or replace one handed in while it may be replaced; an event names who.

    Frozen (409) once relied on (selectors.material_frozen_reason): after the decision no file is
    replaced, and a material owed after the decision is handed in once, by its date, and frozen at
    once. A replacement keeps the earlier file as history. If this or a later step of the calling
    service fails, the file written here is deleted again (uploads.removed_on_error).
    """
    # The material's row, then the application's (the order the overdue job locks them in): an
    # acceptance or decision taken at the same moment either sees this file or is seen by this check.
    submission = _locked_submission(application, material_id)
    current = Application.objects.select_for_update().get(pk=application.pk)
    _check_may_hand_in(current, submission)
    content_type = check_upload(upload)
    replacing = submission.status == MaterialStatus.SUBMITTED
    now = timezone.now()
    MaterialFile.objects.filter(submission=submission, replaced_at__isnull=True).update(replaced_at=now)
    _store_file(submission, upload, content_type, actor, now)
    submission.status = MaterialStatus.SUBMITTED
    submission.submitted_at = now
    submission.submitted_by = actor
    submission.save(update_fields=["status", "submitted_at", "submitted_by"])
    _event(current, Action.REPLACE_MATERIAL if replacing else Action.SUBMIT_MATERIAL, current.status, actor,
           submission.material.name)
    return submission


def _locked_submission(application, material_id) -> MaterialSubmission:
    try:
        return (MaterialSubmission.objects.select_for_update().select_related("material")
                .get(application=application, material_id=material_id))
    except (MaterialSubmission.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(NO_SUCH_MATERIAL, field="files")


def _check_may_hand_in(application, submission):
    frozen = material_frozen_reason(application, submission)
    if frozen:
        raise Conflict(frozen)
    # Late is late whether or not the hourly job has run yet (附件3 第六条): otherwise a material
    # handed in after its date but before the job would save the decision.
    if submission.status == MaterialStatus.OVERDUE or is_overdue(submission.due_date, _today()):
        raise Conflict(f"材料“{submission.material.name}”已逾期，不能再提交。")
    if application.status in STOPPED:
        raise Conflict("办件已终止，不能再提交材料。")
    if application.status not in OPEN:
        raise Conflict("办件已办结，不能再提交材料。")


def _store_file(submission, upload, content_type, actor, now) -> MaterialFile:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    return MaterialFile.objects.create(
        submission=submission, file=store(upload, content_type), content_type=content_type,
        display_name=display_name(upload.name), size=upload.size, sha256=digest.hexdigest(),
        uploaded_at=now, uploaded_by=actor)


# --- files no row names ----------------------------------------------------------------------

def material_files_remove_orphans(*, grace=None) -> list[str]:
    """Delete files under media/materials that no MaterialFile names and that are older than the
    grace period (settings.MATERIAL_ORPHAN_GRACE_HOURS, default a day).

    What a rolled-back transaction left behind (a crash between writing the file and the commit,
    a rollback further out with no exception through the service): the grace period keeps the
    file of a transaction still running. Idempotent: a second run finds nothing. Returns the names.
    """
    grace = grace if grace is not None else dt.timedelta(hours=settings.MATERIAL_ORPHAN_GRACE_HOURS)
    cutoff = timezone.now() - grace
    removed = []
    for name in _stored_names(STORED_UNDER):
        if default_storage.get_modified_time(name) >= cutoff:
            continue
        if MaterialFile.objects.filter(file=name).exists():
            continue
        default_storage.delete(name)
        removed.append(name)
    if removed:
        logger.info("removed %d material files no row names", len(removed))
    return removed


def _stored_names(folder):
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(f"{folder}/{sub}")
