"""GET /api/v1/calendar/add-working-days/: public, exact, and clear (in Chinese) when refused."""
import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

URL = "/api/v1/calendar/add-working-days/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refusal(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


def test_the_url_has_its_name():
    assert reverse("calendar-add-working-days") == URL


def test_three_working_days_after_national_day_eve_is_the_tenth_of_october(client):
    response = client.get(URL, {"start": "2019-09-30", "days": "3"})
    assert response.status_code == 200
    assert response.json() == {"date": "2019-10-10", "provisional": False}


def test_a_year_nobody_entered_answers_provisionally(client):
    response = client.get(URL, {"start": "2031-09-30", "days": "3"})
    assert response.json() == {"date": "2031-10-08", "provisional": True}


def test_zero_days_from_a_holiday_is_the_next_working_day(client):
    assert client.get(URL, {"start": "2019-10-01", "days": "0"}).json()["date"] == "2019-10-08"


def test_the_largest_number_of_days_is_accepted(client):
    assert client.get(URL, {"start": "2019-09-30", "days": "3660"}).status_code == 200


def test_a_missing_start_is_refused(client):
    assert "缺少参数 start" in refusal(client, days="3")


def test_a_missing_number_of_days_is_refused(client):
    assert "缺少参数 days" in refusal(client, start="2019-09-30")


@pytest.mark.parametrize("start", ["2019-13-01", "2019-02-30", "2019/09/30", "20190930", "yesterday", "2019-9-30"])
def test_a_bad_date_is_refused(client, start):
    assert "start 不是有效日期" in refusal(client, start=start, days="3")


def test_a_date_outside_the_calendar_is_refused(client):
    assert "1900-01-01 至 2200-12-31" in refusal(client, start="1899-12-31", days="3")


def test_a_result_beyond_2200_is_refused(client):
    assert "超出可计算范围" in refusal(client, start="2200-12-31", days="1")


def test_negative_days_are_refused(client):
    assert "不能为负数" in refusal(client, start="2019-09-30", days="-1")


@pytest.mark.parametrize("days", ["abc", "3.5", "1e3", "３"])  # the last one is a full-width digit
def test_non_integer_days_are_refused(client, days):
    assert "days 必须是整数" in refusal(client, start="2019-09-30", days=days)


@pytest.mark.parametrize("days", ["3661", "99999999999999999999999"])
def test_too_many_days_are_refused(client, days):
    assert "不能大于 3660" in refusal(client, start="2019-09-30", days=days)


def test_it_only_answers_get(client):
    assert client.post(URL, {"start": "2019-09-30", "days": "3"}).status_code == 405


def test_the_schema_describes_the_endpoint_exactly(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["start"]["required"] and params["start"]["schema"]["format"] == "date"
    assert params["days"]["required"]
    assert (params["days"]["schema"]["minimum"], params["days"]["schema"]["maximum"]) == (0, 3660)
    assert set(operation["responses"]) == {"200", "400"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][ok]["properties"]) == {"date", "provisional"}
    bad = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][bad]["properties"]) == {"detail"}
