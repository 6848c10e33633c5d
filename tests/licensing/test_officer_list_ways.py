"""An officer's list of its organisation's applications (issue 13): every way an application is its
organisation's (decided in its name, entrusted to it, examined by it first, filed before authorities were
chosen), newest first, paged and counted, and on PostgreSQL read from those ways' own indexes, so that
a small authority's list does not walk every application of the city.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing import selectors
from licensing.constants import AuthorityRole, Status
from licensing.models import Application, ApplicationReview, Item
from portal.api_paging import BoundedPageNumberPagination
from portal.constants import Role
from portal.models import Organisation
from portal.paging import BoundedPaginator
from tests.factories import ApplicationFactory, UserFactory
from tests.plans import rows_read

pytestmark = pytest.mark.django_db

LIST = "/api/v1/applications/"


def org(code) -> Organisation:
    return Organisation.objects.get(code=code)


def placed(number_of_days_ago, **where):
    """A submitted application, `number_of_days_ago` days old, whose organisations are `where`."""
    application = ApplicationFactory()
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=number_of_days_ago), **where)
    return application


@pytest.fixture
def county():
    return UserFactory(role=Role.OFFICER, organisation=org("D03"))


@pytest.fixture
def every_way(county):
    """The county's applications, one each way, and one of another organisation."""
    other = org("C02")
    item = Item.objects.filter(authorities__organisation=county.organisation).first()
    own = placed(5, authority=county.organisation, entrusted=None)
    entrusted = placed(4, authority=other, entrusted=county.organisation)
    reviewed = placed(3, authority=other, entrusted=None)
    reviewed.refresh_from_db()
    ApplicationReview.objects.create(application=reviewed, organisation=county.organisation,
                                     role=AuthorityRole.PRELIMINARY, order=1, submitted_at=reviewed.submitted_at)
    legacy = placed(2, authority=None, entrusted=None, reviewing=None, item=item)
    newest_own = placed(1, authority=county.organisation, entrusted=None)
    placed(0, authority=other, entrusted=None)  # not the county's
    return [newest_own, legacy, reviewed, entrusted, own]


def numbers(applications):
    return [a.number for a in applications]


def test_an_officer_lists_every_way_its_organisation_holds_an_application_newest_first(login, county, every_way):
    body = login(county).get(LIST).json()
    assert [row["number"] for row in body["results"]] == numbers(every_way)
    assert (body["count"], body["count_capped"]) == (5, False)
    # the same rows as the rule that decides who may see an application
    assert sorted(numbers(every_way)) == sorted(selectors.applications_of_authority(county)
                                                .values_list("number", flat=True))


def test_the_officer_s_filters_narrow_every_way_alike(login, county, every_way):
    legacy = every_way[1]
    Application.objects.filter(pk__in=[legacy.pk, every_way[3].pk]).update(status=Status.APPROVED)
    body = login(county).get(LIST, {"status": Status.APPROVED}).json()
    assert [row["number"] for row in body["results"]] == [legacy.number, every_way[3].number]
    assert body["count"] == 2


def test_past_the_cap_an_officer_s_next_links_reach_every_row_once_in_order(login, county, every_way, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "cap", 2)
    monkeypatch.setattr(BoundedPageNumberPagination, "page_size", 2)
    client, url, seen = login(county), LIST, []
    while url:
        body = client.get(url).json()
        assert (body["count"], body["count_capped"]) == (2, True)
        seen, url = seen + [row["number"] for row in body["results"]], body["next"]
    assert seen == numbers(every_way)


def test_the_last_page_of_an_officer_s_capped_list_holds_its_rows(login, county, every_way, monkeypatch):
    """?page=last (DRF's word for the last page) reads as deep as the last counted page goes."""
    newer = [placed(0.1 * n, authority=county.organisation, entrusted=None) for n in range(1, 5)]
    monkeypatch.setattr(BoundedPaginator, "cap", 4)
    monkeypatch.setattr(BoundedPageNumberPagination, "page_size", 2)
    body = login(county).get(LIST, {"page": "last"}).json()
    assert [row["number"] for row in body["results"]] == numbers(newer[2:])


def test_a_page_too_far_to_exist_is_a_chinese_404_not_a_server_error(login, county, every_way, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "cap", 2)
    client = login(county)
    client.raise_request_exception = False
    for page in ("1" + "0" * 30, str(2**62)):
        response = client.get(LIST, {"page": page})
        assert response.status_code == 404, page
        assert "没有这一页" in response.json()["detail"]


def test_one_desk_queue_paged_past_its_end_shows_its_last_counted_page(login, officer, monkeypatch):
    """A "查看全部" link kept after its rows were handled: past a capped queue's end, the last page counted."""
    monkeypatch.setattr("licensing.selectors.applications.DESK_COUNT_CAP", 2)
    monkeypatch.setattr("licensing.selectors.applications.SECTION_PAGE", 2)
    committed = [ApplicationFactory(committed=True, officer=officer) for _ in range(4)]
    client = login(officer)
    for page in ("9", "1" + "0" * 30):
        response = client.get(reverse("officer-desk"), {"section": "to_decide", "page": page})
        assert response.status_code == 200, page
        html = response.content.decode()
        assert sum(a.number in html for a in committed) == 2


# --- on PostgreSQL: what the list reads -------------------------------------------------------------

MANY = 3000


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the plans are PostgreSQL's; SQLite reads its one statement as it is")
def test_a_small_authority_s_list_reads_its_own_applications_not_the_city_s(login, county, every_way):
    busy = Application.objects.exclude(pk__in=[a.pk for a in every_way]).first()
    now = timezone.now()
    Application.objects.bulk_create(
        Application(number=f"BULK-{i:06d}", item=busy.item, applicant=busy.applicant, submitted_by=busy.submitted_by,
                    authority=busy.authority, submitted_at=now - dt.timedelta(minutes=i), status=Status.SUBMITTED)
        for i in range(MANY))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE licensing_application")
        cursor.execute("ANALYZE licensing_applicationreview")

    client = login(county)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST).json()
    assert [row["number"] for row in body["results"]] == numbers(every_way) and body["count"] == 5
    statements = [q["sql"] for q in queries.captured_queries if "licensing_application" in q["sql"]]
    assert len(statements) == 2  # the page and its count
    with connection.cursor() as cursor:
        for sql in statements:
            assert rows_read(cursor, sql) < MANY / 10, sql[:200]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the plans are PostgreSQL's; SQLite reads its one statement as it is")
def test_an_examining_authority_s_page_walks_its_reviews_newest_first(login, county, every_way):
    """A county that examines first for thousands of applications decided elsewhere: its page reads about a
    page of them from review_list_idx, not every one it examined to sort them."""
    decider, busy = org("C02"), every_way[0]

    def bulk(prefix, days_ago):
        start = timezone.now() - dt.timedelta(days=days_ago)
        return Application.objects.bulk_create(
            Application(number=f"{prefix}-{i:06d}", item=busy.item, applicant=busy.applicant, authority=decider,
                        submitted_by=busy.submitted_by, submitted_at=start - dt.timedelta(minutes=i),
                        status=Status.APPROVED) for i in range(MANY))
    examined = bulk("EXAM", 400)  # a year ago
    bulk("NEWER", 30)  # decided by the same authority since, without the county: newer than all it examined
    ApplicationReview.objects.bulk_create(
        ApplicationReview(application=a, organisation=county.organisation, role=AuthorityRole.PRELIMINARY, order=0,
                          submitted_at=a.submitted_at) for a in examined)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE licensing_application")
        cursor.execute("ANALYZE licensing_applicationreview")

    client = login(county)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST, {"status": Status.APPROVED}).json()
    assert [row["number"] for row in body["results"]] == [a.number for a in examined[:50]]
    assert (body["count"], body["count_capped"]) == (1000, True)
    page = next(q["sql"] for q in queries.captured_queries
                if "licensing_application" in q["sql"] and not q["sql"].startswith("SELECT COUNT"))
    with connection.cursor() as cursor:
        assert rows_read(cursor, page) < MANY / 10, page[:200]
