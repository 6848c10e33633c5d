"""The 诚信档案 (附件3 第九条): records that bar notify-and-commit while unrepaired, and their repair."""
import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from licensing import selectors as licensing_selectors
from portal import audit, calendar
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction
from portal.permissions import is_officer
from portal.uploads import check_upload, display_name, removed_on_error, store
from supervision.constants import RepairStatus
from supervision.i18n import local_date
from supervision.models import CreditRecord, CreditRepairEvidence, CreditRepairRequest
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
        raise InvalidInput(_("信用修复须说明依据。"), field="note")
    record = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if record.repaired_at is not None:
        return record
    _check_repair_rule(record)
    CreditRecord.objects.filter(pk=record.pk).update(
        repaired_at=timezone.now(), details=f"{record.details}\n【信用修复】{note.strip()}（{actor}）".strip())
    audit.write(AuditAction.CREDIT_REPAIR, actor=actor, obj=record, details={"note": note.strip()[:500]})
    record.refresh_from_db()
    return record


def _check_repair_rule(record: CreditRecord, rule=None) -> None:
    rule = rule or repair_rule_for(record.reason)
    allowed_from = repair_allowed_from(record, rule)
    if allowed_from is None:
        # The basis is the rule's own text (a document's words, in Chinese): an English message leaves it to
        # the rule, which the pages and the API show beside the refusal (so msgfmt may not ask for it).
        # xgettext:no-python-format
        raise Conflict(_("按信用修复规则“%(rule)s”，此类诚信档案记录不予修复，仍不再适用告知承诺。依据：%(basis)s")
                       % {"rule": rule.get_reason_display(), "basis": rule.basis})
    if timezone.localdate() < allowed_from:
        recorded_on = timezone.localdate(record.recorded_at)
        raise Conflict(ngettext(
            "按信用修复规则“%(rule)s”，记入满%(months)d个月后方可修复：本记录记入于%(recorded)s，%(allowed)s起方可修复。",
            "按信用修复规则“%(rule)s”，记入满%(months)d个月后方可修复：本记录记入于%(recorded)s，%(allowed)s起方可修复。",
            rule.after_months) % {"rule": rule.get_reason_display(), "months": rule.after_months,
                                  "recorded": local_date(recorded_on), "allowed": local_date(allowed_from)})


# --- 信用修复 applied for online (issue 14) -----------------------------------------------------------
# The enterprise (an account with a verified claim to the record's applicant) asks with its reasons and
# evidence; the authority that made the record (认定机关, CreditRecord.organisation) decides within
# settings.CREDIT_REPAIR_DECISION_WORKING_DAYS working days. A grant repairs the record under its kind's
# CreditRepairRule (credit_record_repair re-checks it); a refusal keeps the bar. Either way the record and
# every request stay (the history). Late is recorded, not refused (DOMAIN.md): a late decision is still made.
EVIDENCE_UNDER = "credit-repairs"
MAX_EVIDENCE_FILES = 10
REASONS_LENGTH = 4000
NOTE_LENGTH = 2000
APPLICANT_ONLY = gettext_lazy("只有已核验的该申请人的办理账号才能申请信用修复。")
DECIDER_ONLY = gettext_lazy("只有作出该诚信档案记录的认定机关的审批人员才能决定信用修复申请。")


def repair_refusal(record: CreditRecord, rule=None) -> str:
    """Why no repair may be applied for now ("" when it may): the guard the service applies and the
    pages and the API read, so a form is offered only where it would be accepted. A list passes its
    kinds' `rule` and prefetches the record's repair_requests, so that a row costs no query."""
    if record.repaired_at is not None:
        return _("该记录已于%(day)s信用修复，不再限制告知承诺，无需申请。") % {"day": local_date(record.repaired_at)}
    pending = _pending_request(record)
    if pending is not None:
        return _("该记录已有一份信用修复申请（%(submitted)s提交）待认定机关决定，决定期限%(due)s；决定后方可再次申请。") % {
            "submitted": local_date(pending.submitted_at), "due": local_date(pending.due_date)}
    try:
        _check_repair_rule(record, rule)
    except Conflict as refused:
        return refused.message
    return ""


def _pending_request(record: CreditRecord) -> CreditRepairRequest | None:
    prefetched = getattr(record, "_prefetched_objects_cache", {}).get("repair_requests")
    if prefetched is not None:
        return next((r for r in prefetched if r.status == RepairStatus.PENDING), None)
    return CreditRepairRequest.objects.filter(record=record, status=RepairStatus.PENDING).first()


def _check_request(reasons, files) -> list:
    """Every field at once, before anything is written; the content types of the files."""
    problems, types = Problems(), []
    text = (reasons or "").strip()
    if not text:
        problems.add("reasons", _("请填写申请理由：已纠正失信行为、履行相关义务的情况。"))
    elif len(text) > REASONS_LENGTH:
        problems.add("reasons", _("申请理由最多%(limit)d个字。") % {"limit": REASONS_LENGTH})
    if len(files) > MAX_EVIDENCE_FILES:
        problems.add("files", _("证明材料每次最多上传%(limit)d个文件。") % {"limit": MAX_EVIDENCE_FILES})
    for upload in files[:MAX_EVIDENCE_FILES]:
        problems.check("files", lambda upload=upload: types.append(check_upload(upload)))
    problems.raise_if_any()
    return types


@transaction.atomic
@removed_on_error()  # evidence stored by a request that then fails goes with it
def credit_repair_request_submit(*, record, actor, reasons, files=()) -> CreditRepairRequest:
    """信用修复申请: the applicant's side asks the authority that made the record to repair it."""
    files = list(files or [])
    if not licensing_selectors.is_verified_for(actor, record.applicant):
        raise NotAllowed(APPLICANT_ONLY)
    types = _check_request(reasons, files)
    # The record's row is the lock: two requests sent at once queue here, and the second finds the first.
    record = CreditRecord.objects.select_for_update().get(pk=record.pk)
    refusal = repair_refusal(record)
    if refusal:
        raise Conflict(refusal)
    now = timezone.now()
    due = calendar.add_working_days(timezone.localdate(now), settings.CREDIT_REPAIR_DECISION_WORKING_DAYS).date
    try:
        with transaction.atomic():
            request = CreditRepairRequest.objects.create(record=record, reasons=reasons.strip(), submitted_by=actor,
                                                         submitted_at=now, due_date=due)
    except IntegrityError:  # uniq_pending_repair_request: another request got in first
        raise Conflict(_("该记录已有一份信用修复申请待认定机关决定。")) from None
    for upload, content_type in zip(files, types):
        CreditRepairEvidence.objects.create(request=request, file=store(upload, content_type, under=EVIDENCE_UNDER),
                                            content_type=content_type, original_name=display_name(upload.name),
                                            uploaded_at=now)
    audit.write(AuditAction.CREDIT_REPAIR_REQUEST, actor=actor, obj=request, details={
        "step": "request", "record": record.pk, "due_date": due.isoformat(), "files": len(files)})
    return request


def late_working_days(due: dt.date, day: dt.date) -> int | None:
    """Working days past `due` of a decision made on `day` (None: in time); the rule licensing's events
    keep (licensing.services._core.late_working_days), which supervision may not import."""
    if day <= due:
        return None
    return max(calendar.working_days_between(due, day), 1)  # past the date even if only rest days followed


def decides(user, record) -> bool:
    """Who decides a repair: an active approval officer of the authority that made the record."""
    return bool(is_officer.test(user) and record.organisation_id and user.organisation_id == record.organisation_id)


@transaction.atomic
def credit_repair_request_decide(*, request, actor, grant: bool, note) -> CreditRepairRequest:
    """The authority's decision: grant (the record is repaired, the bar lifted) or refuse with reasons."""
    text = (note or "").strip()
    if not text:
        raise InvalidInput(_("请填写决定理由。"), field="note")
    if len(text) > NOTE_LENGTH:
        raise InvalidInput(_("决定理由最多%(limit)d个字。") % {"limit": NOTE_LENGTH}, field="note")
    locked = (CreditRepairRequest.objects.select_for_update(of=("self",)).select_related("record")
              .get(pk=request.pk))
    if not decides(actor, locked.record):
        raise NotAllowed(DECIDER_ONLY)
    if locked.status != RepairStatus.PENDING:
        raise Conflict(_("该信用修复申请已于%(day)s作出决定（%(status)s），不能再次决定。") % {
            "day": local_date(locked.decided_at), "status": locked.get_status_display()})
    if not grant and locked.record.repaired_at is not None:
        raise Conflict(_("该记录已经信用修复，不再限制告知承诺：请作出准予修复的决定以办结本申请。"))
    if grant:
        credit_record_repair(record=locked.record, actor=actor, note=f"准予信用修复申请：{text}")
    now = timezone.now()
    locked.status = RepairStatus.GRANTED if grant else RepairStatus.REFUSED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, text
    locked.late_working_days = late_working_days(locked.due_date, timezone.localdate(now))
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "late_working_days"])
    audit.write(AuditAction.CREDIT_REPAIR_DECIDE, actor=actor, obj=locked, details={
        "step": "grant" if grant else "refuse", "record": locked.record_id, "note": text[:500],
        "late_working_days": locked.late_working_days})
    return locked
