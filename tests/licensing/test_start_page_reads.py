"""我的首页 at a city's scale (issue 13): the officer's start page reads today's decisions from today's, not
from every decision of its authority (application_decided_idx), on PostgreSQL."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing.constants import Status
from licensing.models import Application
from tests.factories import ApplicationFactory
from tests.plans import rows_read

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans are PostgreSQL's; SQLite's planner is another matter")]

TODAY = (2024, 10, 14)
MANY = 3000


def long_ago(like: Application, **fields):
    """MANY applications like `like`, decided (or filed) a year before TODAY."""
    year_ago = timezone.make_aware(dt.datetime(2023, 10, 14, 10))
    Application.objects.bulk_create(
        Application(number=f"OLD-{i:06d}", item=like.item, applicant=like.applicant, submitted_by=like.submitted_by,
                    authority=like.authority, submitted_at=year_ago - dt.timedelta(minutes=i),
                    decided_at=year_ago - dt.timedelta(minutes=i), status=Status.APPROVED, **fields)
        for i in range(MANY))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE licensing_application")


def statements_of_start_page(client, marker):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("start"))
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries if marker in q["sql"]]


def test_the_officer_s_decisions_of_today_are_read_from_today_s(at, login, officer, commitment_item):
    with at(*TODAY):
        decided = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        long_ago(decided)
        response, statements = statements_of_start_page(login(officer), '"decided_at" >=')
    assert [a.number for a in response.context["sections"]["decided_today"]] == [decided.number]
    assert statements
    with connection.cursor() as cursor:
        for sql in statements:
            assert rows_read(cursor, sql) < MANY / 10, sql[:300]
