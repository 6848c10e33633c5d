"""Handing in materials; their content is checked, not their name, and every hand-in is an event."""
from django.db import transaction
from django.utils import timezone

from licensing.constants import STOPPED, Action, MaterialStatus
from licensing.models import Application, MaterialSubmission
from licensing.selectors.deadlines import is_overdue
from licensing.services._core import _event, _today
from licensing.uploads import check_upload
from portal.exceptions import Conflict, InvalidInput, Problems

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
def material_submit(*, application, material_id, upload, actor) -> MaterialSubmission:
    """Hand in one owed material (or replace one handed in before); an event names who did it."""
    try:
        submission = (MaterialSubmission.objects.select_for_update().select_related("material")
                      .get(application=application, material_id=material_id))
    except (MaterialSubmission.DoesNotExist, ValueError):
        raise InvalidInput(NO_SUCH_MATERIAL, field="files")
    # Late is late whether or not the hourly job has run yet (附件3 第六条): otherwise a material
    # handed in after its date but before the job would save the decision.
    if submission.status == MaterialStatus.OVERDUE or is_overdue(submission.due_date, _today()):
        raise Conflict(f"材料“{submission.material.name}”已逾期，不能再提交。")
    current = Application.objects.get(pk=application.pk)
    if current.status in STOPPED:
        raise Conflict("办件已终止，不能再提交材料。")
    content_type = check_upload(upload)
    replacing = submission.status == MaterialStatus.SUBMITTED
    submission.file.save(upload.name, upload, save=False)
    submission.original_name = upload.name[:255]
    submission.content_type = content_type
    submission.status = MaterialStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor
    submission.save()
    _event(current, Action.REPLACE_MATERIAL if replacing else Action.SUBMIT_MATERIAL, current.status, actor,
           submission.material.name)
    return submission
