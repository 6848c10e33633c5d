"""Writes owned by supervision, called by other apps (DESIGN.md: owners write their own rows).

Each names its actor (None: the portal's own beat job) and leaves an audit row.
"""
from django.utils import timezone

from portal import audit
from portal.models import AuditAction
from supervision.constants import OPEN_INSPECTION, InspectionStatus
from supervision.models import InboxRecord, Inspection


def inspection_schedule(*, application, due_date, regulator=None, authority=None, full_coverage=False) -> Inspection:
    inspection, _ = Inspection.objects.get_or_create(application=application, pick=None, defaults={
        "due_date": due_date, "regulator": regulator, "authority": authority, "full_coverage": full_coverage})
    return inspection


def inspection_cancel(*, application) -> None:
    """A decision revoked for another cause (late materials, the officer's own finding) leaves nothing
    to check: the open inspection is cancelled. That is not a result: passed and failed are written
    only with one (supervision.inspections), full-coverage items (4-19) included."""
    Inspection.objects.filter(application=application, status__in=OPEN_INSPECTION).update(
        status=InspectionStatus.CANCELLED, closed_at=timezone.now())


def inbox_receive(*, key, organisation, kind, kind_label, application, payload, event_at, due_at,
                  registration=None) -> InboxRecord:
    """Keep a pushed approval record in the organisation's inbox; the same key twice is one record.
    A 告知 of a registration (双告知, issue 16) is about no application: no item code (its items are in the
    payload), and the enterprise's name from the registry."""
    data = payload.get("data", {})
    record, _ = InboxRecord.objects.get_or_create(key=key, defaults={
        "organisation": organisation, "kind": kind, "kind_label": kind_label, "application": application,
        "registration": registration, "item_code": (data.get("item") or {}).get("code", ""),
        "applicant_name": (data.get("applicant") or data.get("registration") or {}).get("name", ""),
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


def inspection_route(*, application, regulator) -> None:
    """A pending inspection whose regulator was not known yet goes to the one now routed."""
    Inspection.objects.filter(application=application, pick__isnull=True, regulator__isnull=True,
                              status=InspectionStatus.PENDING).update(
        regulator=regulator)


from supervision.credit import (  # noqa: E402  (issue 14: repair applied for online)
    credit_record_create, credit_record_repair, credit_repair_request_decide, credit_repair_request_submit,
)
from supervision.inspections import (  # noqa: E402  (the inspection workflow, issue 10)
    inspection_assign, inspection_record_result, revocation_request_close,
)

__all__ = [
    "credit_record_create", "credit_record_repair", "credit_repair_request_decide", "credit_repair_request_submit",
    "inbox_acknowledge", "inbox_receive", "inspection_assign",
    "inspection_cancel", "inspection_route", "inspection_record_result", "inspection_schedule",
    "revocation_request_close",
]
