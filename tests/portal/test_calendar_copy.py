"""Issue 13: each process keeps a copy of the stored calendar, so a deadline costs no query; every
change reaches every process, and a change rolled back reaches none."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import calendar
from portal.calendar import VERSION_KEY, add_working_days, is_provisional
from portal.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date
MONDAY = D(2024, 3, 11)  # an ordinary week: Tuesday 12 March is day 1


def test_once_read_the_calendar_costs_no_query():
    add_working_days(MONDAY, 1)
    with CaptureQueriesContext(connection) as seen:
        assert add_working_days(D(2019, 9, 30), 1).date == D(2019, 10, 8)  # National Day week, from the copy
        assert is_provisional(D(2024, 1, 1), D(2024, 12, 31)) is False
    assert [q["sql"] for q in seen.captured_queries] == []


def test_a_saved_holiday_counts_at_once_and_tells_the_other_processes_on_commit(
        django_capture_on_commit_callbacks):
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12)
    before = cache.get(VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=D(2024, 3, 12), is_working_day=False, name="测试假日")
        assert add_working_days(MONDAY, 1).date == D(2024, 3, 13)  # this process, before the commit
    assert cache.get(VERSION_KEY) != before  # every other process reloads on its next call


def test_another_process_s_change_is_read_when_its_version_arrives():
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12)
    # Another process saved a holiday and bumped the version; this process has no signal of it.
    CalendarDay.objects.bulk_create([CalendarDay(date=D(2024, 3, 12), is_working_day=False, name="别处录入")])
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12), "the copy holds until the version moves"
    cache.set(VERSION_KEY, "bumped-elsewhere")
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 13)


def test_a_change_rolled_back_is_not_kept():
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            CalendarDay.objects.create(date=D(2024, 3, 12), is_working_day=False, name="未保存")
            assert add_working_days(MONDAY, 1).date == D(2024, 3, 13)
            raise RuntimeError("the admin's save failed after the row was written")
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12)


def test_confirming_a_year_in_bulk_ends_its_provisional_deadlines(login, admin_user):
    year = CalendarYear.objects.create(year=2031, confirmed=False)
    assert add_working_days(D(2031, 9, 30), 3).provisional is True
    answer = login(admin_user).post(reverse("admin:portal_calendaryear_changelist"),
                                    {"action": "mark_confirmed", "_selected_action": [year.pk]}, follow=True)
    assert "已确认 1 个年度" in answer.content.decode()
    assert add_working_days(D(2031, 9, 30), 3).provisional is False


def test_the_copy_is_dropped_by_a_delete():
    CalendarDay.objects.create(date=D(2024, 3, 12), is_working_day=False, name="测试假日")
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 13)
    CalendarDay.objects.filter(date=D(2024, 3, 12)).delete()  # signals per row
    assert add_working_days(MONDAY, 1).date == D(2024, 3, 12)
    assert calendar._copy is None or D(2024, 3, 12) not in calendar._copy.days
