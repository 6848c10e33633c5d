"""Shared by the transitions: today, working-day deadlines, numbers, locking, events."""
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.constants import TRANSITIONS, Action, Channel, Route, Side
from licensing.i18n import in_source_language
from licensing.selectors.authorities import acting_organisation_id
from portal.exceptions import Conflict, NotAllowed
from licensing.models import Application, ApplicationEvent, NumberCounter
from portal import audit, calendar
from portal.counters import next_number
from portal.models import AuditAction, Organisation
from portal.permissions import is_clerk, is_officer


def _today() -> dt.date:
    return timezone.localdate()


def _working_days_after(start: dt.date, n: int, application: Application) -> dt.date:
    result = calendar.add_working_days(start, n)
    if result.provisional:
        application.deadlines_provisional = True
    return result.date


def _allocate_number(now) -> str:
    """QZ2026-000123: the year's counter is bumped under its row lock (portal.counters), so numbers never
    repeat and a rolled-back submission leaves no gap."""
    year = timezone.localtime(now).year
    return f"QZ{year}-{next_number(NumberCounter, year=year):06d}"


# Material hand-ins are events of the application (its timeline shows them) but not state changes.
_AUDIT_ACTION = {Action.SUBMIT_MATERIAL: AuditAction.MATERIAL_SUBMIT, Action.REPLACE_MATERIAL: AuditAction.MATERIAL_SUBMIT}


# What the applicant hands over for each applicant-side step, as the event names it when a window
# clerk records it on an application filed online (_on_behalf).
_HANDED_OVER = {
    Action.COMMIT: "签署的告知承诺书",
    Action.CHOOSE_ORDINARY: "不作承诺、转一般程序办理的意见",
    Action.RESUBMIT: "补正材料",
    Action.WITHDRAW: "撤回申请的意见",
    Action.SUBMIT_MATERIAL: "材料",
    Action.REPLACE_MATERIAL: "更换的材料",
}
# Events are records: their reasons are written in the portal's own language (Chinese), whatever the
# language of the page that took the step; a page shows a fixed sentence of the portal's in the reader's
# language (gettext_noop marks them for the catalogue; licensing.i18n.recorded looks them up).


def _applicant_side(action) -> bool:
    transition = TRANSITIONS.get(action)
    return action in _HANDED_OVER or (transition is not None and transition.side == Side.APPLICANT)


def _on_behalf(application, action, actor, reason: str) -> str:
    """An application filed online is the applicant's own: a window clerk takes one of its steps
    only to record what the applicant hands over in person (一窗受理), and the event says so."""
    if actor is None or not _applicant_side(action) or application.channel != Channel.ONLINE:
        return reason
    if not is_clerk.test(actor):
        return reason
    with in_source_language():
        what = _HANDED_OVER.get(action) or f"“{Action(action).label}”"
    if action in (Action.SUBMIT_MATERIAL, Action.REPLACE_MATERIAL):  # the reason is the material's name
        return f"窗口工作人员代为录入申请人当面递交的{what}“{reason}”。"
    return f"窗口工作人员代为录入申请人当面递交的{what}。{reason}"


def late_working_days(due: dt.date | None, day: dt.date) -> int | None:
    """How many working days past `due` a step taken on `day` is (None: no deadline, or in time).

    Late is recorded, not refused (issue 11): a late notice or decision is still owed and made."""
    if due is None or day <= due:
        return None
    return max(calendar.working_days_between(due, day), 1)  # past the date even if only rest days followed


def _event(application, action, from_status, actor, reason="", due=None):
    """The event row, and its audit row in the same transaction: who moved what, from where, why;
    for a step with a deadline, the deadline and how many working days late it came."""
    reason = _on_behalf(application, action, actor, reason)
    late = late_working_days(due, _today())
    ApplicationEvent.objects.create(application=application, action=action, from_status=from_status,
                                    to_status=application.status, actor=actor, at=timezone.now(), reason=reason,
                                    due_date=due, late_working_days=late,
                                    organisation_id=getattr(actor, "organisation_id", None))
    audit.write(_AUDIT_ACTION.get(action, AuditAction.STATE_CHANGE), actor=actor, obj=application, details={
        "event": str(action), "from": from_status, "to": application.status, "reason": (reason or "")[:500]})


def _lock_in_state(application: Application, action: str) -> Application:
    """Lock the row and check that `action` may start from its current route and state (TRANSITIONS)."""
    locked = (Application.objects.select_for_update(of=("self",))
              .select_related("item", "applicant", "reviewing").get(pk=application.pk))
    transition = TRANSITIONS[action]
    if transition.route is not None and locked.route != transition.route:
        raise Conflict(_("该办件不按告知承诺办理，不能进行此操作。") if transition.route == Route.COMMITMENT
                       else _("该办件不按一般程序办理，不能进行此操作。"))
    if locked.status not in transition.sources:
        raise Conflict(_("办件当前状态为“%(status)s”，不能进行此操作。") % {"status": locked.get_status_display()})
    if transition.when is not None and not transition.when(locked):
        raise Conflict(_not_now(locked, action))
    return locked


def _not_now(application, action) -> str:
    """Why a move its state allows cannot be taken now (the transition's further condition)."""
    if application.reviewing_id is not None and action != Action.FORWARD:
        return _("办件正由%(organisation)s初审，初审意见报送审批机关后方可作出决定。") % {
            "organisation": application.reviewing.name}
    return {
        Action.FORWARD: _("办件已在审批机关办理，没有待报送的初审。"),
        Action.RECORD_NOTICE_RECEIPT: _("该告知书的送达已登记（网上申请出具即送达，窗口当场送达）。"),
        Action.DECLARE_CONDITIONS: _("该许可没有待申报的经营许可条件，或已申报。"),
        Action.CONFIRM_CONDITIONS: _("申请人尚未申报已具备经营许可条件，或已确认。"),
    }.get(action, _("办件当前不能进行此操作。"))


def _check_acting(application, action, actor):
    """谁审批、谁负责, in the service too (not only in the pages' and the API's permission): an officer
    takes the authority's step only for the organisation holding the application now (the first-review
    authority, then the decider or the authority it entrusted), and a regulator's step is only the
    regulator's the records go to. Beat jobs (no actor), clerks and admins are not officers here."""
    side = TRANSITIONS[action].side
    if actor is None or side not in (Side.OFFICER, Side.REGULATOR):
        return
    if side == Side.OFFICER and is_officer.test(actor):
        acting = acting_organisation_id(application)
        if acting is not None and acting != actor.organisation_id:
            raise NotAllowed(_("此步骤应由%(organisation)s办理（谁审批、谁负责）。") % {
                "organisation": Organisation.objects.get(pk=acting).name})
    if side == Side.REGULATOR and application.regulator_id != getattr(actor, "organisation_id", None):
        raise NotAllowed(_("只有接收该办件审批信息的行业主管部门可以进行此操作（谁主管、谁监管）。"))


def _move(application: Application, action: str, actor, *, reason: str = "", due=None, due_field=None,
          **changes) -> Application:
    """Lock, check the move, apply `changes`, record the event (with `due`, the deadline the step
    answers, or the locked row's `due_field` before the changes). Returns the fresh application. A
    move without a target keeps the state."""
    locked = _lock_in_state(application, action)
    _check_acting(locked, action, actor)
    if due_field is not None:  # the caller's copy may be older than the deadline: a late step would pass as in time
        due = getattr(locked, due_field)
    from_status = locked.status
    locked.status = TRANSITIONS[action].target or from_status
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    _event(locked, action, from_status, actor, reason, due=due)
    return locked


def notice_missing_content(item) -> list[str]:
    """What an admin must fill in before the item can issue a 告知书 (附件3 第二条（一）)."""
    missing = []
    if not item.legal_basis.strip():
        missing.append(_("法律依据（法律、法规、规章名称及具体条款）"))
    if not item.conditions.strip():
        missing.append(_("许可条件（条件、标准和技术要求）"))
    if not item.materials.exists():
        missing.append(_("申请材料（名称、提交方式和期限）"))
    return missing


def _check_notice_content(item):
    missing = notice_missing_content(item)
    if missing:
        raise Conflict(_("事项“%(item)s”的告知内容不完整，请管理员先在事项目录中补充：%(missing)s。") % {
            "item": item.name, "missing": _("；").join(missing)})
