"""Periods of calendar months end on a working day (民法典 第二百零三条).

"期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。" The 2-month inspection
of 附件3 第七条 ("行政许可决定作出后，行业主管部门在 2 个月内…进行检查") is such a period: when
its last day is a weekend or a statutory holiday, it ends on the first working day after it.
Working-day periods are unchanged (they always end on a working day).
"""
import datetime as dt

import pytest

from licensing.models import Application
from portal.calendar import add_calendar_months, add_working_days, calendar_months_period_end
from portal.models import CalendarYear
from supervision.models import Inspection
from tests.factories import commitment_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

D = dt.date


@pytest.mark.parametrize("start,months,expected,why", [
    (D(2024, 9, 30), 2, D(2024, 12, 2), "30 November 2024 is a Saturday"),
    (D(2024, 8, 1), 2, D(2024, 10, 8), "1 October 2024 is National Day; 1-7 October are off"),
    (D(2024, 11, 28), 2, D(2025, 2, 5), "28 January 2025 opens Spring Festival (28 January - 4 February)"),
    (D(2024, 12, 4), 2, D(2025, 2, 5), "4 February 2025 is the last day of Spring Festival"),
    (D(2025, 11, 1), 2, D(2026, 1, 4), "New Year 2026 is 1-3 January; Sunday 4 January is a make-up working day"),
    (D(2025, 11, 3), 2, D(2026, 1, 4), "Saturday 3 January 2026 is a New Year holiday"),
])
def test_a_period_ending_on_a_rest_day_ends_on_the_next_working_day(start, months, expected, why):
    """民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。"""
    assert add_calendar_months(start, months) != expected, why
    result = calendar_months_period_end(start, months)
    assert result.date == expected, why
    assert not result.provisional  # 2024-2026 are confirmed years


def test_a_period_ending_on_a_working_day_ends_that_day():
    """Only a rest day moves the last day: 11 December 2024 is a Wednesday."""
    assert calendar_months_period_end(D(2024, 10, 11), 2).date == D(2024, 12, 11)


def test_a_period_clamped_to_the_end_of_february_rolls_forward_from_there_when_it_is_a_rest_day():
    """31 December + 2 months is the last day of February (no 31 February); 28 February 2021 was a
    Sunday, so the period ends on Monday 1 March 2021 (民法典 第二百零三条)."""
    assert add_calendar_months(D(2020, 12, 31), 2) == D(2021, 2, 28)
    assert calendar_months_period_end(D(2020, 12, 31), 2).date == D(2021, 3, 1)


def test_a_period_clamped_to_a_make_up_saturday_ends_on_it():
    """28 February 2026 is a Saturday but a make-up working day (调休上班) after Spring Festival: an
    office is open, so the period ends there."""
    assert calendar_months_period_end(D(2025, 12, 31), 2).date == D(2026, 2, 28)


def test_a_period_ending_in_a_year_whose_holidays_are_not_confirmed_is_provisional():
    """In a year the State Council has not yet published (2027 here), the last day may still turn
    out a holiday: the deadline is marked provisional, as working-day deadlines are. 1 January is
    元旦 in any year (《全国年节及纪念日放假办法》), 2-3 January 2027 a weekend."""
    assert not CalendarYear.objects.filter(year=2027, confirmed=True).exists()
    result = calendar_months_period_end(D(2026, 11, 1), 2)
    assert result.date == D(2027, 1, 4) and result.provisional


def test_working_day_periods_are_unchanged():
    """Working-day periods already end on a working day: 3 working days after 30 September 2024."""
    assert add_working_days(D(2024, 9, 30), 3).date == D(2024, 10, 10)


def test_a_decision_on_30_september_2024_makes_the_inspection_due_on_monday_2_december(
        commitment_item, enterprise, clerk, officer, at):
    """附件3 第七条 (2 个月内) with 民法典 第二百零三条: the issue's own example, end to end —
    the application, its inspection row and the regulator's queue all say 2 December."""
    with at(2024, 9, 30):
        decided = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    assert decided.inspection_due == D(2024, 12, 2)
    assert Inspection.objects.get(application=decided).due_date == D(2024, 12, 2)
    assert not Application.objects.get(pk=decided.pk).deadlines_provisional


def test_an_inspection_due_in_an_unconfirmed_year_marks_the_deadlines_provisional(
        commitment_item, enterprise, clerk, officer, at):
    """A decision on 2 November 2026 whose 2 months end in 2027, a year not yet confirmed: the date
    may move when the State Council's notice is entered, and the application says so. Its other
    deadlines lie in 2026 (confirmed), so the inspection alone makes it provisional."""
    with at(2026, 11, 2):
        decided = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    assert decided.inspection_due == D(2027, 1, 4)
    assert all(s.due_date.year == 2026 for s in decided.materials.exclude(due_date=None))
    assert Application.objects.get(pk=decided.pk).deadlines_provisional
