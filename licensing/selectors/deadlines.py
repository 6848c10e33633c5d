"""Deadlines and what is overdue, for the pages, the API and the beat jobs alike.

A deadline is a date by which something must be done; it is overdue from the day after
(`is_overdue`, and `overdue_q` for querysets). Every deadline of an application as the pages
show it (`deadlines`), the authority's own clock (`application_overdue`), and the rows the beat
jobs act on (`materials_overdue`, `commitments_overdue`, `conditions_overdue`, `conditions_due_soon`)
all follow that one rule.

A deadline may not be running yet: a notice sent by post starts the applicant's 3 working days
only on the date of its delivery receipt (附件3 第三条 "收到告知书后"); until the officer enters it,
the commitment's deadline shows as not yet running (NOT_YET_RUNNING) and no job lapses it.

Working-day deadlines that reach into a year whose holidays the State Council has not published
yet are flagged (portal.calendar: such dates may move when the year is entered).
"""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _, gettext_noop, ngettext

from licensing.constants import (
    CONDITIONS_REMINDER_WORKING_DAYS, STOPPED, MaterialDue, MaterialStatus, Route, Status,
)
from licensing.i18n import zh
from licensing.models import Application, MaterialSubmission
from portal import calendar
from supervision.constants import InspectionStatus

PROVISIONAL_NOTE = gettext_noop("该期限涉及尚未公布的节假日安排，可能调整")  # shown through gettext
# 附件3 第三条: by post the applicant's 3 working days run from the 送达回证's date, entered by the officer.
NOT_YET_RUNNING = gettext_noop("尚未起算（待登记告知书送达回证）")  # shown through gettext


def is_overdue(due: dt.date | None, today: dt.date | None = None) -> bool:
    """Due on `due`, done by the end of that day: overdue from the next day on."""
    return due is not None and due < (today or timezone.localdate())


def overdue_q(field: str, today: dt.date | None = None) -> Q:
    """The queryset form of is_overdue for the date column `field`."""
    return Q(**{f"{field}__lt": today or timezone.localdate()})


def application_overdue(application, today: dt.date | None = None) -> bool:
    """The authority's own clock has run out: the notice (3 working days) or the decision is late."""
    if application.status == Status.SUBMITTED:
        return is_overdue(application.notice_due, today)
    if application.status in (Status.COMMITTED, Status.ACCEPTED):
        return is_overdue(application.decision_due, today)
    return False


def materials_due(application) -> dt.date | None:
    """The earliest date of a material still owed after the decision (附件3 第六条)."""
    dates = [s.due_date for s in application.materials.all()
             if s.status == MaterialStatus.OWED and s.due_date is not None]
    return min(dates, default=None)


def materials_overdue(today: dt.date | None = None) -> QuerySet:
    """Materials owed after a decision still in force and not in by their date (附件3 第六条).

    Read from the partial index of what is still owed (material_owed_due_idx: due_date WHERE
    status='owed'), never by a scan of every material ever handed in: `status` and the date are
    the index's own condition and key, and each row joins its application by primary key."""
    # Oldest date first, then in the order the applications were filed: a job run acts in a fixed order.
    return (MaterialSubmission.objects.filter(overdue_q("due_date", today), status=MaterialStatus.OWED,
                                              application__status=Status.APPROVED)
            .select_related("material", "application").order_by("due_date", "application_id", "material__order", "id"))


def commitments_overdue(today: dt.date | None = None) -> QuerySet:
    """Notices whose commitment did not come back within 3 working days of receipt (附件3 第三条).

    A notice sent by post whose receipt is not entered yet has no commitment_due (application_issue_notice
    leaves it empty until application_record_notice_receipt): no running deadline, never lapsed."""
    return (Application.objects.filter(overdue_q("commitment_due", today), status=Status.NOTICE_ISSUED)
            .order_by("commitment_due", "id"))


def conditions_pending_q() -> Q:
    """Licences whose holder committed to meet the conditions by a date and has not declared them met
    (钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营)."""
    return Q(status=Status.APPROVED, conditions_due__isnull=False, conditions_declared_at__isnull=True,
             conditions_met_at__isnull=True)


def conditions_overdue(today: dt.date | None = None) -> QuerySet:
    """The date committed to passed with nothing declared (handled like late materials, 附件3 第六条).
    A declaration waiting for the authority's confirmation is not the holder's delay."""
    return Application.objects.filter(conditions_pending_q(), overdue_q("conditions_due", today)).order_by(
        "conditions_due", "id")


def conditions_due_soon(today: dt.date | None = None) -> QuerySet:
    """Holders to remind: the date falls within the next few working days (CONDITIONS_REMINDER_WORKING_DAYS)
    and nobody reminded them yet."""
    today = today or timezone.localdate()
    horizon = calendar.add_working_days(today, CONDITIONS_REMINDER_WORKING_DAYS).date
    return Application.objects.filter(conditions_pending_q(), conditions_reminded_at__isnull=True,
                                      conditions_due__gte=today, conditions_due__lte=horizon)


@dataclass
class Deadline:
    label: str
    date: dt.date | None  # None: not yet running (`waiting` says why)
    done: bool = False
    stopped: bool = False
    overdue: bool = False
    provisional: bool = False
    working_days_left: int | None = None
    note: str = ""
    waiting: str = ""  # why a deadline without a date has not started (NOT_YET_RUNNING)
    material: str = ""  # the material a deadline of a material owed after the decision is for

    @property
    def label_html(self):
        """The label for a page: the material's name (as the item names it, in Chinese) marked so on an
        English page (licensing.i18n.zh)."""
        if not self.material:
            return self.label
        return mark_safe(conditional_escape(_("补交材料：%(material)s")).replace(  # nosec B308 B703: escaped
            "%(material)s", str(conditional_escape(zh(self.material)))))

    @property
    def running(self) -> bool:
        return not (self.done or self.stopped) and self.date is not None

    @property
    def state(self) -> str:
        if self.done:
            return _("已完成")
        if self.stopped:
            return _("已终止")
        if self.date is None:
            return self.waiting or _("尚未起算")
        return _("已逾期") if self.overdue else _("进行中")


def _day(moment):
    return timezone.localdate(moment) if moment else None


def _decision_label(application) -> str:
    if application.route == Route.COMMITMENT:
        return _("许可决定期限（收到承诺书当日决定）")
    return _("审批决定期限（承诺办结时限）")


def _candidates(application):
    """(label, date, start of the period or None for calendar months, done, why not yet running, material)
    for each deadline set, and for the one deadline that may wait for its start (a notice by post)."""
    a = application
    yield _("告知书送达期限"), a.notice_due, _day(a.submitted_at), a.notice_issued_at is not None, ""
    # 附件3 第三条 "收到告知书后3个工作日内": from receipt (online and at the window, the issue).
    waiting = _(NOT_YET_RUNNING) if _commitment_waiting(a) else ""
    yield (_("承诺书递交期限"), a.commitment_due, _day(a.notice_received_at or a.notice_issued_at),
           a.committed_at is not None, waiting)
    yield (_decision_label(a), a.decision_due, _day(a.accepted_at or a.committed_at), a.decided_at is not None,
           "")
    for s in a.materials.all():
        if s.material.due == MaterialDue.AFTER_DECISION and s.due_date:
            yield (_("补交材料：%(material)s") % {"material": s.material.name}, s.due_date, _day(a.decided_at),
                   s.status == MaterialStatus.SUBMITTED, "", s.material.name)
    # 钦政发〔2019〕20号: a date the holder chose, not one we counted; declaring (materials all in) is
    # its part done. The regulator's correction date below is likewise its own choice.
    yield _("承诺达到经营许可条件期限"), a.conditions_due, None, a.conditions_declared_at is not None, ""
    # 钦政发〔2019〕20号 二（四）: by when an untrue filing must be corrected.
    yield _("备案信息改正期限"), a.filing_correct_by, None, a.status != Status.FILING_CORRECTION, ""
    # 附件3 第七条: 2 calendar months, moved to the next working day when it ends on a rest day
    # (民法典 第二百零三条), so an unconfirmed year makes it provisional too.
    yield _("事后核查期限（行业主管部门核查承诺内容）"), a.inspection_due, _day(a.decided_at), _inspected(a), ""


def _commitment_waiting(application) -> bool:
    """A notice sent by post, its receipt (送达回证) not entered yet: the commitment's 3 working days
    have not started (附件3 第三条)."""
    a = application
    return (a.status == Status.NOTICE_ISSUED and a.notice_issued_at is not None and a.notice_received_at is None
            and a.commitment_due is None)


def _inspected(application) -> bool:
    inspection = getattr(application, "inspection", None) if application.inspection_due else None
    return inspection is not None and inspection.status != InspectionStatus.PENDING


def deadlines(application, *, today=None, detailed=True) -> list[Deadline]:
    """The application's deadlines in the order of the procedure; `detailed` adds the calendar look-ups."""
    today = today or timezone.localdate()
    result = []
    for label, date, start, done, waiting, *material in _candidates(application):
        if date is None:
            if waiting:
                result.append(Deadline(label, None, waiting=waiting))
            continue
        d = Deadline(label, date, done=done, stopped=not done and application.status in STOPPED,
                     material=material[0] if material else "")
        d.overdue = d.running and is_overdue(date, today)
        if application.status == Status.CORRECTION and date == application.decision_due:
            left = application.paused_working_days or 0
            d.note = ngettext("补正期间暂停计时，补正后重新计算（剩余 %(days)s 个工作日）",
                              "补正期间暂停计时，补正后重新计算（剩余 %(days)s 个工作日）", left) % {"days": left}
            d.overdue = False
        elif detailed and d.running:
            _add_calendar_facts(d, start, today)
        result.append(d)
    return result


def _add_calendar_facts(d: Deadline, start, today):
    if start is not None:
        d.provisional = calendar.is_provisional(start, d.date)
        if not d.overdue:
            d.working_days_left = calendar.working_days_between(today, d.date)


def next_deadline(application, *, today=None) -> Deadline | None:
    """The earliest deadline still running, for lists (我的办件)."""
    running = [d for d in deadlines(application, today=today, detailed=False) if d.running]
    return min(running, key=lambda d: d.date) if running else None
