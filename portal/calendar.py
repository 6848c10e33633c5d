"""Working days: the one calendar every deadline in the portal counts with.

A working day is a day of mainland China's official calendar on which government offices
work: Monday to Friday, except public holidays, plus the weekend make-up days (调休上班)
that the State Council's yearly notice (国务院办公厅关于某年部分节假日安排的通知) sets.

Where the answer comes from, for one day:

1. A ``CalendarDay`` row for that date always wins (``is_working_day`` says it). The rows
   are seeded from the chinese-calendar package (migration 0002) and edited by admins, so a
   new notice takes effect without a deploy.
2. Otherwise Monday to Friday are working days and Saturday and Sunday are not.
3. In a year that is *not confirmed* (no ``CalendarYear`` row with ``confirmed=True``: a year
   the State Council has not published yet, or one nobody has entered), the fixed-date
   statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) are also off, unless a
   row says otherwise: 1 January, 1-2 May and 1-3 October. Holidays that move with the lunar
   calendar or the solar terms (春节, 清明, 端午, 中秋) and make-up days cannot be guessed, so
   a provisional deadline may fall a few working days earlier than the final one.

Any result that counted or skipped a day in an unconfirmed year is marked
``provisional=True``; it never raises because a year is missing. When an admin has entered a
new year's notice they tick 已确认 on its ``CalendarYear`` and results stop being provisional.

Counting (期限开始之日不计算在内, the day a period starts is not counted): day 1 is the
first working day *after* ``start``. ``add_working_days(start, 0)`` is ``start`` itself when
it is a working day, otherwise the next working day (a period ending on a holiday ends on the
first working day after it). A period of calendar months (the 2-month inspection) ends the
same way, on the next working day when its last day is a rest day (民法典 第二百零三条;
``calendar_months_period_end``). Dates must lie in 1900-01-01..2200-12-31 and ``n`` in 0..3660;
anything else is a ``ValueError`` with a Chinese message that can be shown to users.

The stored calendar (a few hundred rows: holidays, make-up days, confirmed years) is read once per
process and kept, tagged with a version in the shared cache, so that a deadline costs no query
(issue 13: every transition computed several, two queries each). Saving or deleting a CalendarDay or
CalendarYear, and the admin's bulk actions (``calendar_changed``), drop this process's copy at once
and bump the version when the transaction commits, so every other process reloads on its next call.
A transaction that has changed the calendar reads the database itself until it ends, and keeps
nothing it read, so a rolled-back edit never lingers in a copy.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import CalendarDay, CalendarYear

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
MAX_WORKING_DAYS = 3660  # about fifteen years; no deadline in the portal is longer

# Fixed-date statutory holidays, used only in unconfirmed years (see the module docstring).
FALLBACK_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

DATE_RANGE_MESSAGE = gettext_lazy("日期须在 1900-01-01 至 2200-12-31 之间")
NEGATIVE_DAYS_MESSAGE = gettext_lazy("工作日天数不能为负数")
TOO_MANY_DAYS_MESSAGE = format_lazy(gettext_lazy("工作日天数不能超过 {limit} 天"), limit=MAX_WORKING_DAYS)

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingDayResult:
    """A computed date, and whether it rests on a year whose holidays are not confirmed."""

    date: dt.date
    provisional: bool


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (rules in the module docstring)."""
    _check_date(day)
    return _stored().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> WorkingDayResult:
    """The day on which ``n`` working days after ``start`` have passed.

    ``start`` itself is not counted; ``n=0`` gives ``start`` if it is a working day, else the
    next working day. Raises ValueError (Chinese message) for n outside 0..3660 or dates
    outside 1900..2200.
    """
    _check_date(start)
    _check_count(n)
    if n == 0:
        return _nth_working_day(start, 1)
    if start == MAX_DATE:
        raise ValueError(_out_of_range())
    return _nth_working_day(start + _ONE_DAY, n)


def next_working_day(day: dt.date) -> WorkingDayResult:
    """The first working day after ``day`` (``day`` itself never counts)."""
    return add_working_days(day, 1)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """How many working days lie after ``a`` up to and including ``b``.

    The inverse of add_working_days: ``working_days_between(s, add_working_days(s, n).date)``
    is ``n`` for every n >= 1. Negative when ``b`` is before ``a``; 0 when they are equal.
    """
    _check_date(a)
    _check_date(b)
    if b < a:
        return -working_days_between(b, a)
    if a == b:
        return 0
    stored = _stored()
    return sum(1 for day in _days(a + _ONE_DAY, b) if stored.is_working_day(day))


def is_provisional(first: dt.date, last: dt.date) -> bool:
    """Whether any day from ``first`` to ``last`` falls in a year that is not confirmed."""
    _check_date(first)
    _check_date(last)
    first, last = min(first, last), max(first, last)
    confirmed = _stored().confirmed_years
    return any(year not in confirmed for year in range(first.year, last.year + 1))


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month.

    31 December + 2 months is the last day of February; 31 March + 1 month is 30 April
    (民法典 第二百零二条: 到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日).
    A plain date, which may be a rest day: a period's deadline is ``calendar_months_period_end``.
    """
    _check_date(day)
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError("月数必须是整数")
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise ValueError(_out_of_range())
    last_day = _stdlib_calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last_day))


def calendar_months_period_end(day: dt.date, months: int) -> WorkingDayResult:
    """The last day of a period of ``months`` calendar months that starts on ``day``.

    民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日.
    So the period ends on ``add_calendar_months(day, months)`` when that is a working day, and
    otherwise on the first working day after it: a decision on 30 September 2024 makes a 2-month
    inspection due on Monday 2 December 2024, not on Saturday 30 November. A weekend make-up
    working day (调休上班) is a working day, so a period may end on it. Working-day periods
    (``add_working_days``) already end on a working day and are not affected.

    ``provisional`` as everywhere here: the last day lies in a year whose holidays are not
    confirmed, so it may still move.
    """
    return add_working_days(add_calendar_months(day, months), 0)


# --- internals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    """Every CalendarDay (date -> is_working_day) and the confirmed years, as one version of them."""

    version: str
    days: dict
    confirmed_years: frozenset

    def is_confirmed(self, day: dt.date) -> bool:
        return day.year in self.confirmed_years

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.days:
            return self.days[day]
        if day.weekday() >= 5:
            return False
        return self.is_confirmed(day) or (day.month, day.day) not in FALLBACK_HOLIDAYS


VERSION_KEY = "portal.calendar.version"
_copy: _Stored | None = None  # this process's, while VERSION_KEY says it is current
_CHANGED = "_portal_calendar_changed_in"  # on the connection: the outermost atomic block of a change


def _changing() -> bool:
    """Whether the current transaction has changed the stored calendar (then nothing is kept): the
    outermost atomic block that was open at the change is still open."""
    changed_in = getattr(connection, _CHANGED, None)
    return (changed_in is not None and connection.in_atomic_block
            and bool(connection.atomic_blocks) and connection.atomic_blocks[0] is changed_in)


def _stored() -> _Stored:
    global _copy
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)  # until a change (or a cleared cache)
        version = cache.get(VERSION_KEY)
    changing = _changing()
    if _copy is not None and _copy.version == version and not changing:
        return _copy
    stored = _Stored(version, dict(CalendarDay.objects.values_list("date", "is_working_day")),
                     frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)))
    if not changing:
        _copy = stored
    return stored


def calendar_changed() -> None:
    """The stored calendar has changed (or is about to, in this transaction): drop this process's
    copy, and make every process reload once the change is committed. Saves and deletes call it
    through their signals; a bulk update or delete must call it itself."""
    global _copy
    _copy = None
    if connection.in_atomic_block and connection.atomic_blocks:
        setattr(connection, _CHANGED, connection.atomic_blocks[0])
    transaction.on_commit(lambda: cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None))


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="calendar_day_changed")
@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="calendar_year_changed")
def _on_calendar_row(sender, **kwargs):
    calendar_changed()


def _nth_working_day(first: dt.date, n: int) -> WorkingDayResult:
    """The n-th working day counting ``first`` itself as a candidate (n >= 1)."""
    stored = _stored()
    day, counted, provisional = first, 0, False
    while True:
        provisional = provisional or not stored.is_confirmed(day)
        if stored.is_working_day(day):
            counted += 1
            if counted == n:
                return WorkingDayResult(day, provisional)
        if day == MAX_DATE:
            raise ValueError(_out_of_range())
        day += _ONE_DAY


def _out_of_range() -> str:
    return _("计算结果超出可计算范围：%(range)s") % {"range": DATE_RANGE_MESSAGE}


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _check_date(day) -> None:
    # A datetime is refused rather than truncated: its UTC date may be another local day.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"需要 datetime.date 类型的日期，收到 {type(day).__name__}")
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(_("%(range)s（收到 %(day)s）") % {"range": DATE_RANGE_MESSAGE, "day": day.isoformat()})


def _check_count(n) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"工作日天数必须是整数，收到 {type(n).__name__}")
    if n < 0:
        raise ValueError(NEGATIVE_DAYS_MESSAGE)
    if n > MAX_WORKING_DAYS:
        raise ValueError(TOO_MANY_DAYS_MESSAGE)
