"""Working days: what every deadline in the portal counts with (portal/calendar.py)."""
import datetime as dt
import importlib

import chinese_calendar
import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from portal.calendar import (
    add_calendar_months,
    add_working_days,
    calendar_changed,
    is_provisional,
    is_working_day,
    next_working_day,
    working_days_between,
)
from portal.models import CalendarDay, CalendarYear, User

seed_migration = importlib.import_module("portal.migrations.0002_seed_calendar")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

D = dt.date


def holiday(day, name="临时休假"):
    return CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": False, "name": name})


# --- confirmed years: the State Council's notices -----------------------------------------


def test_three_working_days_after_national_day_eve_skip_the_golden_week():
    assert add_working_days(D(2019, 9, 30), 3).date == D(2019, 10, 10)


def test_the_start_day_is_not_counted():
    assert add_working_days(D(2024, 3, 11), 1).date == D(2024, 3, 12)


def test_spring_festival_2024():
    assert is_working_day(D(2024, 2, 4))  # a make-up Sunday
    assert is_working_day(D(2024, 2, 18))  # another
    assert not any(is_working_day(D(2024, 2, day)) for day in range(10, 18))
    assert add_working_days(D(2024, 2, 9), 1).date == D(2024, 2, 18)


def test_make_up_saturday_counts():
    assert add_working_days(D(2019, 10, 11), 1).date == D(2019, 10, 12)


def test_make_up_sunday_before_a_holiday_counts():
    assert add_working_days(D(2019, 9, 27), 1).date == D(2019, 9, 29)


def test_an_ordinary_weekend_is_skipped():
    assert not is_working_day(D(2024, 3, 9))
    assert add_working_days(D(2024, 3, 8), 1).date == D(2024, 3, 11)


def test_zero_days_from_a_working_day_is_that_day():
    assert add_working_days(D(2024, 3, 8), 0).date == D(2024, 3, 8)


def test_zero_days_from_a_holiday_is_the_first_working_day_after_it():
    assert add_working_days(D(2019, 10, 1), 0).date == D(2019, 10, 8)


def test_next_working_day_after_national_day_is_the_day_after_the_holiday():
    assert next_working_day(D(2019, 10, 1)).date == D(2019, 10, 8)


def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(D(2019, 9, 30), D(2019, 10, 10)) == 3
    assert working_days_between(D(2019, 10, 10), D(2019, 9, 30)) == -3
    assert working_days_between(D(2019, 10, 10), D(2019, 10, 10)) == 0


def test_confirmed_year_is_not_provisional():
    assert add_working_days(D(2024, 2, 9), 1).provisional is False
    assert is_provisional(D(2024, 1, 1), D(2024, 12, 31)) is False


def test_every_month_the_package_knows_has_the_same_working_days_as_the_package():
    first = D(2004, 1, 1)
    while first.year <= 2026:
        last = add_calendar_months(first, 1) - dt.timedelta(days=1)
        expected = len(chinese_calendar.get_workdays(first, last))
        assert working_days_between(first - dt.timedelta(days=1), last) == expected, first
        first = add_calendar_months(first, 1)


# --- the seeded table ---------------------------------------------------------------------


def test_every_year_the_package_knows_is_confirmed_with_its_source():
    years = CalendarYear.objects.filter(confirmed=True, source__startswith="chinese-calendar 1.")
    assert set(years.values_list("year", flat=True)) >= set(range(2004, 2027))


@pytest.mark.parametrize("day,working,name", [
    (D(2019, 10, 1), False, "国庆节"),
    (D(2019, 9, 29), True, "国庆节调休上班"),
    (D(2023, 9, 29), False, "国庆节、中秋节"),
    (D(2020, 10, 8), False, "国庆节、中秋节"),
    (D(2024, 2, 12), False, "春节"),
    (D(2024, 2, 4), True, "春节调休上班"),
    (D(2024, 4, 4), False, "清明节"),
    (D(2024, 6, 10), False, "端午节"),
    (D(2024, 9, 17), False, "中秋节"),
    (D(2024, 5, 1), False, "劳动节"),
    (D(2024, 1, 1), False, "元旦"),
])
def test_seeded_days_carry_their_chinese_names(day, working, name):
    row = CalendarDay.objects.get(date=day)
    assert (row.is_working_day, row.name) == (working, name)


def test_no_seeded_day_keeps_an_english_name():
    assert not CalendarDay.objects.filter(name__regex=r"[A-Za-z]").exists()


def test_the_seed_can_be_undone_and_redone():
    count = CalendarDay.objects.count()
    seed_migration.unseed(apps, None)
    assert not CalendarDay.objects.filter(date__year=2019).exists()
    assert not CalendarYear.objects.filter(year=2019).exists()
    seed_migration.seed(apps, None)
    assert CalendarDay.objects.count() == count


# --- admins edit the calendar -------------------------------------------------------------


def test_admin_entered_holiday_moves_the_deadline():
    assert add_working_days(D(2024, 3, 11), 1).date == D(2024, 3, 12)
    holiday(D(2024, 3, 12))
    assert add_working_days(D(2024, 3, 11), 1).date == D(2024, 3, 13)


def test_admin_can_turn_a_seeded_holiday_into_a_working_day():
    CalendarDay.objects.filter(date=D(2019, 10, 7)).update(is_working_day=True)
    calendar_changed()  # a bulk update sends no signal: who makes one says so (portal.calendar)
    assert add_working_days(D(2019, 9, 30), 1).date == D(2019, 10, 7)


# --- years nobody has entered -------------------------------------------------------------


def test_a_year_nobody_entered_is_provisional_and_does_not_crash():
    result = add_working_days(D(2031, 9, 30), 3)
    # 1-3 October are off by statute; 4-5 October 2031 are a weekend.
    assert result.date == D(2031, 10, 8)
    assert result.provisional is True


def test_new_year_and_labour_day_are_off_in_a_year_nobody_entered():
    assert add_working_days(D(2030, 12, 31), 1).date == D(2031, 1, 2)
    assert add_working_days(D(2031, 4, 30), 1).date == D(2031, 5, 5)


def test_a_deadline_running_into_next_year_is_provisional():
    result = add_working_days(D(2026, 12, 30), 3)
    assert result.date == D(2027, 1, 5)
    assert result.provisional is True


def test_a_deadline_that_stays_in_a_confirmed_year_is_not_provisional_even_near_its_end():
    assert add_working_days(D(2026, 12, 29), 2).provisional is False


def test_admin_entered_days_count_before_the_year_is_confirmed_and_stay_provisional():
    for day in range(1, 8):
        holiday(D(2031, 10, day), "国庆节")
    result = add_working_days(D(2031, 9, 30), 3)
    assert result.date == D(2031, 10, 10)
    assert result.provisional is True


def test_ticking_confirmed_makes_the_year_final():
    CalendarYear.objects.create(year=2031, confirmed=True, source="国办发明电〔2030〕号")
    result = add_working_days(D(2031, 9, 30), 3)
    assert result.provisional is False
    assert result.date == D(2031, 10, 3)  # a confirmed year uses only the entered rows


def test_years_before_the_package_are_provisional_too():
    assert add_working_days(D(1999, 9, 30), 1).provisional is True


# --- input the service refuses ------------------------------------------------------------


def test_a_negative_number_of_days_is_refused_in_chinese():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(D(2024, 1, 2), -1)


def test_more_than_ten_years_of_working_days_is_refused_in_chinese():
    assert add_working_days(D(2024, 1, 2), 3660).date.year == 2038
    with pytest.raises(ValueError, match="不能超过 3660"):
        add_working_days(D(2024, 1, 2), 3661)


@pytest.mark.parametrize("day", [D(1899, 12, 31), D(2201, 1, 1)])
def test_dates_outside_1900_to_2200_are_refused(day):
    with pytest.raises(ValueError, match="1900-01-01 至 2200-12-31"):
        add_working_days(day, 1)


def test_a_result_beyond_2200_is_refused_not_wrapped():
    with pytest.raises(ValueError, match="超出可计算范围"):
        add_working_days(D(2200, 12, 31), 1)


def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone():
    with pytest.raises(TypeError):
        add_working_days(dt.datetime(2024, 1, 2, 23, 30), 1)


def test_the_longest_period_costs_a_handful_of_queries_not_one_per_day(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        add_working_days(D(2020, 1, 1), 3660)


# --- calendar months (the inspection is due two months after the decision) ----------------


@pytest.mark.parametrize("day,months,expected", [
    (D(2024, 1, 15), 2, D(2024, 3, 15)),
    (D(2025, 12, 31), 2, D(2026, 2, 28)),
    (D(2023, 12, 31), 2, D(2024, 2, 29)),
    (D(2024, 3, 31), 1, D(2024, 4, 30)),
    (D(2024, 11, 30), 2, D(2025, 1, 30)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
])
def test_calendar_months_clamp_at_the_end_of_a_shorter_month(day, months, expected):
    assert add_calendar_months(day, months) == expected


# --- the admin pages ----------------------------------------------------------------------


@pytest.fixture
def admin_client_(login):
    user = User.objects.create_superuser("calendar-admin", "admin@example.com", "a-long-password-1")
    return login(user)  # with the second factor staff need (issue 4)


def test_the_year_page_shows_which_years_are_confirmed_and_how_many_days_were_entered(admin_client_):
    CalendarYear.objects.create(year=2031, confirmed=False, source="")
    response = admin_client_.get(reverse("admin:portal_calendaryear_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2024" in page and "2031" in page
    assert "chinese-calendar 1." in page
    entered_2024 = CalendarDay.objects.filter(date__year=2024).count()
    assert f'<td class="field-entered_days">{entered_2024}</td>' in page


def test_the_year_page_warns_when_next_year_is_not_confirmed(login):
    # Signed in at the travelled-to time: a session idle for 30 minutes has expired (issue 4).
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        admin = User.objects.create_superuser("calendar-admin", "admin@example.com", "a-long-password-1")
        response = login(admin).get(reverse("admin:portal_calendaryear_changelist"))
    assert "2027 年的节假日安排尚未确认" in response.content.decode()


@time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_the_year_page_is_quiet_when_this_year_and_next_are_confirmed(admin_client_):
    CalendarYear.objects.create(year=2027, confirmed=True, source="国务院办公厅通知")
    response = admin_client_.get(reverse("admin:portal_calendaryear_changelist"))
    assert "尚未确认" not in response.content.decode()


def test_the_day_page_filters_by_year_and_searches_by_name(admin_client_):
    url = reverse("admin:portal_calendarday_changelist")
    response = admin_client_.get(url, {"year": "2024", "q": "春节调休"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2024年2月4日" in page or "2024-02-04" in page
    assert "国庆节调休上班" not in page
