"""统计看板 (issue 15): decisions by reform mode per month, steps on time and late, inspections due and overdue
per week, deliveries within 3 working days. Officers and regulators see their own organisation's figures, the
admin every one's; each chart is drawn from the figures of the table beside it, which downloads as CSV."""
import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import Channel, ReformMode
from licensing.selectors.dashboards import FIGURES, MONTHS, WEEKS, months_to, weeks_around
from notices.constants import OutboxStatus
from notices.models import OutboxRecord
from notices.outbox import outbox_deliver
from tests import clock, lists
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

TODAY = (2024, 10, 14)  # a Monday


def dashboard(client, **query):
    response = client.get(reverse("dashboard"), query)
    assert response.status_code == 200, response.content[:300]
    return response


def figure_of(response, key):
    return next(figure for figure, _chart in response.context["figures"] if figure.key == key)


def row(figure, label):
    return next(r.values for r in figure.rows if r.label.startswith(label))


def deliver_all():
    for pk in OutboxRecord.objects.filter(status=OutboxStatus.PENDING).values_list("pk", flat=True):
        outbox_deliver(pk)


# --- who sees it -----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [("officer", 200), ("regulator", 200), ("admin_user", 200),
                                             ("applicant_user", 403), ("clerk", 403)])
def test_staff_who_read_reports_open_the_dashboard_and_no_one_else(request, login, persona, status):
    assert login(request.getfixturevalue(persona)).get(reverse("dashboard")).status_code == status


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the periods -----------------------------------------------------------------------------------

def test_the_months_are_the_last_twelve_and_the_weeks_eight_on_each_side():
    months = months_to(dt.date(2024, 3, 31))
    assert len(months) == MONTHS and months[0] == dt.date(2023, 4, 1) and months[-1] == dt.date(2024, 3, 1)
    weeks = weeks_around(dt.date(*TODAY) + dt.timedelta(days=3))  # a Thursday
    assert len(weeks) == 2 * WEEKS and weeks[WEEKS] == dt.date(*TODAY)
    assert weeks[0] == dt.date(2024, 8, 19) and weeks[-1] == dt.date(2024, 12, 2)


# --- the figures -----------------------------------------------------------------------------------

def test_decisions_are_counted_per_month_and_reform_mode_for_the_officers_authority(
        at, login, officer, other_officer, admin_user, commitment_item):
    with at(2024, 9, 10):
        ApplicationFactory(filed=True)  # filed on receipt: another authority's
        ApplicationFactory(reform_mode=ReformMode.OPTIMISE, approved=True)
        ApplicationFactory(committed=True, item=commitment_item, officer=officer)  # not decided yet
    with at(2024, 10, 8):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        ApplicationFactory(rejected=True, item=commitment_item, officer=officer)
    with at(*TODAY):
        labels = [m.label for m in ReformMode] + ["合计"]
        mine = figure_of(dashboard(login(officer)), "decisions")
        assert [c.name for c in mine.columns] == labels and len(mine.rows) == MONTHS
        assert mine.rows[-1].label == "2024-10" and mine.rows[0].label == "2023-11"
        assert row(mine, "2024-10") == [0, 0, 2, 0, 2] and row(mine, "2024-09") == [0, 0, 0, 0, 0]
        everyone = figure_of(dashboard(login(admin_user)), "decisions")
        assert row(everyone, "2024-10") == [0, 0, 2, 0, 2] and row(everyone, "2024-09") == [0, 1, 0, 1, 2]
        theirs = figure_of(dashboard(login(other_officer)), "decisions")
        assert all(r.values[-1] == 0 for r in theirs.rows)


def test_steps_on_time_and_late_are_the_efficiency_pages_counts(at, login, officer, other_officer, commitment_item):
    with at(2024, 10, 8):
        on_time = ApplicationFactory(item=commitment_item, channel=Channel.MAIL, officer=officer)
        late = ApplicationFactory(item=commitment_item, channel=Channel.MAIL, officer=officer)
        services.application_issue_notice(application=on_time, actor=officer)
    with at(*TODAY):
        services.application_issue_notice(application=late, actor=officer)  # due 11 October
        mine = figure_of(dashboard(login(officer)), "steps")
        assert row(mine, "2024-10") == [1, 1, "50.0%"] and row(mine, "2024-09") == [0, 0, "—"]
        assert row(figure_of(dashboard(login(other_officer)), "steps"), "2024-10") == [0, 0, "—"]


def test_inspections_are_counted_by_the_week_they_fall_due_overdue_or_due(
        at, login, officer, regulator, other_regulator, commitment_item):
    for day in [(2024, 8, 1), (2024, 9, 2), (2024, 9, 3), (2024, 10, 14)]:
        with at(*day):  # checks due 8 Oct (after the National Day holiday), 4 Nov, 4 Nov, 16 Dec (beyond)
            ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(*TODAY):
        weeks = figure_of(dashboard(login(regulator)), "inspections")
        assert len(weeks.rows) == 2 * WEEKS and weeks.rows[0].label == "2024-08-19 – 2024-08-25"
        assert row(weeks, "2024-10-07") == [0, 1] and row(weeks, "2024-11-04") == [2, 0]
        assert sum(r.values[0] + r.values[1] for r in weeks.rows) == 3
        assert figure_of(dashboard(login(officer)), "inspections").rows == weeks.rows  # its decisions' checks
        assert all(r.values == [0, 0] for r in figure_of(dashboard(login(other_regulator)), "inspections").rows)


def test_deliveries_within_3_working_days_are_counted_per_month(at, login, officer, regulator, other_regulator,
                                                                commitment_item):
    with at(2024, 10, 8):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        deliver_all()  # on time
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)  # due 11 October, never delivered
    with at(*TODAY):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)  # due 17 October
        for reader in (officer, regulator):
            assert row(figure_of(dashboard(login(reader)), "deliveries"), "2024-10") == [1, 1, 1, "50.0%"]
        nothing = figure_of(dashboard(login(other_regulator)), "deliveries")
        assert all(r.values[:3] == [0, 0, 0] for r in nothing.rows)


# --- chart, table and CSV agree ------------------------------------------------------------------------

class _Page(HTMLParser):
    """Each figure's chart (its columns' data-value, in order) and its table (the body's cells, by row)."""

    def __init__(self):
        super().__init__()
        self.charts, self.tables, self.svgs = {}, {}, {}
        self._section = self._table = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "report-section":
            self._section = attrs["id"]
            self.charts[self._section], self.tables[self._section] = [], []
        elif tag == "svg" and self._section:
            self.svgs[self._section] = attrs
        elif tag == "rect" and "data-value" in attrs:
            self.charts[self._section].append(int(attrs["data-value"]))
        elif tag == "tbody" and self._section:
            self._table = self.tables[self._section]
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(self._cell.strip())
            self._cell = None
        elif tag == "tbody":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_every_chart_draws_the_figures_of_the_table_beside_it(at, login, admin_user, officer, commitment_item):
    with at(2024, 8, 1):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(2024, 10, 8):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        ApplicationFactory(filed=True)
        deliver_all()
    with at(*TODAY):
        response = dashboard(login(admin_user))
    page = _Page()
    page.feed(response.content.decode())
    assert set(page.charts) == set(FIGURES)
    for figure, _chart in response.context["figures"]:
        table = page.tables[figure.key]
        assert [cells[0] for cells in table] == [r.label for r in figure.rows]
        charted = [n for n, column in enumerate(figure.columns) if column.colour]
        # the columns, category by category and series by series, are the table's charted cells
        assert page.charts[figure.key] == [int(cells[1 + n]) for cells in table for n in charted]
        assert sum(page.charts[figure.key]) > 0, figure.key
        svg = page.svgs[figure.key]
        assert svg["role"] == "img" and svg["aria-label"] == figure.title
    assert re.search(r'<caption>按改革方式统计的每月办结件数</caption>', response.content.decode())


def test_each_table_downloads_as_csv(at, login, officer, commitment_item):
    with at(2024, 10, 8):
        ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(*TODAY):
        client = login(officer)
        shown = figure_of(dashboard(client), "decisions")
        response = client.get(reverse("dashboard"), {"format": "csv", "figure": "decisions"})
        page = dashboard(client).content.decode()
    assert page.count("?format=csv&amp;figure=") == len(FIGURES)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="dashboard-decisions-20241014.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text[1:])))
    assert lines == [[str(cell) for cell in line] for line in shown.table]
    assert lines[0][0] == "月份" and lines[-1] == ["2024-10", "0", "0", "1", "0", "1"]


@pytest.mark.parametrize("query", [{"format": "xlsx", "figure": "decisions"}, {"format": "csv"},
                                   {"format": "csv", "figure": "nonsense"}, {"format": "csv", "figure": "\x00"}])
def test_a_download_that_cannot_be_made_is_refused_with_a_reason(login, officer, query):
    response = login(officer).get(reverse("dashboard"), query)
    assert response.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", response.content.decode())


def test_the_dashboard_is_refused_before_anything_is_exported(login, applicant_user):
    response = login(applicant_user).get(reverse("dashboard"), {"format": "csv", "figure": "decisions"})
    assert response.status_code == 403


# --- the same queries however many rows ------------------------------------------------------------------

ROWS = [lists.decided, lists.record_missed, lists.late_notice, lists.filed, lists.rectifying]


def test_the_dashboard_aggregates_in_the_database_one_query_per_chart(settings, tmp_path):
    """Two steps of rows, then six: the same queries for every reader (each figure one grouped query)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path
    world = lists.build_world()
    readers = {"officer": world.officer, "regulator": world.regulator, "admin": world.admin}
    clients = {name: lists.client_for(user) for name, user in readers.items()}
    found = {}
    for steps in (2, 6):
        lists.grow(world, ROWS, steps)
        with clock.at(*lists.LATER):
            for name, client in clients.items():
                found.setdefault(name, []).append(lists.measure(client, reverse("dashboard"), cache))
    for name, (small, large) in found.items():
        for taken in (small, large):
            assert taken.error is None, taken.error
            assert taken.response.status_code == 200
        figures = {figure.key: figure for figure, _chart in large.response.context["figures"]}
        assert any(r.values[-1] for r in figures["decisions"].rows), name
        grown = "\n".join(lists.grown(small, large))
        assert small.count == large.count, f"{name}: {small.count} queries, then {large.count}:\n{grown}"
