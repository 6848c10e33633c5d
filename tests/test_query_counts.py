"""Query counts are constant (issue 13): every list page and API list of the portal reads 50 rows in
as many queries as 5.

Each list is read by the persona it is for, once with 5 rows of each shape it shows and once with 50
(tests/lists.py grows the worlds through the real services). A list that asks the database again for
each row (an N+1: a relation neither selected nor prefetched) spends more queries on 50 rows and
fails here, naming the queries that grew; a list that pages must not grow either. Adding a list is
one line of CASES; a new kind of row is one factory in WORLDS.

Out of scope: the admin's changelists (Django's own paging), one application's page and the
documents (one row each).
"""
import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from licensing.selectors.applications import SECTIONS
from tests import lists
from tests.lists import (
    accepted, acknowledged, another_applicant, catalogue_item, claim, committed, correction, cycle, decided, declared,
    draw_plan, filed, filing_untrue, first_review, found_untrue, in_post, inspector, late_notice, ordinary,
    record_due_soon, record_missed, record_unrouted, rectifying, repair_decided, repair_pending, revoked, submitted,
    supervised,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50

# The kinds of world, each a list of row factories: every step adds one row from each.
WORLDS = {
    # one row in every section of the officer desk
    "desk": [submitted, in_post, committed, ordinary, first_review, accepted, correction, decided, declared,
             found_untrue],
    # applications in their main states (one of another enterprise), the enterprise's claims and the account's
    "applications": [cycle(another_applicant, decided, correction, revoked, filed), claim],
    # inspections at each stage, records acknowledged or not, revocations (to both inboxes), filings and
    # ordered corrections
    "supervision": [cycle(decided, rectifying, found_untrue, acknowledged), revoked, filed, filing_untrue],
    # the outbox's records missed, due soon, delivered and unrouted; late steps (电子监察)
    "records": [record_missed, record_due_soon, decided, record_unrouted, late_notice],
    # disclosed commitments (already meeting the conditions or by a date) and catalogue items
    "public": [cycle(committed, decided, revoked, declared), catalogue_item],
    # issue 14: entities in force (licensed or filed, enterprises and persons), inspectors (some with a
    # conflict, some out of the draws), plans drawn or drafted from them, and credit records of the
    # account's enterprises with a repair request pending or decided (refused, or granted: repaired)
    "issue14": [supervised, inspector, draw_plan, repair_pending, repair_decided],
}


def rows(shown) -> int:
    """How many rows a list in a page's context holds (a page of a paginator, or a list)."""
    return len(list(getattr(shown, "object_list", shown)))


def least(*sections) -> int:
    """A page of several lists is filled when its emptiest list is."""
    return min(rows(section) for section in sections)


def desk_rows(response) -> int:
    queues = response.context["queues"]
    return least(*(getattr(queues, f.name) for f in dataclasses.fields(queues)))


def regulator_desk_rows(response) -> int:
    filings = response.context["filings"]
    return least(response.context["rows"], filings.awaiting, filings.recent)


SLA_LISTS = ("due_soon", "missed", "undelivered", "delivered")


def sla_rows(response) -> int:
    return least(*(response.context[name] for name in SLA_LISTS))


def sla_rows_with_unrouted(response) -> int:
    """The admin's page also lists the unrouted records (an approval bureau's, which no officer of the
    world's authority sees: it regulates what it approves itself)."""
    return least(*(response.context[name] for name in (*SLA_LISTS, "unrouted")))


def section_rows(name) -> Callable:
    return lambda response: rows(getattr(response.context["queues"], name))


def deciders_offered(response) -> int:
    """The window's apply form: the items naming several deciding authorities, each a group of choices."""
    return len(response.context["form"].fields["authority"].choices) - 1  # less "（仅一个审批机关的事项不选）"


def workbook_rows(response) -> int:
    return load_workbook(io.BytesIO(response.content), read_only=True).active.max_row - 1  # less the header


def draw_rows(response) -> int:
    """A drawn plan's public page: its picks and its pool, each paged."""
    return least(response.context["picks"], response.context["pool"])


def repair_desk_rows(response) -> int:
    return least(response.context["pending"], response.context["decided"])


def results(response) -> int:
    return len(response.json()["results"])


def context(name) -> Callable:
    return lambda response: rows(response.context[name])


@dataclass(frozen=True)
class Case:
    name: str
    world: str                      # the kind of world (WORLDS) whose rows it shows
    url: Callable                   # World -> the list's address
    reader: str | None              # the World's persona who reads it; None: anyone
    rows: Callable                  # response -> the rows it shows (the least of its lists)
    api: bool = False


def to(name, *args) -> Callable:
    return lambda world: reverse(name, args=[getattr(world, arg).pk for arg in args])


def at(path) -> Callable:
    return lambda world: path


CASES = [
    Case("officer desk", "desk", to("officer-desk"), "officer", desk_rows),
    *(Case(f"officer desk, {name}", "desk", at(f"/desk/officer/?section={name}"), "officer", section_rows(name))
      for name in SECTIONS),  # one queue paged on its own
    Case("window applicant page", "applications", to("window-applicant", "enterprise"), "clerk",
         lambda r: least(r.context["applications"], r.context["claims"])),
    Case("my applications", "applications", to("my-applications"), "applicant_user", context("applications")),
    Case("my applicants", "applications", to("my-applicants"), "applicant_user", context("claims")),
    Case("regulator desk", "supervision", to("regulator-desk"), "regulator", regulator_desk_rows),
    Case("regulator desk export", "supervision", to("regulator-desk-export"), "regulator", workbook_rows),
    Case("inbox, regulator", "supervision", to("supervision-inbox"), "regulator", context("page")),
    Case("inbox, officer", "supervision", to("supervision-inbox"), "officer", context("page")),
    Case("records SLA, officer", "records", to("records-sla"), "officer", sla_rows),
    Case("records SLA, admin", "records", to("records-sla"), "admin", sla_rows_with_unrouted),
    Case("efficiency, officer", "records", to("records-efficiency"), "officer", context("late")),
    Case("efficiency, admin", "records", to("records-efficiency"), "admin", context("late")),
    Case("public commitments", "public", to("commitments"), None, context("page")),
    Case("window applicant page, items with several deciders", "public", to("window-applicant", "enterprise"),
         "clerk", deciders_offered),
    Case("catalogue", "public", at(f"/items/?q={lists.CATALOGUE_WORD}"), None, context("page")),
    Case("draw plans", "issue14", to("draw-list"), "regulator", context("page")),
    Case("draw plan, its picks", "issue14", to("draw-detail", "drawn_plan"), "regulator", context("picks")),
    Case("draws disclosed", "issue14", to("draw-disclosure"), None, context("page")),
    Case("a draw disclosed, its picks and pool", "issue14",
         lambda world: reverse("draw-disclosure-detail", args=[world.drawn_plan.number]), None, draw_rows),
    Case("credit records in public", "issue14", to("credit-public"), None, context("rows")),
    Case("my credit records", "issue14", to("my-credit"), "applicant_user", context("records")),
    Case("credit repair desk", "issue14", to("credit-repair-desk"), "officer", repair_desk_rows),
    Case("entity directory", "issue14", to("entity-directory"), "regulator", context("rows")),
    Case("inspector directory", "issue14", to("inspector-directory"), "regulator", context("inspectors")),
    Case("API applications, applicant", "applications", at("/api/v1/applications/"), "applicant_user", results, True),
    Case("API applications, officer", "applications", at("/api/v1/applications/"), "officer", results, True),
    Case("API applications, clerk", "applications", at("/api/v1/applications/"), "clerk", results, True),
    Case("API applications, regulator", "supervision", at("/api/v1/applications/"), "regulator", results, True),
    Case("API inspections", "supervision", at("/api/v1/inspections/"), "regulator", results, True),
    Case("API inbox", "supervision", at("/api/v1/inbox/"), "regulator", results, True),
    Case("API items", "public", at(f"/api/v1/items/?q={lists.CATALOGUE_WORD}"), None, results, True),
    Case("API draws", "issue14", at("/api/v1/draws/"), "regulator", results, True),
    Case("API credit records, anyone", "issue14", at("/api/v1/credit-records/"), None, results, True),
    Case("API credit records, applicant", "issue14", at("/api/v1/credit-records/"), "applicant_user", results, True),
    Case("API credit records, officer", "issue14", at("/api/v1/credit-records/"), "officer", results, True),
]


def measure_world(kind) -> dict:
    """Every list of this kind of world at 5 steps and at 50: {name: (small, large)}."""
    world = lists.build_world()
    cases = [case for case in CASES if case.world == kind]
    clients = {case.name: (lists.api_client_for if case.api else lists.client_for)(
        getattr(world, case.reader) if case.reader else None) for case in cases}
    found = {case.name: [] for case in cases}
    for steps in (SMALL, LARGE):
        lists.grow(world, WORLDS[kind], steps)
        for case in cases:
            found[case.name].append(lists.measure(clients[case.name], case.url(world), cache))
    return found


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, _demo_seals, tmp_path_factory):
    """Each kind of world built in a savepoint of its own and rolled back, its lists measured twice."""
    found = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("query-counts")):
        with transaction.atomic():
            for kind in WORLDS:
                with transaction.atomic():
                    found.update(measure_world(kind))
                    transaction.set_rollback(True)
            transaction.set_rollback(True)
    return found


def read(case, measured) -> tuple:
    small, large = measured[case.name]
    for taken in (small, large):
        if taken.error is not None:
            raise taken.error
        assert taken.response.status_code == 200, f"{case.name}: {taken.response.status_code}"
    return small, large


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_world_fills_the_list(case, measured):
    """The counts below mean something only if the list shows the rows: a few at 5 steps, more at 50."""
    small, large = read(case, measured)
    shown = case.rows(small.response), case.rows(large.response)
    assert 3 <= shown[0] < shown[1], f"{case.name} shows {shown[0]} rows, then {shown[1]}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_list_reads_50_rows_in_as_many_queries_as_5(case, measured):
    small, large = read(case, measured)
    at_5, at_50 = small.count, large.count
    changed = "\n".join(lists.grown(small, large))
    assert at_50 == at_5, (
        f"{case.name}: {at_5} queries at {SMALL} steps, {at_50} at {LARGE}; those that changed:\n{changed}")
