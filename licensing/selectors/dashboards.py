"""统计看板 (issue 15): the month and the weeks at a glance, for approval officers, regulators and the admin.

Each figure is one aggregate query over the rows a page of the portal already lists for the same user, so a
dashboard and the desks count the same things; Python only lays the grouped rows out as a table:

decisions    applications decided per month over the last 12 (Qinzhou's months), by the item's reform mode,
             among those the user may see (applications_visible_to: an officer its authority's, a regulator
             those routed to it, the admin every one). A decision is the approval or refusal (decided_at);
             a filing or a cancelled item's registration is done when received (closed_at).
steps        办理时效（电子监察）: the steps with a deadline taken on time and late per month, as the efficiency
             page counts them (licensing.selectors.efficiency, scoped by the SLA page's rule: an officer its
             own organisation's steps, the admin every one; a regulator takes none of them).
inspections  the checks still open per week of their due date, eight weeks back and eight ahead: those past
             their date are overdue (supervision.queue.is_overdue_q, the desk's "已逾期"), the others due.
             A regulator counts its own queue, an officer the checks of its authority's decisions, the admin all.
deliveries   approval records per month of their event, delivered within their 3 working days or not
             (notices.selectors_outbox.on_time_share, the SLA page's rule): an officer the records of its
             decisions, a regulator those pushed to it, the admin every one.

Who may open the dashboard is who may read the quarterly reports (licensing.reports.selectors.may_read_reports):
the admin, and an approval officer or regulator of an organisation.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.constants import ReformMode
from licensing.reports.selectors import may_read_reports
from licensing.selectors.applications import applications_visible_to
from licensing.selectors.efficiency import step_efficiency, timed_steps
from notices import selectors_outbox
from portal.permissions import is_admin, is_regulator
from supervision import queue, selectors_reports
from supervision.constants import OPEN_INSPECTION

MONTHS = 12  # the months the monthly figures cover, this one included
WEEKS = 8    # the weeks the inspections cover on each side of this one (this one among the later eight)
DONE_AT_ONCE = (ReformMode.CANCEL, ReformMode.FILING)  # registered or filed on receipt: no decision step
BLUE, GREEN, RED, GREY, AMBER = "#1f5fa8", "#2e7d32", "#c62828", "#757575", "#b26a00"
MODE_COLOURS = {ReformMode.CANCEL: GREY, ReformMode.FILING: GREEN, ReformMode.COMMITMENT: RED,
                ReformMode.OPTIMISE: BLUE}
FIGURES = ("decisions", "steps", "inspections", "deliveries")


def may_see_dashboard(user) -> bool:
    return may_read_reports(user)


@dataclass(frozen=True)
class Column:
    """A column of a figure's table; one with a colour is also a series of its chart."""

    name: str
    colour: str | None = None


@dataclass(frozen=True)
class Row:
    label: str   # the row's heading in the table and the CSV (a month, a week)
    short: str   # the same under the chart's columns
    values: list


@dataclass
class Figure:
    """One chart and the table beside it, built from the same rows."""

    key: str
    title: str
    note: str
    heading: str                       # the heading of the rows' column
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    @property
    def charted(self) -> list[tuple[Column, list]]:
        """(column, its value in every row) for each column the chart draws."""
        return [(c, [row.values[n] for row in self.rows]) for n, c in enumerate(self.columns) if c.colour]

    @property
    def table(self) -> list[list]:
        """The table as the CSV export writes it: the headings, then one line per row."""
        return [[self.heading, *(c.name for c in self.columns)],
                *([row.label, *row.values] for row in self.rows)]


# --- periods -------------------------------------------------------------------------------------

def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_to(today: dt.date) -> list[dt.date]:
    """The first day of each of the last MONTHS months, the oldest first, this one last."""
    this = today.replace(day=1)
    return [_add_months(this, n) for n in range(1 - MONTHS, 1)]


def weeks_around(today: dt.date) -> list[dt.date]:
    """The Monday of each week from WEEKS weeks before this one to WEEKS - 1 after it."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday + dt.timedelta(weeks=n) for n in range(-WEEKS, WEEKS)]


def _month_of(value) -> dt.date:
    """A grouped month as the database gives it (a date, or an aware midnight) as its first day."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _day_of(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _month_row(month: dt.date, values: list) -> Row:
    return Row(f"{month:%Y-%m}", f"{month:%Y-%m}", values)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


# --- the figures -----------------------------------------------------------------------------------

def decisions_by_mode(user, today: dt.date) -> Figure:
    """Decisions per month and reform mode: one grouped query."""
    months = months_to(today)
    decided = Q(decided_at__isnull=False) | Q(item__reform_mode__in=DONE_AT_ONCE, closed_at__isnull=False)
    found = {}
    rows = (applications_visible_to(user).filter(decided).order_by()
            .annotate(moment=Coalesce("decided_at", "closed_at"))
            .filter(moment__gte=_midnight(months[0]), moment__lt=_midnight(_add_months(months[-1], 1)))
            .annotate(month=TruncMonth("moment", tzinfo=timezone.get_current_timezone()))
            .values("month", "item__reform_mode").annotate(n=Count("id")))
    for row in rows:
        found[(_month_of(row["month"]), row["item__reform_mode"])] = row["n"]
    modes = list(ReformMode)
    figure = Figure("decisions", _("按改革方式统计的每月办结件数"),
                    _("近12个月每月作出的许可决定（准予或不予），以及办结的备案和取消审批事项登记，按事项的改革方式统计。"),
                    _("月份"), [*(Column(m.label, MODE_COLOURS[m]) for m in modes), Column(_("合计"))])
    for month in months:
        counts = [found.get((month, m.value), 0) for m in modes]
        figure.rows.append(_month_row(month, [*counts, sum(counts)]))
    return figure


def steps_on_time(user, today: dt.date) -> Figure:
    """Steps with a deadline taken on time and late per month (the efficiency page's one grouped query)."""
    months = months_to(today)
    events = selectors_outbox.scoped_to_own_authority(timed_steps(), user, "organisation_id").filter(
        at__gte=_midnight(months[0]), at__lt=_midnight(_add_months(months[-1], 1)))
    found = {}
    for group in step_efficiency(events):
        on_time, late = found.get(_month_of(group["month"]), (0, 0))
        found[_month_of(group["month"])] = (on_time + group["total"].on_time, late + group["total"].late)
    figure = Figure("steps", _("按期与逾期办理的环节数"),
                    _("出具告知书和作出许可决定两个有期限的环节，近12个月每月按期和逾期办理的件数（办理时效，电子监察）。"),
                    _("月份"), [Column(_("按期"), GREEN), Column(_("逾期"), RED), Column(_("按期率"))])
    for month in months:
        on_time, late = found.get(month, (0, 0))
        figure.rows.append(_month_row(month, [on_time, late, _share(on_time, on_time + late)]))
    return figure


def inspections_by_week(user, today: dt.date) -> Figure:
    """Open checks per week of their due date, overdue and due: one grouped query."""
    weeks = weeks_around(today)
    overdue = queue.is_overdue_q(today)
    rows = (selectors_reports.inspections_in_view(user)
            .filter(status__in=OPEN_INSPECTION, due_date__gte=weeks[0], due_date__lt=weeks[-1] + dt.timedelta(weeks=1))
            .annotate(week=TruncWeek("due_date")).values("week")
            .annotate(overdue=Count("id", filter=overdue), due=Count("id", filter=~overdue)))
    found = {_day_of(row["week"]): (row["due"], row["overdue"]) for row in rows}
    figure = Figure("inspections", _("每周到期和逾期的事后核查"),
                    _("尚未办结的核查，按核查期限所在的周统计：前8周和本周起的8周。已过期限仍未办结的为逾期。"),
                    _("周（周一至周日）"), [Column(_("待核查（未到期）"), AMBER), Column(_("已逾期"), RED)])
    for monday in weeks:
        sunday = monday + dt.timedelta(days=6)
        due, late = found.get(monday, (0, 0))
        figure.rows.append(Row(f"{monday:%Y-%m-%d} – {sunday:%Y-%m-%d}", f"{monday:%m-%d}", [due, late]))
    return figure


def _deliveries_of(user):
    if is_regulator(user):
        return selectors_outbox.outbox_records_received_by(user.organisation_id)
    return selectors_outbox.outbox_records_visible_to(user)


def deliveries_on_time(user, now: dt.datetime) -> Figure:
    """Approval records per month of their event: delivered within 3 working days, late (or still owed past
    their due time), not due yet. The SLA page's grouped query (per authority and month), summed by month."""
    months = months_to(timezone.localdate(now))
    records = _deliveries_of(user).filter(event_at__gte=_midnight(months[0]),
                                          event_at__lt=_midnight(_add_months(months[-1], 1)))
    found = {}
    for row in selectors_outbox.on_time_share(records, now):
        month = _month_of(row["month"])
        on_time, late, waiting = found.get(month, (0, 0, 0))
        found[month] = (on_time + row["on_time"], late + row["settled"] - row["on_time"], waiting + row["open"])
    figure = Figure("deliveries", _("3个工作日内推送给行业主管部门的审批信息"),
                    _("近12个月每月的审批信息推送记录（按事件月份）：3个工作日内送达的、超时送达或超时仍未送达的、尚未到期的。"),
                    _("月份"), [Column(_("按时送达"), GREEN), Column(_("超时"), RED), Column(_("未到期"), GREY),
                               Column(_("按时率"))])
    for month in months:
        on_time, late, waiting = found.get(month, (0, 0, 0))
        figure.rows.append(_month_row(month, [on_time, late, waiting, _share(on_time, on_time + late)]))
    return figure


def dashboard_figures(user, now: dt.datetime | None = None, *, only: str | None = None) -> list[Figure]:
    """The dashboard's figures in the page's order (with `only`, that one alone, for its CSV)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    makers = {"decisions": lambda: decisions_by_mode(user, today), "steps": lambda: steps_on_time(user, today),
              "inspections": lambda: inspections_by_week(user, today),
              "deliveries": lambda: deliveries_on_time(user, now)}
    return [makers[key]() for key in FIGURES if only in (None, key)]


def dashboard_scope(user) -> str:
    """Whose figures the dashboard shows, for its heading."""
    if is_admin(user):
        return _("全市所有部门")
    return user.organisation.name if user.organisation_id else ""


__all__ = ["FIGURES", "MONTHS", "WEEKS", "Column", "Figure", "Row", "dashboard_figures", "dashboard_scope",
           "decisions_by_mode", "deliveries_on_time", "inspections_by_week", "may_see_dashboard", "months_to",
           "steps_on_time", "weeks_around"]
