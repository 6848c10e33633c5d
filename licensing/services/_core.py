"""Shared by the transitions: today, working-day deadlines, numbers, locking, events."""
import datetime as dt

from django.db.models import F
from django.utils import timezone

from licensing.constants import TRANSITIONS, Action, Channel, Route, Side
from portal.exceptions import Conflict
from licensing.models import Application, ApplicationEvent, NumberCounter
from portal import audit, calendar
from portal.models import AuditAction
from portal.permissions import is_clerk


def _today() -> dt.date:
    return timezone.localdate()


def _working_days_after(start: dt.date, n: int, application: Application) -> dt.date:
    result = calendar.add_working_days(start, n)
    if result.provisional:
        application.deadlines_provisional = True
    return result.date


def _allocate_number(now) -> str:
    """QZ2026-000123: the year's counter is bumped under its row lock, so numbers never repeat."""
    year = timezone.localtime(now).year
    NumberCounter.objects.get_or_create(year=year)
    NumberCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = NumberCounter.objects.select_for_update().get(year=year).last
    return f"QZ{year}-{last:06d}"


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
    what = _HANDED_OVER.get(action) or f"“{Action(action).label}”"
    if action in (Action.SUBMIT_MATERIAL, Action.REPLACE_MATERIAL):  # the reason is the material's name
        return f"窗口工作人员代为录入申请人当面递交的{what}“{reason}”。"
    return f"窗口工作人员代为录入申请人当面递交的{what}。{reason}"


def _event(application, action, from_status, actor, reason=""):
    """The event row, and its audit row in the same transaction: who moved what, from where, why."""
    reason = _on_behalf(application, action, actor, reason)
    ApplicationEvent.objects.create(application=application, action=action, from_status=from_status,
                                    to_status=application.status, actor=actor, at=timezone.now(), reason=reason)
    audit.write(_AUDIT_ACTION.get(action, AuditAction.STATE_CHANGE), actor=actor, obj=application, details={
        "event": str(action), "from": from_status, "to": application.status, "reason": (reason or "")[:500]})


def _lock_in_state(application: Application, action: str) -> Application:
    """Lock the row and check that `action` may start from its current route and state (TRANSITIONS)."""
    locked = Application.objects.select_for_update().select_related("item", "applicant").get(pk=application.pk)
    transition = TRANSITIONS[action]
    if transition.route is not None and locked.route != transition.route:
        label = "告知承诺" if transition.route == Route.COMMITMENT else "一般程序"
        raise Conflict(f"该办件不按{label}办理，不能进行此操作。")
    if locked.status not in transition.sources:
        raise Conflict(f"办件当前状态为“{locked.get_status_display()}”，不能进行此操作。")
    return locked


def _move(application: Application, action: str, actor, *, reason: str = "", **changes) -> Application:
    """Lock, check the move, apply `changes`, record the event. Returns the fresh application."""
    to_status = TRANSITIONS[action].target
    locked = _lock_in_state(application, action)
    from_status = locked.status
    locked.status = to_status
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    _event(locked, action, from_status, actor, reason)
    return locked


def notice_missing_content(item) -> list[str]:
    """What an admin must fill in before the item can issue a 告知书 (附件3 第二条（一）)."""
    missing = []
    if not item.legal_basis.strip():
        missing.append("法律依据（法律、法规、规章名称及具体条款）")
    if not item.conditions.strip():
        missing.append("许可条件（条件、标准和技术要求）")
    if not item.materials.exists():
        missing.append("申请材料（名称、提交方式和期限）")
    return missing


def _check_notice_content(item):
    missing = notice_missing_content(item)
    if missing:
        raise Conflict(f"事项“{item.name}”的告知内容不完整，请管理员先在事项目录中补充：{'；'.join(missing)}。")
