"""The 诚信档案 (附件3 第九条): records that bar notify-and-commit while unrepaired, and their repair."""
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.exceptions import Conflict, InvalidInput
from portal.models import AuditAction
from supervision.models import CreditRecord
from supervision.selectors import repair_allowed_from, repair_rule_for


def credit_record_create(*, applicant, reason, actor, application=None, details="", organisation=None) -> CreditRecord:
    """Record the applicant in the 诚信档案; a second call for the same application (or, without one, the
    same applicant) and reason adds nothing. `organisation` is the authority that makes the record (认定机关,
    published with it, deciding its repair): by default the application's deciding authority (谁审批、谁负责),
    else the actor's own."""
    key = {"application": application} if application is not None else {"applicant": applicant, "application": None}
    organisation_id = getattr(organisation, "pk", None)
    if organisation_id is None and application is not None:
        organisation_id = application.entrusted_id or application.authority_id
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    record, created = CreditRecord.objects.get_or_create(
        **key, reason=reason,
        defaults={"applicant": applicant, "details": details, "recorded_by": actor, "recorded_at": timezone.now(),
                  "organisation_id": organisation_id})
    if created:
        audit.write(AuditAction.CREDIT_RECORD, actor=actor, obj=record, details={
            "reason": reason, "application": application.number if application else ""})
    return record


@transaction.atomic
def credit_record_repair(*, record: CreditRecord, actor, note: str) -> CreditRecord:
    """信用修复: the record stays in the 诚信档案 but no longer bars notify-and-commit.

    Only under the kind's CreditRepairRule (附件3 第九条 names no repair, so by default none is
    allowed): refused with a Conflict naming the rule when the kind is not repairable or the
    rule's months since the record have not yet passed. Repairing twice keeps the first repair.
    """
    if not (note or "").strip():
        raise InvalidInput("信用修复须说明依据。", field="note")
    record = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if record.repaired_at is not None:
        return record
    _check_repair_rule(record)
    CreditRecord.objects.filter(pk=record.pk).update(
        repaired_at=timezone.now(), details=f"{record.details}\n【信用修复】{note.strip()}（{actor}）".strip())
    audit.write(AuditAction.CREDIT_REPAIR, actor=actor, obj=record, details={"note": note.strip()[:500]})
    record.refresh_from_db()
    return record


def _check_repair_rule(record: CreditRecord) -> None:
    rule = repair_rule_for(record.reason)
    name = f"信用修复规则“{rule.get_reason_display()}”"
    allowed_from = repair_allowed_from(record, rule)
    if allowed_from is None:
        raise Conflict(f"按{name}，此类诚信档案记录不予修复，仍不再适用告知承诺。依据：{rule.basis}")
    if timezone.localdate() < allowed_from:
        recorded_on = timezone.localdate(record.recorded_at)
        raise Conflict(f"按{name}，记入满{rule.after_months}个月后方可修复：本记录记入于{_day(recorded_on)}，"
                       f"{_day(allowed_from)}起方可修复。")


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
