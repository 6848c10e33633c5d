"""The 诚信档案 (附件3 第九条): records that bar notify-and-commit while unrepaired, and their repair."""
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.exceptions import InvalidInput
from portal.models import AuditAction
from supervision.models import CreditRecord


def credit_record_create(*, applicant, reason, actor, application=None, details="") -> CreditRecord:
    """Record the applicant in the 诚信档案; a second call for the same application (or, without one, the
    same applicant) and reason adds nothing."""
    key = {"application": application} if application is not None else {"applicant": applicant, "application": None}
    record, created = CreditRecord.objects.get_or_create(
        **key, reason=reason,
        defaults={"applicant": applicant, "details": details, "recorded_by": actor, "recorded_at": timezone.now()})
    if created:
        audit.write(AuditAction.CREDIT_RECORD, actor=actor, obj=record, details={
            "reason": reason, "application": application.number if application else ""})
    return record


@transaction.atomic
def credit_record_repair(*, record: CreditRecord, actor, note: str) -> CreditRecord:
    """信用修复: the record stays in the 诚信档案 but no longer bars notify-and-commit."""
    if not (note or "").strip():
        raise InvalidInput("信用修复须说明依据。", field="note")
    # Conditional update: repairing twice keeps the first repair's time and note.
    repaired = CreditRecord.objects.filter(pk=record.pk, repaired_at__isnull=True).update(
        repaired_at=timezone.now(), details=f"{record.details}\n【信用修复】{note.strip()}（{actor}）".strip())
    if repaired:
        audit.write(AuditAction.CREDIT_REPAIR, actor=actor, obj=record, details={"note": note.strip()[:500]})
    record.refresh_from_db()
    return record
