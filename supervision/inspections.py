"""The regulator's check of a commitment (附件3 第七条; 钦政发〔2019〕20号), as services (issue 10).

Within 2 months of the decision the regulator checks that the commitment was true: it assigns the
check to at least two of its law-enforcement officers, and records what they found:

  conforms  符合 — the inspection is closed;
  rectify   不符合，责令限期整改 — a 责令限期整改通知书 with a deadline in working days; after the
            deadline a re-inspection ends in conforms or fails;
  fails     still not conforming, access refused, or the commitment false — a revocation request to
            the approving authority (谁审批、谁撤销), which revokes through licensing's service; that
            revocation writes the credit record (虚假承诺) and closes the request.

Each result locks the inspection, checks its move against RESULT_MOVES, writes an InspectionResult
(the event: who, when, what was found), issues its documents (核查记录 or 复查记录, and the
整改通知书) frozen with a verification code, and an audit row naming the actor. Only the
inspection's own regulator acts on it.
"""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from licensing import selectors as licensing_selectors
from notices.constants import DocumentKind, RecordKind
from notices import publicity
from notices import selectors as notices_selectors
from notices.services import document_issue
from portal import audit, calendar
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction
from portal.uploads import check_upload, display_name, removed_on_error, store
from supervision.constants import (
    MIN_INSPECTORS, OPEN_INSPECTION, RECTIFY_DAYS_RANGE, RESULT_MOVES, FailureGround, InspectionOutcome,
    InspectionStatus, RevocationRequestStatus,
)
from supervision.i18n import listed, local_date
from supervision.models import Inspection, InspectionFile, InspectionResult, RevocationRequest
from supervision.queue import queue_organisation_id
from supervision.selectors_publicity import inspection_publicity_items

FILES_UNDER = "inspections"
MAX_FILES = 20


def _today() -> dt.date:
    return timezone.localdate()


def regulates(user, inspection) -> bool:
    """Who works an inspection: whose queue (supervision.queue) it is in, a regulator of the
    organisation it is routed to."""
    return inspection.regulator_id is not None and queue_organisation_id(user) == inspection.regulator_id


def _lock(inspection, actor) -> Inspection:
    # of=self: the regulator may be null (an outer join), and PostgreSQL locks no row on that side.
    locked = (Inspection.objects.select_for_update(of=("self",)).select_related("application", "regulator")
              .get(pk=inspection.pk))
    if not regulates(actor, locked):
        raise NotAllowed(_("只有负责该事项监管的行业主管部门监管人员才能办理此核查。"))
    return locked


# --- assigning ---------------------------------------------------------------------------------

@transaction.atomic
def inspection_assign(*, inspection, inspectors, actor) -> Inspection:
    """Assign the check to at least two inspectors of the regulator's own organisation (两名以上执法人员)."""
    locked = _lock(inspection, actor)
    if locked.status not in OPEN_INSPECTION:
        raise Conflict(_("核查当前状态为“%(status)s”，不能再指派核查人员。") % {"status": locked.get_status_display()})
    inspectors = list({user.pk: user for user in inspectors}.values())
    if len(inspectors) < MIN_INSPECTORS:
        raise InvalidInput(_("现场核查须由%(count)d名以上执法人员进行，请至少选择%(count)d名核查人员。")
                           % {"count": MIN_INSPECTORS}, field="inspectors")
    strangers = [str(user) for user in inspectors if not regulates(user, locked)]
    if strangers:
        raise InvalidInput(_("核查人员须为本部门在岗的监管人员：%(names)s不符合。") % {"names": listed(strangers)},
                           field="inspectors")
    if {u.pk for u in inspectors} == set(locked.inspectors.values_list("pk", flat=True)):
        return locked  # the same people again (a resent form): nothing changes, nothing to audit
    locked.inspectors.set(inspectors)
    locked.assigned_at = timezone.now()
    locked.save(update_fields=["assigned_at"])
    audit.write(AuditAction.INSPECTION_ASSIGN, actor=actor, obj=locked, details={
        "application": locked.application.number, "inspectors": [u.username for u in inspectors]})
    return locked


# --- recording a result ------------------------------------------------------------------------

def _rectify_days(value) -> int:
    low, high = RECTIFY_DAYS_RANGE
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("请填写整改期限（%(low)d至%(high)d个工作日）。") % {"low": low, "high": high},
                           field="rectify_within_days") from None
    if not low <= days <= high:
        raise InvalidInput(_("整改期限须在%(low)d至%(high)d个工作日之间。") % {"low": low, "high": high},
                           field="rectify_within_days")
    return days


def _check_result(outcome, note, rectify_within_days, ground, files) -> dict:
    """Every field of a result at once, before anything is written; the cleaned values."""
    problems, clean = Problems(), {"ground": ""}
    if outcome not in InspectionOutcome.values:
        problems.add("outcome", _("核查结果无效，可选：%(choices)s。") % {"choices": listed(InspectionOutcome.values)})
    if not (note or "").strip():
        problems.add("note", _("请填写核查情况。"))
    if outcome == InspectionOutcome.RECTIFY:
        problems.check("rectify_within_days", lambda: clean.update(days=_rectify_days(rectify_within_days)))
    if outcome == InspectionOutcome.FAILS:
        if (ground or FailureGround.FALSE_COMMITMENT) not in FailureGround.values:
            problems.add("ground", _("撤销理由类别无效，可选：%(choices)s。") % {"choices": listed(FailureGround.values)})
        clean["ground"] = ground or FailureGround.FALSE_COMMITMENT
    if len(files) > MAX_FILES:
        problems.add("files", _("每次最多上传%(limit)d个文件。") % {"limit": MAX_FILES})
    for upload in files[:MAX_FILES]:
        problems.check("files", lambda upload=upload: clean.setdefault("types", []).append(check_upload(upload)))
    problems.raise_if_any()
    return clean


def result_blocked(inspection, inspectors_count: int, today: dt.date) -> str:
    """Why no result may be recorded now ("" when one may): the guard the service applies and the
    page reads, so the page offers only what would be accepted."""
    if inspection.status not in OPEN_INSPECTION:
        return _("核查已办结（%(status)s），不能再记录核查结果。") % {"status": inspection.get_status_display()}
    if inspectors_count < MIN_INSPECTORS:
        return _("现场核查须由%(count)d名以上执法人员进行：请先指派核查人员，再记录核查结果。") % {"count": MIN_INSPECTORS}
    if inspection.status == InspectionStatus.RECTIFY and inspection.rectify_due and today <= inspection.rectify_due:
        return _("已责令限期整改，整改期限（%(due)s）届满后方可复查并记录复查结果。") % {
            "due": local_date(inspection.rectify_due, padded=True)}
    return ""


def _check_may_record(locked, outcome) -> bool:
    """The move is allowed from here; True when this is the re-inspection after a rectification."""
    blocked = result_blocked(locked, locked.inspectors.count(), _today())
    if blocked:
        raise Conflict(blocked)
    sources, _ = RESULT_MOVES[outcome]
    if locked.status not in sources:
        raise Conflict(_("核查当前状态为“%(status)s”，不能记录“%(outcome)s”。") % {
            "status": locked.get_status_display(), "outcome": InspectionOutcome(outcome).label})
    return locked.status == InspectionStatus.RECTIFY


def _check_drawn(locked, outcome) -> None:
    """A random draw (双随机, issue 14) checks filings and registrations too, where there is no licence to revoke."""
    if locked.pick_id and outcome == InspectionOutcome.FAILS and not licensing_selectors.revocable(locked.application):
        raise Conflict(_("%(status)s的事项没有可撤销的许可：请记录“不符合，责令限期整改”，备案信息不实的，在备案事项中责令改正。")
                       % {"status": locked.application.get_status_display()})


def _check_ground(ground, reinspection) -> None:
    if ground == FailureGround.STILL_NONCONFORMING and not reinspection:
        raise InvalidInput(_("尚未责令整改，不能以“整改期满仍不符合”提请撤销；请选择其他理由或先责令整改。"), field="ground")


@transaction.atomic
@removed_on_error()  # files stored by a result that then fails go with it
def inspection_record_result(*, inspection, actor, outcome, note, rectify_within_days=None, ground="",
                             files=()) -> InspectionResult:
    """Record what the check found; see the module docstring for what each outcome sets off."""
    files = list(files or [])
    clean = _check_result(outcome, note, rectify_within_days, ground, files)
    locked = _lock(inspection, actor)
    reinspection = _check_may_record(locked, outcome)
    _check_drawn(locked, outcome)
    _check_ground(clean["ground"], reinspection)
    now = timezone.now()
    rectify_due = calendar.add_working_days(_today(), clean["days"]).date if "days" in clean else None
    names = "、".join(str(u) for u in locked.inspectors.order_by("full_name", "username"))
    result = InspectionResult.objects.create(
        inspection=locked, outcome=outcome, ground=clean["ground"], note=note.strip(), inspector_names=names,
        rectify_due=rectify_due, is_reinspection=reinspection, recorded_by=actor, recorded_at=now)
    for upload, content_type in zip(files, clean.get("types", [])):
        InspectionFile.objects.create(result=result, file=store(upload, content_type, under=FILES_UNDER),
                                      content_type=content_type, original_name=display_name(upload.name),
                                      uploaded_at=now)
    _move(locked, outcome, rectify_due, now)
    if outcome == InspectionOutcome.FAILS:
        _request_revocation(locked, result, actor, now)
    _issue_documents(locked, result, clean.get("days"))
    _publish(locked, result)
    audit.write(AuditAction.INSPECTION_RESULT, actor=actor, obj=locked, details={
        "application": locked.application.number, "outcome": outcome, "reinspection": reinspection,
        "rectify_due": rectify_due.isoformat() if rectify_due else ""})
    return result


def _move(locked, outcome, rectify_due, now) -> None:
    _, target = RESULT_MOVES[outcome]
    locked.status = target
    if rectify_due is not None:
        locked.rectify_due = rectify_due
    if target not in OPEN_INSPECTION:
        locked.closed_at = now
    locked.save(update_fields=["status", "rectify_due", "closed_at"])


def _publish(locked, result) -> None:
    """归集 (issue 16): every result, the follow-up's and the 双随机 check's, goes to the credit publicity
    systems in the 抽查检查 items, one record per result (notices/publicity.py)."""
    publicity.publicity_record(application=locked.application, kind=RecordKind.INSPECTION_PUBLICITY,
                               source_key=f"inspection-result:{result.pk}", data=inspection_publicity_items(result),
                               event_at=result.recorded_at)


def _request_revocation(locked, result, actor, now) -> None:
    RevocationRequest.objects.create(
        inspection=locked, application=locked.application, ground=result.ground, reason=result.note,
        requested_by=actor, requested_at=now)
    audit.write(AuditAction.REVOCATION_REQUEST, actor=actor, obj=locked.application, details={
        "ground": result.ground, "reason": result.note[:500]})


def _issue_documents(locked, result, days) -> None:
    """The record of the check (or re-check), and the rectification notice; in the regulator's name.

    Those speak of the 告知承诺书 (附件3 第七条): a random check (双随机, issue 14) gets its own record instead,
    one per result (the rectification it orders is in it), numbered as the application's next version.
    Documents people sign and keep are in Chinese, whatever the language of the regulator's page."""
    with translation.override(settings.LANGUAGE_CODE):
        _issue_documents_in_chinese(locked, result, days)


def _issue_documents_in_chinese(locked, result, days) -> None:
    extra = {"issuer": locked.regulator.name, "outcome": result.outcome, "outcome_label": result.get_outcome_display(),
             "ground_label": result.get_ground_display() if result.ground else "", "note": result.note,
             "inspector_names": result.inspector_names, "rectify_due": locked.rectify_due, "rectify_days": days}
    if locked.pick_id is not None:
        extra.update(plan_number=locked.pick.plan.number, reinspection=result.is_reinspection)
        document_issue(application=locked.application, kind=DocumentKind.DRAW_CHECK_RECORD, extra=extra,
                       organisation=locked.regulator,
                       version=notices_selectors.document_next_version(locked.application,
                                                                       DocumentKind.DRAW_CHECK_RECORD))
        return
    kind = DocumentKind.REINSPECTION_RECORD if result.is_reinspection else DocumentKind.INSPECTION_RECORD
    # in the regulator's name, under its seal (谁主管、谁监管)
    document_issue(application=locked.application, kind=kind, extra=extra, organisation=locked.regulator)
    if result.outcome == InspectionOutcome.RECTIFY:
        document_issue(application=locked.application, kind=DocumentKind.RECTIFICATION, extra=extra,
                       organisation=locked.regulator)


# --- the authority's answer --------------------------------------------------------------------

def revocation_request_close(*, application, actor) -> RevocationRequest | None:
    """The approving authority revoked the decision (licensing.services.application_revoke): the open
    request, if any, is done. Inside the revocation's transaction; a second call changes nothing."""
    request = RevocationRequest.objects.filter(application=application, status=RevocationRequestStatus.OPEN).first()
    if request is None:
        return None
    RevocationRequest.objects.filter(pk=request.pk, status=RevocationRequestStatus.OPEN).update(
        status=RevocationRequestStatus.REVOKED, closed_at=timezone.now(), closed_by=actor)
    request.refresh_from_db()
    return request
