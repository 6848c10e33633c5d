"""Issue 15, lists that stay quick to work: paging, filtering and sorting ask for the list's region alone.

The browser's side is tests/e2e/test_lists_browser.py; here the server's. Every list (my applications, a
queue of the officer desk, the window's applicant, the regulator's queue, the inbox, the catalogue) answers
a request from htmx (HX-Request, HX-Target naming its region) with the region alone: the same rows, in the
same markup, as the region of the full page, in no more queries, and with Vary: HX-Request so that no cache
gives one for the other. Sorting offers the orders an index serves and refuses any other. A PDF being
prepared is polled in the background, and the meta refresh stays for browsers without JavaScript.
"""
import re
from dataclasses import dataclass
from typing import Callable

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.selectors.applications import SECTION_PAGE
from licensing.web.common import LIST_PAGE
from portal.models import AuditAction, AuditEvent
from tests import lists

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 11  # steps of the world: every list has a few rows, then more (my applications: 2 pages)


def htmx(region: str | None, **more) -> dict:
    """The headers htmx sends when a boosted pager link or filter form of `region` asks for it."""
    headers = {"HX-Request": "true", "HX-Boosted": "true", "HX-Current-URL": "http://testserver/"}
    if region is not None:
        headers["HX-Target"] = region
    return {**headers, **more}


@dataclass(frozen=True)
class List:
    name: str
    url: Callable          # World -> the list's address
    reader: str | None     # the World's persona who reads it; None: anyone
    region: str            # the id of its region (portal/lists.py)


LISTS = [
    List("my applications", lambda w: reverse("my-applications"), "applicant_user", "applications-list"),
    List("my applications, page 2", lambda w: reverse("my-applications") + "?page=2", "applicant_user",
         "applications-list"),
    List("my applications, oldest first", lambda w: reverse("my-applications") + "?sort=oldest", "applicant_user",
         "applications-list"),
    List("officer desk, a queue paged", lambda w: reverse("officer-desk") + "?section=notices_due", "officer",
         "notices-due-region"),
    List("window applicant", lambda w: reverse("window-applicant", args=[w.enterprise.pk]), "clerk", "applications"),
    List("regulator queue", lambda w: reverse("regulator-desk"), "regulator", "inspection-queue"),
    List("regulator queue, filtered and latest first", lambda w: reverse("regulator-desk") + "?status=pending&sort=due_desc",
         "regulator", "inspection-queue"),
    List("inbox", lambda w: reverse("supervision-inbox"), "regulator", "inbox-records"),
    List("inbox, filtered", lambda w: reverse("supervision-inbox") + "?acknowledged=false", "regulator",
         "inbox-records"),
    List("catalogue", lambda w: reverse("catalogue") + "?page=2", None, "catalogue-items"),
    List("catalogue, searched", lambda w: reverse("catalogue") + "?reform_mode=commitment", None, "catalogue-items"),
]


@dataclass
class Seen:
    status: int
    html: str
    vary: str
    queries: int


def _get(client, url, headers=None) -> Seen:
    """One GET, warm (a first GET fills per-process caches) and with the shared cache empty."""
    cache.clear()
    client.get(url, headers=headers or {})
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    return Seen(response.status_code, response.content.decode(), response.get("Vary", ""), len(captured))


@pytest.fixture(scope="module")
def seen(django_db_setup, django_db_blocker, _demo_seals, tmp_path_factory):
    """Each list read whole and as its region, with a few rows and with more; the world rolled back."""
    found = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("htmx-lists")):
        with transaction.atomic():
            world = lists.build_world()
            clients = {}
            for steps in (SMALL, LARGE):
                lists.grow(world, [lists.submitted, lists.decided, lists.acknowledged], steps)
                for case in LISTS:
                    reader = getattr(world, case.reader) if case.reader else None
                    client = clients.setdefault(case.reader, lists.client_for(reader))
                    url = case.url(world)
                    found[case.name, steps] = (_get(client, url), _get(client, url, htmx(case.region)))
            transaction.set_rollback(True)
    return found


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _same_render(html: str) -> str:
    """The markup without what differs from one rendering to the next (each form's masked CSRF token)."""
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


NUMBERS = re.compile(r">(QZ\w*-?\d[\w-]*|\d{4,}[\w-]*)<")


@pytest.mark.parametrize("case", LISTS, ids=lambda case: case.name)
def test_htmx_gets_the_region_alone_the_same_as_in_the_whole_page(case, seen):
    for steps in (SMALL, LARGE):
        whole, region = seen[case.name, steps]
        assert (whole.status, region.status) == (200, 200), case.name
        assert "<html" in whole.html and "<html" not in region.html and "<header" not in region.html
        assert f'id="{case.region}"' in region.html and "data-list-region" in region.html
        # the same rows, in the same markup: the region is the very part of the page it replaces
        assert _same_render(region.html).strip() in _same_render(whole.html)
        assert "<tbody>" in region.html and region.html.count("<tr") >= 3


@pytest.mark.parametrize("case", LISTS, ids=lambda case: case.name)
def test_both_answers_say_they_vary_with_htmx_so_caches_keep_them_apart(case, seen):
    whole, region = seen[case.name, LARGE]
    for answer in (whole, region):
        assert "HX-Request" in answer.vary and "HX-Target" in answer.vary


@pytest.mark.parametrize("case", LISTS, ids=lambda case: case.name)
def test_the_region_costs_no_more_queries_than_the_page_and_none_per_row(case, seen):
    (whole_small, region_small), (whole_large, region_large) = seen[case.name, SMALL], seen[case.name, LARGE]
    assert region_small.queries <= whole_small.queries and region_large.queries <= whole_large.queries
    assert region_large.queries == region_small.queries, f"{case.name}: the region's queries grew with its rows"
    assert whole_large.queries == whole_small.queries, f"{case.name}: the page's queries grew with its rows"


def test_my_applications_pages_are_each_a_region_of_their_own(seen):
    first, second = seen["my applications", LARGE][1], seen["my applications, page 2", LARGE][1]
    assert "第 1 / 2 页" in first.html and "第 2 / 2 页" in second.html
    shown = [set(NUMBERS.findall(answer.html)) for answer in (first, second)]
    assert shown[0] and shown[1] and not shown[0] & shown[1]


# --- which answer is the region's ----------------------------------------------------------------------

@pytest.fixture
def many(enterprise, applicant_user, commitment_item):
    return lists_of(commitment_item, enterprise, applicant_user, LIST_PAGE + 2)


def lists_of(item, applicant, actor, n):
    from licensing import services
    from licensing.constants import Channel

    return [services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE,
                                        wants_commitment=True) for _ in range(n)]


def numbers_in(html, numbers):
    return sorted((n for n in numbers if f">{n}<" in html), key=lambda n: html.index(f">{n}<"))


def test_a_history_restore_and_a_boosted_whole_page_get_the_whole_page(login, applicant_user, many):
    client = login(applicant_user)
    url = reverse("my-applications")
    restore = client.get(url, headers=htmx("applications-list", **{"HX-History-Restore-Request": "true"}))
    whole_page = client.get(url, headers=htmx(None))  # hx-boost on the page itself: no target
    other_region = client.get(url, headers=htmx("somewhere-else"))
    for response in (restore, whole_page, other_region):
        assert "<html" in response.content.decode()
    assert "<html" not in client.get(url, headers=htmx("applications-list")).content.decode()
    # an htmx request naming no target and not boosted is a request for the list, as htmx's own hx-get
    assert "<html" not in client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_my_applications_sort_oldest_first_on_the_same_index_read_backwards(login, applicant_user, many):
    numbers = [a.number for a in many]
    client = login(applicant_user)
    newest = client.get(reverse("my-applications")).content.decode()
    oldest = client.get(reverse("my-applications"), {"sort": "oldest"}).content.decode()
    assert numbers_in(newest, numbers) == numbers[::-1][:LIST_PAGE]
    assert numbers_in(oldest, numbers) == numbers[:LIST_PAGE]
    # the pager keeps the order; the form shows it chosen
    assert "?sort=oldest&amp;page=2" in oldest and '<option value="oldest" selected>' in oldest
    second = client.get(reverse("my-applications"), {"sort": "oldest", "page": 2}).content.decode()
    assert numbers_in(second, numbers) == numbers[LIST_PAGE:]


@pytest.mark.parametrize("url", [reverse("my-applications"), reverse("regulator-desk")])
def test_an_order_no_index_serves_is_refused_with_a_message(login, applicant_user, regulator, url):
    user = applicant_user if url == reverse("my-applications") else regulator
    response = login(user).get(url, {"sort": "applicant_name"})
    assert response.status_code == 400
    assert "没有这种排序方式" in response.content.decode()


def test_the_regulator_queue_sorts_by_due_date_either_way(login, regulator, commitment_item, at):
    from tests.factories import ApplicationFactory

    made = []
    for day in (8, 9, 10):
        with at(2024, 10, day, 9):
            made.append(ApplicationFactory(decided=True, item=commitment_item).number)
    client = login(regulator)
    soonest = client.get(reverse("regulator-desk")).content.decode()
    latest = client.get(reverse("regulator-desk"), {"sort": "due_desc"}).content.decode()
    assert numbers_in(soonest, made) == made and numbers_in(latest, made) == made[::-1]
    assert '<option value="due_desc" selected>' in latest
    # the filters keep the order, the export ignores it
    assert "sort=due_desc" in latest
    assert login(regulator).get(reverse("regulator-desk-export"), {"sort": "due_desc"}).status_code == 200


def test_a_refused_filter_answers_its_region_with_the_message_beside_the_field(login, regulator):
    response = login(regulator).get(reverse("regulator-desk"), {"due_within": "x"},
                                    headers=htmx("inspection-queue"))
    page = response.content.decode()
    assert response.status_code == 400 and "<html" not in page and 'id="inspection-queue"' in page
    assert "“N天内到期”应为0至" in page and "has-error" in page


def test_an_officer_desk_queue_is_paged_in_its_own_region(login, officer, enterprise, applicant_user,
                                                           commitment_item):
    numbers = [a.number for a in lists_of(commitment_item, enterprise, applicant_user, SECTION_PAGE + 1)]
    client = login(officer)
    url = reverse("officer-desk")
    page = client.get(url, {"section": "notices_due"}).content.decode()
    assert 'hx-boost="true"' in page and "?section=notices_due&amp;page=2#notices-due" in page
    second = client.get(url, {"section": "notices_due", "page": 2}, headers=htmx("notices-due-region"))
    html = second.content.decode()
    assert "<html" not in html and html.count('data-list-region') == 1 and 'id="notices-due"' in html
    assert numbers_in(html, numbers) == numbers[SECTION_PAGE:]


# --- the catalogue: a cached page for visitors --------------------------------------------------------

def test_the_catalogue_keeps_its_region_and_its_page_apart_in_the_cache(client):
    url = reverse("catalogue") + "?page=2"
    whole = client.get(url)
    region = client.get(url, headers=htmx("catalogue-items"))
    again = client.get(url)  # from the cache: still the whole page
    region_again = client.get(url, headers=htmx("catalogue-items"))
    assert "<html" in whole.content.decode() and "<html" in again.content.decode()
    assert "<html" not in region.content.decode() and region.content == region_again.content
    assert whole["ETag"] != region["ETag"]
    for response in (whole, region, again, region_again):
        assert "HX-Request" in response["Vary"] and "Cookie" in response["Vary"]
    # a revalidation of the page's copy is not answered with the region's, nor the other way round
    assert client.get(url, headers={"If-None-Match": region["ETag"]}).status_code == 200
    assert client.get(url, headers={"If-None-Match": whole["ETag"]}).status_code == 304


# --- the page around the lists ----------------------------------------------------------------------

def test_every_page_loads_htmx_and_the_lists_script_from_our_own_static_files(client):
    page = client.get(reverse("catalogue")).content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert '<script src="/static/js/lists.js" defer></script>' in page
    assert '"historyCacheSize": 0' in page and '"allowEval": false' in page
    # no inline script: every <script> names its source (the CSP allows 'self' only)
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "'unsafe-inline'" not in client.get(reverse("catalogue"))["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_a_pager_without_a_region_stays_a_plain_pager(login, applicant_user, many):
    """includes/pager.html boosts its links only for a list that has a region (list_region)."""
    from django.template.loader import render_to_string

    from portal.paging import page_of

    page = page_of(list(range(30)), 1, 10)
    assert "hx-boost" not in render_to_string("includes/pager.html", {"page": page})
    assert 'hx-boost="true"' in render_to_string("includes/pager.html", {"page": page, "list_region": "x"})


# --- a PDF being prepared ---------------------------------------------------------------------------

@pytest.fixture
def notice(commitment_item, enterprise, applicant_user, officer, queue, settings, tmp_path):
    """A notice issued, its PDF not rendered yet (in a test, the render queued after commit never runs)."""
    from notices.constants import DocumentKind
    from tests.factories import ApplicationFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, notice_issued=True)
    return application.documents.get(kind=DocumentKind.NOTICE)


def test_a_pdf_being_prepared_shows_progress_and_keeps_the_refresh_for_browsers_without_javascript(
        login, applicant_user, notice, settings):
    page = login(applicant_user).get(reverse("document-pdf", args=[notice.verification_code]))
    html = page.content.decode()
    assert page.status_code == 202
    seconds = settings.DOCUMENT_PREPARING_REFRESH_SECONDS
    assert f'<noscript><meta http-equiv="refresh" content="{seconds}"></noscript>' in html
    assert re.search(r'role="status"[^>]*>[\s\S]*<progress aria-label="生成进度"></progress> <span>正在生成', html)
    assert f'hx-trigger="every {seconds}s"' in html
    assert f'hx-get="{reverse("document-pdf", args=[notice.verification_code])}"' in html


def test_the_preparing_page_polls_without_taking_the_file_and_then_fetches_it(
        login, applicant_user, notice, settings):
    from notices import tasks

    client = login(applicant_user)
    url = reverse("document-pdf", args=[notice.verification_code])
    poll = client.get(url, headers={"HX-Request": "true", "HX-Target": "work-progress"})
    assert poll.status_code == 204 and poll["Retry-After"] == str(settings.DOCUMENT_PREPARING_REFRESH_SECONDS)
    assert tasks.document_prepare_pdf.run(notice.pk) is True

    ready = client.get(url, headers={"HX-Request": "true", "HX-Target": "work-progress"})
    html = ready.content.decode()
    assert ready.status_code == 200 and ready["Content-Type"].startswith("text/html")
    assert 'id="work-progress"' in html and "data-download-now" in html and f'href="{url}"' in html
    assert '<progress value="1" max="1"' in html and "HX-Request" in ready["Vary"]
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()  # a poll takes nothing

    download = client.get(url)  # the page follows the link: a plain request, served and audited
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).count() == 1
