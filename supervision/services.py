"""Writes owned by supervision, called by other apps (DESIGN.md: owners write their own rows).

Each names its actor (None: the portal's own beat job) and leaves an audit row.
"""
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.exceptions import InvalidInput
from portal.models import AuditAction
from supervision.constants import InspectionStatus
from supervision.models import CreditRecord, InboxRecord, Inspection


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


def inspection_schedule(*, application, due_date, regulator=None) -> Inspection:
    inspection, _ = Inspection.objects.get_or_create(
        application=application, defaults={"due_date": due_date, "regulator": regulator})
    return inspection


def inspection_cancel(*, application) -> None:
    Inspection.objects.filter(application=application, status=InspectionStatus.PENDING).update(
        status=InspectionStatus.CANCELLED)


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


def inbox_receive(*, key, organisation, kind, kind_label, application, payload, event_at, due_at) -> InboxRecord:
    """Keep a pushed approval record in the organisation's inbox; the same key twice is one record."""
    data = payload.get("data", {})
    record, _ = InboxRecord.objects.get_or_create(key=key, defaults={
        "organisation": organisation, "kind": kind, "kind_label": kind_label, "application": application,
        "item_code": (data.get("item") or {}).get("code", ""),
        "applicant_name": (data.get("applicant") or {}).get("name", ""),
        "payload": payload, "event_at": event_at, "due_at": due_at, "delivered_at": timezone.now()})
    return record


def inbox_acknowledge(*, record: InboxRecord, actor) -> InboxRecord:
    """签收: the regulator has read the record. A second acknowledgement keeps the first's time and name."""
    if InboxRecord.objects.filter(pk=record.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor):
        audit.write(AuditAction.RECORD_ACKNOWLEDGE, actor=actor, obj=record, details={
            "key": record.key, "kind": record.kind})
    record.refresh_from_db()
    return record


def inspection_assign(*, application, regulator) -> None:
    """A pending inspection whose regulator was not known yet goes to the one now routed."""
    Inspection.objects.filter(application=application, regulator__isnull=True, status=InspectionStatus.PENDING).update(
        regulator=regulator)
