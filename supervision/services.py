"""Writes owned by supervision, called by other apps (DESIGN.md: owners write their own rows)."""
from django.utils import timezone

from supervision.constants import InspectionStatus
from supervision.models import CreditRecord, Inspection


def credit_record_create(*, applicant, reason, application=None, details="", actor=None) -> CreditRecord:
    """Record the applicant in the 诚信档案; a second call for the same application and reason adds nothing."""
    record, _ = CreditRecord.objects.get_or_create(
        application=application, reason=reason,
        defaults={"applicant": applicant, "details": details, "recorded_by": actor, "recorded_at": timezone.now()})
    return record


def inspection_schedule(*, application, due_date, regulator=None) -> Inspection:
    inspection, _ = Inspection.objects.get_or_create(
        application=application, defaults={"due_date": due_date, "regulator": regulator})
    return inspection


def inspection_cancel(*, application) -> None:
    Inspection.objects.filter(application=application, status=InspectionStatus.PENDING).update(
        status=InspectionStatus.CANCELLED)
