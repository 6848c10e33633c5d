"""The officer's desk at a city's scale (issue 13): each queue is counted on its own rows. 待受理 (ordinary
applications to accept) is counted from application_to_accept_idx, not among every submitted application of
the authority, most of which wait for a notice (notify and commit); on PostgreSQL."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing.constants import Route, Status
from licensing.models import Application
from tests.factories import ApplicationFactory
from tests.plans import rows_read

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans are PostgreSQL's; SQLite's planner is another matter")]

MANY = 3000


def many_like(like: Application):
    """MANY more applications like `like` (submitted for notify and commit), acted on by the same authority."""
    start = timezone.make_aware(dt.datetime(2024, 10, 14, 9))
    Application.objects.bulk_create(
        Application(number=f"WAIT-{i:06d}", item=like.item, applicant=like.applicant, submitted_by=like.submitted_by,
                    authority=like.authority, acting=like.acting, route=like.route, status=like.status,
                    notice_due=like.notice_due, submitted_at=start - dt.timedelta(minutes=i))
        for i in range(MANY))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE licensing_application")


def test_the_desk_counts_the_applications_to_accept_on_their_own_rows(login, officer, commitment_item):
    to_notify = ApplicationFactory(item=commitment_item, officer=officer)
    to_accept = ApplicationFactory(ordinary=True, item=commitment_item, officer=officer)
    assert (to_notify.route, to_accept.route) == (Route.COMMITMENT, Route.ORDINARY)
    assert to_notify.status == to_accept.status == Status.SUBMITTED and to_notify.acting == to_accept.acting
    many_like(to_notify)
    with CaptureQueriesContext(connection) as queries:
        desk = login(officer).get(reverse("officer-desk"))
    assert desk.status_code == 200
    queues = desk.context["queues"]
    assert [a.number for a in queues.to_accept] == [to_accept.number] and queues.to_accept.total == 1
    assert queues.notices_due.capped  # the MANY waiting for their notice: "100+"
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(counts) == 1
    with connection.cursor() as cursor:
        # the notices' queue reads its cap and one; the others a few rows each
        assert rows_read(cursor, counts[0]) < MANY / 10
