"""Sessions (issue 4): 30 minutes idle, 12 hours at most from sign-in, cookies that scripts
cannot read and other sites do not send."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2025, 3, 3, 8, 0, tzinfo=SHANGHAI)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_thirty_one_idle_minutes_sign_a_clerk_out(login, clerk):
    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(clerk)
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("window-desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_twenty_nine_idle_minutes_do_not(login, clerk):
    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(clerk)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("window-desk")).status_code == 200


def test_every_request_restarts_the_idle_clock(login, applicant_user):
    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(applicant_user)
        for _ in range(4):
            clock.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("my-applications")).status_code == 200


def test_twelve_hours_after_sign_in_even_a_busy_session_ends(login, officer):
    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(officer)
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("officer-desk")).status_code == 200
        clock.shift(dt.timedelta(minutes=20))
        response = client.get(reverse("officer-desk"))
        assert response.status_code == 302 and "expired=1" in response.url
        assert not signed_in(client)
        assert "重新登录" in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED, actor=officer).exists()


def test_the_session_cookie_is_httponly_lax_and_short_lived(client, applicant_user):
    response = client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 1800


def test_the_csrf_cookie_is_httponly_too(client):
    response = client.get(reverse("login"))
    assert response.cookies["csrftoken"]["httponly"] and response.cookies["csrftoken"]["samesite"] == "Lax"


def test_forms_without_the_csrf_token_are_refused(applicant_user):
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403 and not signed_in(strict)


def _session_writes(queries) -> int:
    return sum('"django_session"' in q["sql"] and q["sql"].lstrip().startswith(("UPDATE", "INSERT"))
               for q in queries)


def test_requests_within_a_minute_do_not_write_the_session_again(login, officer):
    """Issue 13: the idle clock is renewed at most once a minute, not with a write on every page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(officer)
        client.get(reverse("officer-desk"))
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as soon:
            assert client.get(reverse("officer-desk")).status_code == 200
        clock.shift(dt.timedelta(seconds=40))
        with CaptureQueriesContext(connection) as later:
            response = client.get(reverse("officer-desk"))
    assert _session_writes(soon.captured_queries) == 0
    assert _session_writes(later.captured_queries) == 1 and "sessionid" in response.cookies


def test_a_page_seen_within_the_minute_still_ends_thirty_minutes_after_the_renewal(login, clerk):
    """A request that renews nothing does not extend the session: it ends 30 minutes after its last renewal."""
    with time_machine.travel(MORNING, tick=False) as clock:
        client = login(clerk)
        assert client.get(reverse("window-desk")).status_code == 200  # renews at 8:00
        clock.shift(dt.timedelta(seconds=50))
        assert client.get(reverse("window-desk")).status_code == 200  # too soon: nothing written
        clock.shift(dt.timedelta(minutes=29, seconds=20))  # 30 min 10 s after the renewal
        response = client.get(reverse("window-desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_anonymous_visitor_gets_no_session(client):
    response = client.get(reverse("catalogue"))
    assert response.status_code == 200 and "sessionid" not in response.cookies
