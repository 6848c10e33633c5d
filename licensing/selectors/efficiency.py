"""办理时效（电子监察）: steps taken on time and late, per authority and month (issue 11: "Late steps
are recorded, not hidden ... a per-authority efficiency view counts on-time and late steps per month").

A late step is still taken (a late notice or decision is still owed, 附件3 第三条、第五条); its event
records the deadline it answered and how many working days past it it came (ApplicationEvent.due_date,
late_working_days, written by licensing.services._core._event). These read those events only: a
step with no deadline (an item without a committed limit, a notice sent by post) is not counted.

The authority is the event's organisation (the actor's); a step taken by the applicant or by the
portal itself has none. Months are Qinzhou's (the current time zone). Who sees which events is the
SLA page's rule (notices.selectors_outbox.scoped_to_own_authority), applied by the caller.
"""
import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from licensing.constants import Action
from licensing.models import ApplicationEvent
from portal.exceptions import InvalidInput

# The authority's steps with a deadline, the deadline each answers, in the order the page shows them.
# 电子监察 watches the authorities' own clocks; the applicant's dates (a declaration of conditions, a
# filing's correction) are recorded on their events too but are not the authority's lateness.
STEP_KINDS = {
    "notice": (gettext_lazy("出具告知书"), (Action.ISSUE_NOTICE,)),  # notice_due: 附件3 第三条 "收到申请后3个工作日内"
    "decision": (gettext_lazy("作出许可决定"), (Action.DECIDE, Action.APPROVE, Action.REJECT)),  # decision_due
}
TIMED_ACTIONS = [action for _, actions in STEP_KINDS.values() for action in actions]
LATE_STEPS_LIMIT = 200  # late steps the page lists; the counts above them are always complete
NO_AUTHORITY = gettext_lazy("申请人或系统办理")
BAD_MONTH = gettext_lazy("月份应按“年-月”填写，例如2024-10。")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class StepCount:
    """One kind of step of one authority in one month."""

    kind: str
    label: str
    on_time: int
    late: int
    late_days: int

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def share(self) -> float | None:
        """The share taken on time (None when there were none)."""
        return self.on_time / self.total if self.total else None


def timed_steps() -> QuerySet:
    """Every event of a step that answered a deadline (its due date recorded)."""
    return ApplicationEvent.objects.filter(action__in=TIMED_ACTIONS, due_date__isnull=False)


def parse_month(text) -> dt.date | None:
    """?month=YYYY-MM as the first day of that month; None when empty; InvalidInput otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    found = _MONTH.fullmatch(text)
    if not found or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 2200:
        raise InvalidInput(BAD_MONTH, field="month")
    return dt.date(int(found[1]), int(found[2]), 1)


def in_month(events, month: dt.date | None) -> QuerySet:
    """The events of that local month (all of them when `month` is None)."""
    if month is None:
        return events
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    start, end = (timezone.make_aware(dt.datetime.combine(day, dt.time.min)) for day in (month, following))
    return events.filter(at__gte=start, at__lt=end)


def _kind_case(*, label=False) -> Case:
    """The step kind of an event's action (its key, or its label), computed in the database."""
    whens = [When(action__in=actions, then=Value(str(name) if label else kind))
             for kind, (name, actions) in STEP_KINDS.items()]
    return Case(*whens, default=Value(""), output_field=CharField())


def step_efficiency(events, *, month: dt.date | None = None) -> list[dict]:
    """Per month (newest first) and authority: for each kind of step, how many on time, how many
    late, and their working days late in all. One grouped query; Python only arranges its rows."""
    late = Q(late_working_days__isnull=False)
    rows = (in_month(events, month).order_by()
            .annotate(month=TruncMonth("at", tzinfo=timezone.get_current_timezone()), kind=_kind_case())
            .values("month", "organisation_id", "organisation__name", "kind")
            .annotate(on_time=Count("id", filter=~late), late=Count("id", filter=late),
                      late_days=Coalesce(Sum("late_working_days"), 0))
            .order_by("-month", "organisation__name", "organisation_id"))
    return _arranged(rows)


def _arranged(rows) -> list[dict]:
    """The grouped rows as one entry per month and authority, its kinds in STEP_KINDS' order."""
    groups = {}
    for row in rows:
        key = (row["month"], row["organisation_id"])
        group = groups.setdefault(key, {"month": row["month"], "authority_id": row["organisation_id"],
                                        "authority": row["organisation__name"] or str(NO_AUTHORITY), "found": {}})
        group["found"][row["kind"]] = row
    return [_group(group) for group in groups.values()]


def _group(group) -> dict:
    found = group.pop("found")
    steps = [StepCount(kind, str(label), found[kind]["on_time"], found[kind]["late"], found[kind]["late_days"])
             for kind, (label, _) in STEP_KINDS.items() if kind in found]
    total = StepCount("all", gettext("合计"), sum(s.on_time for s in steps), sum(s.late for s in steps),
                      sum(s.late_days for s in steps))
    return {**group, "steps": steps, "total": total}


def late_steps(events, *, month: dt.date | None = None, limit: int = LATE_STEPS_LIMIT) -> QuerySet:
    """The late steps, newest first, at most `limit`, each with `step` (its kind's label)."""
    return (in_month(events, month).filter(late_working_days__isnull=False)
            .select_related("application__item", "organisation", "actor")
            .annotate(step=_kind_case(label=True)).order_by("-at", "-id")[:limit])
