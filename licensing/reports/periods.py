"""Quarters as the pilot counts them: Qinzhou's calendar quarters (钦政发〔2019〕20号: each department
reports its quarter by the 5th of the next quarter's first month, the lead unit by the 10th).

A quarter runs from the start of its first day, Qinzhou time, up to (not including) the start of the
next quarter's first day. A report is made only for a quarter that has ended; the portal's pilot
began in 2019, so no report is made for an earlier year.
"""
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from licensing.i18n import local_date
from portal.exceptions import InvalidInput, Problems

FIRST_YEAR = 2019  # 钦政发〔2019〕18号、20号: the reform and the pilot start in 2019
_INTEGER = re.compile(r"[0-9]{1,4}", re.ASCII)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def next_first_day(self) -> dt.date:
        """The first day of the following quarter: the quarter ends as that day begins."""
        return self.following.first_day

    @property
    def last_day(self) -> dt.date:
        return self.next_first_day - dt.timedelta(days=1)

    @property
    def following(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def months(self) -> list[dt.date]:
        """The first day of each of its three months."""
        return [dt.date(self.year, 3 * self.quarter - 2 + n, 1) for n in range(3)]

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The moment it ends (exclusive): midnight starting the next quarter, Qinzhou time."""
        return _midnight(self.next_first_day)

    @property
    def label(self) -> str:
        return gettext("%(year)s年第%(quarter)s季度") % {"year": self.year, "quarter": self.quarter}

    @property
    def span(self) -> str:
        return gettext("%(first)s至%(last)s") % {"first": local_date(self.first_day), "last": local_date(self.last_day)}

    def has_ended(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) >= self.next_first_day


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_ended(today: dt.date | None = None) -> Quarter:
    """The quarter that ended most recently (the one the beat job reports at the start of a quarter)."""
    return quarter_of(today or timezone.localdate()).previous


def ended_quarters(today: dt.date | None = None, *, count: int = 8) -> list[Quarter]:
    """The `count` quarters that ended most recently, newest first, none before FIRST_YEAR."""
    quarters, quarter = [], last_ended(today)
    while len(quarters) < count and quarter.year >= FIRST_YEAR:
        quarters.append(quarter)
        quarter = quarter.previous
    return quarters


def _number(problems, field, raw, missing, not_a_number):
    text = "" if raw is None else str(raw).strip()
    if not text:
        problems.add(field, missing)
        return None
    if not _INTEGER.fullmatch(text):
        problems.add(field, not_a_number.format(text[:20]))
        return None
    return int(text)


def parse_quarter(year, quarter, *, today: dt.date | None = None) -> Quarter:
    """The quarter named by a year and a quarter number (text from a query, or ints from a path); every
    fault at once as InvalidInput (fields "year" and "quarter"), including a quarter not yet ended."""
    today = today or timezone.localdate()
    problems = Problems()
    year = _number(problems, "year", year, gettext("缺少参数 year：请填写年度，如 2024。"),
                   gettext("年度应为四位数字，如 2024（收到“{}”）。"))
    quarter = _number(problems, "quarter", quarter, gettext("缺少参数 quarter：请填写季度，1 至 4。"),
                      gettext("季度应为 1 至 4 的整数（收到“{}”）。"))
    if year is not None and not FIRST_YEAR <= year <= today.year:
        problems.add("year", gettext("年度应在 %(first)s 年（试点开始）至 %(last)s 年之间。") % {
            "first": FIRST_YEAR, "last": today.year})
    if quarter is not None and not 1 <= quarter <= 4:
        problems.add("quarter", gettext("季度应为 1 至 4 的整数。"))
    problems.raise_if_any()
    period = Quarter(year, quarter)
    if not period.has_ended(today):
        raise InvalidInput(gettext("%(quarter)s尚未结束（至%(date)s），季度结束后才能生成报告。") % {
            "quarter": period.label, "date": local_date(period.last_day)},
                           field="quarter")
    return period
