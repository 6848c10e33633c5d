"""Handing in materials; their content is checked, not their name."""
from django.db import transaction
from django.utils import timezone

from licensing.constants import (
    MaterialStatus,
    Status,
)
from licensing.exceptions import Conflict, InvalidInput
from licensing.models import Application, MaterialSubmission
from licensing.services._core import _today
from licensing.uploads import check_upload


@transaction.atomic
def material_submit(*, application, material_id, upload, actor) -> MaterialSubmission:
    """Hand in one owed material; its content is checked, not its name."""
    try:
        submission = (MaterialSubmission.objects.select_for_update().select_related("material")
                      .get(application=application, material_id=material_id))
    except (MaterialSubmission.DoesNotExist, ValueError):
        raise InvalidInput("该事项没有这项材料。", field="files")
    # Late is late whether or not the hourly job has run yet (附件3 第六条): otherwise a material
    # handed in after its date but before the job would save the decision.
    if submission.status == MaterialStatus.OVERDUE or (submission.due_date and submission.due_date < _today()):
        raise Conflict(f"材料“{submission.material.name}”已逾期，不能再提交。")
    if Application.objects.filter(pk=application.pk, status__in=[
            Status.REVOKED, Status.REJECTED, Status.WITHDRAWN, Status.LAPSED]).exists():
        raise Conflict("办件已终止，不能再提交材料。")
    content_type = check_upload(upload)
    submission.file.save(upload.name, upload, save=False)
    submission.original_name = upload.name[:255]
    submission.content_type = content_type
    submission.status = MaterialStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor
    submission.save()
    return submission
