"""EXPLAIN ANALYZE of every list the portal pages, on a database seeded with manage.py seed_volume.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volume .venv/bin/python bench/explain_lists.py [--plans]

For each list (the officer desk's eleven queues, each persona's applications list, the clerk's and the
officer's start pages, my applications, the window's applicant, the regulator's queue and inbox) it runs
the query of its first page and of its count exactly as the portal builds them (the selectors,
portal.paging's capped count) and prints the execution time, the rows read from the biggest tables
(kept or removed by a filter), and whether any of them was read by a sequential scan. The reference is
one application read by its number with its item and applicant, timed the same way, so each figure is
also a ratio as bench/README.md asks. --plans prints each plan whole.
"""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from licensing import selectors  # noqa: E402
from licensing.models import Application  # noqa: E402
from licensing.selectors import start  # noqa: E402
from licensing.selectors.applications import (  # noqa: E402
    DESK_COUNT_CAP, DESK_ROWS, ORDERED_COUNT, _officer_sections,
)
from portal.paging import COUNT_CAP  # noqa: E402
from supervision import queue  # noqa: E402
from supervision.selectors import inbox_for  # noqa: E402

BIG = ("licensing_application", "licensing_materialsubmission", "supervision_inspection",
       "licensing_applicationevent", "supervision_inboxrecord")


def explain(qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def reference_ms(n=20) -> float:
    """One application by its number with its item and applicant (what a detail page reads first)."""
    number = Application.objects.order_by("-id").values_list("number", flat=True).first()
    one = Application.objects.select_related("item", "applicant").filter(number=number)
    return statistics.median(explain(one)["Execution Time"] for _ in range(n))


def report(label, qs, ref, show):
    result = [explain(qs) for _ in range(3)][-1]  # warm: the figure of the third run
    ms = result["Execution Time"]
    seq = sorted({n["Relation Name"] for n in nodes(result["Plan"])
                  if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG})
    # kept or thrown away by a filter: a walk of an index that keeps few of its rows reads them all
    read = sum((n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
               for n in nodes(result["Plan"]) if n.get("Relation Name") in BIG)
    flag = f"  SEQ SCAN {', '.join(seq)}" if seq else ""
    print(f"{label:<56} {ms:8.2f} ms  ×{ms / ref:7.0f}  rows read {read:>8}{flag}")
    if show:
        with connection.cursor() as cursor:
            sql, params = qs.query.sql_with_params()
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join("    " + r[0] for r in cursor.fetchall()))


def other_officers():
    """Officers (not saved) of the authority that decides the fewest applications, and of the one that
    examines the most first: the demo officer's is the busiest, whose list is the easy case."""
    from licensing.models import ApplicationReview
    from portal.constants import Role
    smallest = (Application.objects.filter(authority__isnull=False).values("authority").order_by()
                .annotate(n=django.db.models.Count("id")).order_by("n").first())
    examiner = (ApplicationReview.objects.values("organisation").order_by()
                .annotate(n=django.db.models.Count("id")).order_by("-n").first())
    officer = get_user_model()
    if smallest:
        yield (f"officer, fewest ({smallest['n']})", officer(role=Role.OFFICER, organisation_id=smallest["authority"]))
    if examiner:
        yield (f"officer, examines {examiner['n']}", officer(role=Role.OFFICER, organisation_id=examiner["organisation"]))


def lists():
    users = get_user_model().objects
    officer, clerk = users.get(username="demo-officer"), users.get(username="demo-clerk")
    regulator, applicant = users.get(username="demo-regulator"), users.get(username="demo-applicant")
    for name, (rows, _) in _officer_sections(officer).items():
        yield f"desk {name} (first {DESK_ROWS})", rows[:DESK_ROWS]
        counted = rows if name in ORDERED_COUNT else rows.order_by()  # as portal.paging counts it
        yield f"desk {name} count (≤{DESK_COUNT_CAP})", counted[: DESK_COUNT_CAP + 1].values("pk")
    for who, user in (("officer", officer), *other_officers(), ("clerk", clerk), ("regulator", regulator),
                      ("applicant", applicant)):
        # as the API reads them (selectors.applications_listed, portal.api_paging)
        rows, counted = selectors.applications_listed(user, lambda qs: qs, rows=51, counted=COUNT_CAP + 1)
        yield f"api applications as {who} (page 1)", rows[:50]
        deep, _ = selectors.applications_listed(user, lambda qs: qs, rows=1001, counted=COUNT_CAP + 1)
        yield f"api applications as {who} (page 20)", deep[950:1000]
        yield f"api applications as {who} count (≤{COUNT_CAP})", counted.order_by()[: COUNT_CAP + 1]
    today = timezone.localdate()
    for who, user, sources in (("clerk", clerk, start._clerk), ("officer", officer, start._officer)):
        for name, (rows, _) in sources(user, today).items():  # 我的首页: the first rows and the count of each
            yield f"start page, {who}: {name} (first {start.START_ROWS})", rows[: start.START_ROWS]
            yield f"start page, {who}: {name} count (≤{DESK_COUNT_CAP})", rows.order_by()[: DESK_COUNT_CAP + 1]
    mine = selectors.applications_of_user(applicant)
    yield "my applications (page 1)", mine[:20]
    busiest = Application.objects.values("applicant").order_by().annotate(n=django.db.models.Count("id")) \
        .order_by("-n").first()
    from licensing.models import Applicant
    yield (f"window applicant ({busiest['n']} applications)",
           selectors.applications_of_applicant(Applicant.objects.get(pk=busiest["applicant"]))[:20])
    inspections = queue.inspections_for(regulator)
    yield "regulator queue (page 1)", inspections[:50]
    yield "regulator queue overdue", queue.queue_filter(inspections, overdue="true")[:50]
    yield f"regulator queue count (≤{COUNT_CAP})", inspections.order_by()[: COUNT_CAP + 1].values("pk")
    yield "regulator inbox (page 1)", inbox_for(regulator)[:50]


def main():
    show = "--plans" in sys.argv
    if connection.vendor != "postgresql":
        sys.exit("EXPLAIN ANALYZE needs PostgreSQL: set DATABASE_URL to a database seeded by seed_volume.")
    total = Application.objects.count()
    ref = reference_ms()
    print(f"{total:,} applications; reference, one application by its number: {ref:.3f} ms (median of 20)\n")
    for label, qs in lists():
        report(label, qs, ref, show)


if __name__ == "__main__":
    main()
