"""Issue 13: the desk, my applications, the window's applicant and the API lists show a page at a time,
so a long queue is never read whole; each desk queue says how many wait and pages through them."""
import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import Channel
from licensing.selectors.applications import DESK_ROWS, SECTION_PAGE
from licensing.web.common import LIST_PAGE
from portal.api_paging import BoundedPageNumberPagination
from portal.paging import BoundedPaginator

pytestmark = pytest.mark.django_db


def submitted(item, applicant, actor, n):
    return [services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE,
                                        wants_commitment=True) for _ in range(n)]


def numbers_in(html, numbers):
    """The application numbers shown, in the order the page shows them."""
    return sorted((n for n in numbers if f">{n}<" in html), key=lambda n: html.index(f">{n}<"))


def test_a_long_queue_shows_its_first_rows_its_count_and_a_link_to_all_of_it(
        login, officer, enterprise, applicant_user, commitment_item):
    numbers = [a.number for a in submitted(commitment_item, enterprise, applicant_user, DESK_ROWS + 2)]
    html = login(officer).get(reverse("officer-desk")).content.decode()
    assert f"待出具告知书（{DESK_ROWS + 2}）" in html
    # The oldest deadlines first; the two newest wait behind the link.
    assert numbers_in(html, numbers) == numbers[:DESK_ROWS]
    assert f"查看全部 {DESK_ROWS + 2} 件" in html and "?section=notices_due" in html


def test_one_queue_pages_through_every_row(login, officer, enterprise, applicant_user, commitment_item):
    numbers = [a.number for a in submitted(commitment_item, enterprise, applicant_user, DESK_ROWS + 2)]
    client = login(officer)
    first = client.get(reverse("officer-desk"), {"section": "notices_due"}).content.decode()
    assert numbers_in(first, numbers) == numbers  # a page of SECTION_PAGE holds them all
    assert "返回审批工作台" in first and 'id="to-decide"' not in first
    assert SECTION_PAGE >= DESK_ROWS + 2


def test_an_unknown_queue_is_refused_with_a_message(login, officer):
    response = login(officer).get(reverse("officer-desk"), {"section": "everything"})
    assert response.status_code == 400
    assert "没有这个队列" in response.content.decode()


def test_my_applications_shows_a_page_at_a_time(login, enterprise, applicant_user, commitment_item):
    numbers = [a.number for a in submitted(commitment_item, enterprise, applicant_user, LIST_PAGE + 1)]
    client = login(applicant_user)
    first = client.get(reverse("my-applications")).content.decode()
    second = client.get(reverse("my-applications"), {"page": 2}).content.decode()
    # Newest first: the oldest one is alone on page 2.
    assert numbers_in(first, numbers) == numbers[1:][::-1] and numbers_in(second, numbers) == numbers[:1]
    assert f"第 1 / 2 页，共 {LIST_PAGE + 1} 件" in first
    # A page past the end, or not a number, shows the nearest page rather than an error.
    assert client.get(reverse("my-applications"), {"page": "abc"}).status_code == 200
    assert numbers_in(client.get(reverse("my-applications"), {"page": 99}).content.decode(), numbers) == numbers[:1]


def test_the_window_pages_an_applicants_applications(login, clerk, enterprise, applicant_user, commitment_item):
    numbers = [a.number for a in submitted(commitment_item, enterprise, applicant_user, LIST_PAGE + 1)]
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    assert numbers_in(client.get(url, {"page": 2}).content.decode(), numbers) == numbers[:1]
    assert 'href="?page=2#applications"' in client.get(url).content.decode()


def test_an_api_list_stops_counting_at_the_cap_and_says_so(login, clerk, enterprise, applicant_user,
                                                            commitment_item, monkeypatch):
    submitted(commitment_item, enterprise, applicant_user, 4)
    client = login(clerk)
    body = client.get("/api/v1/applications/").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (4, False, 4)
    monkeypatch.setattr(BoundedPaginator, "cap", 3)
    body = client.get("/api/v1/applications/").json()
    assert (body["count"], body["count_capped"]) == (3, True)


def test_an_api_page_that_does_not_exist_is_a_chinese_404(login, clerk):
    response = login(clerk).get("/api/v1/applications/", {"page": 5})
    assert response.status_code == 404
    assert "没有这一页" in response.json()["detail"]


def test_past_the_cap_the_next_link_still_reaches_every_row(login, clerk, enterprise, applicant_user,
                                                             commitment_item, monkeypatch):
    numbers = {a.number for a in submitted(commitment_item, enterprise, applicant_user, 5)}
    monkeypatch.setattr(BoundedPaginator, "cap", 2)
    monkeypatch.setattr(BoundedPageNumberPagination, "page_size", 2)
    client, url, seen, pages = login(clerk), "/api/v1/applications/", [], 0
    while url:
        body = client.get(url).json()
        seen, url, pages = seen + [row["number"] for row in body["results"]], body["next"], pages + 1
        assert body["count_capped"] and body["count"] == 2
    # Page 1 counted, pages 2 and 3 (past the cap) found by looking one row ahead.
    assert pages == 3 and sorted(seen) == sorted(numbers)


def test_the_desk_counts_its_queues_in_one_statement_and_reads_rows_only_where_some_wait(
        login, officer, enterprise, applicant_user, commitment_item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    number = submitted(commitment_item, enterprise, applicant_user, 1)[0].number
    client = login(officer)
    with CaptureQueriesContext(connection) as seen:
        html = client.get(reverse("officer-desk")).content.decode()
    assert "待出具告知书（1）" in html and f">{number}<" in html
    counts = [q["sql"] for q in seen.captured_queries if "COUNT(" in q["sql"] and "licensing_application" in q["sql"]]
    assert len(counts) == 1 and counts[0].count("SELECT COUNT(*)") >= 10, "every queue in the one statement"
    rows = [q["sql"] for q in seen.captured_queries
            if q["sql"].startswith('SELECT "licensing_application"."id"') and "LIMIT" in q["sql"]]
    assert len(rows) == 1, "the one queue with a row is read; the empty ones are not"
