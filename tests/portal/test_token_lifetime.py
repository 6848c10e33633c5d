"""An API token lives as long as the longest session: 12 hours from issue (issue 4)."""
import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def token(user):
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": TEST_PASSWORD},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def list_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/applications/")


def test_a_token_works_until_twelve_hours_after_it_was_issued(applicant_user):
    with time_machine.travel(START, tick=False) as clock:
        key = token(applicant_user)
        clock.shift(dt.timedelta(hours=11, minutes=59))
        assert list_with(key).status_code == 200
        clock.shift(dt.timedelta(minutes=2))
        response = list_with(key)
        assert response.status_code == 401
        assert response.json()["detail"] == "令牌已过期，请重新取得令牌。"


def test_signing_in_again_after_expiry_gives_a_new_token_that_works(applicant_user):
    with time_machine.travel(START, tick=False) as clock:
        old = token(applicant_user)
        assert token(applicant_user) == old  # still fresh: the same token for the user's other devices
        clock.shift(dt.timedelta(hours=13))
        new = token(applicant_user)
        assert new != old
        assert list_with(new).status_code == 200
        assert list_with(old).status_code == 401
