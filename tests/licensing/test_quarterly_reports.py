"""The quarterly reports (issue 14; 钦政发〔2019〕20号: each department reports its quarter by the 5th of the
next quarter's first month, the lead unit by the 10th).

One quarter is built through the services, time frozen in Qinzhou: 2024's fourth quarter (1 October to
31 December; 1-7 October off for National Day, Saturday 12 October a make-up working day). Item 13
(旅馆业特种行业许可证核发, 实行告知承诺) is decided by the county police (the officer's organisation, D03),
which also examines item 75 first (优化准入服务); its records go to the item's regulator.

The report's numbers are checked against what the pages list for the same rows: the efficiency page
(电子监察) month by month, the regulator's desk, the SLA page (推送时效) and the applications API.
"""
import datetime as dt
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from licensing import services, tasks
from licensing.constants import Channel, ReformMode
from licensing.models import Item, QuarterlyReport
from licensing.reports import files
from licensing.reports.figures import department_figures
from licensing.reports.periods import Quarter, parse_quarter
from licensing.reports.services import quarterly_report_generate
from notices.constants import Destination
from notices.outbox import outbox_deliver
from portal.constants import OrgKind, Role
from portal.exceptions import InvalidInput
from portal.models import AuditEvent
from supervision import services as supervision_services
from supervision.constants import CreditReason, InspectionStatus
from supervision.models import CreditRecord, DrawPick, DrawPlan, Inspection
from tests.factories import (
    ApplicationFactory, OrganisationFactory, UserFactory, commitment_application, files_owed_at_commitment,
)

pytestmark = pytest.mark.django_db

Q4 = Quarter(2024, 4)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
API = "/api/v1/reports/quarterly/"


# --- the quarter -------------------------------------------------------------------------------------

class World:
    """What happened in 2024's fourth quarter, each application by name."""


def _online(item, enterprise, applicant_user, **kwargs):
    return services.application_submit(item=item, applicant=enterprise, actor=applicant_user, channel=Channel.ONLINE,
                                       **kwargs)


def _assigned(inspection, regulator):
    colleague = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation)
    return supervision_services.inspection_assign(inspection=inspection, inspectors=[regulator, colleague],
                                                  actor=regulator)


def _drawn_inspection(application, regulator, at):
    """A random draw (双随机) of the regulator picked the applicant on 25 November."""
    with at(2024, 11, 25):
        plan = DrawPlan.objects.create(
            number="CC2024-0001", organisation=regulator.organisation, title="2024年第四季度旅馆业双随机抽查",
            licensed_from=dt.date(2024, 1, 1), licensed_until=dt.date(2024, 11, 24), sample_count=1,
            due_date=dt.date(2024, 12, 20), created_by=regulator, created_at=dt.datetime(2024, 11, 25, tzinfo=dt.UTC))
        pick = DrawPick.objects.create(plan=plan, order=1, pool_no=1, applicant=application.applicant)
        return Inspection.objects.create(application=application, pick=pick, regulator=regulator.organisation,
                                         authority=application.authority, due_date=dt.date(2024, 12, 20))


@pytest.fixture
def quarter(commitment_item, enterprise, applicant_user, clerk, officer, regulator, at):
    w = World()
    item = commitment_item
    # Filed online on Friday 27 September (Q3): the notice was due Tuesday 8 October, issued 9 October.
    with at(2024, 9, 27):
        w.before = _online(item, enterprise, applicant_user)
    with at(2024, 10, 9):
        services.application_issue_notice(application=w.before, actor=officer)
    # Filed online on Monday 14 October; the notice, due Thursday 17th, issued Monday 21st (2 working days
    # late); committed and decided on the spot that day.
    with at(2024, 10, 14):
        w.late_notice = _online(item, enterprise, applicant_user)
    with at(2024, 10, 21, 10):
        w.late_notice = services.application_issue_notice(application=w.late_notice, actor=officer)
        w.late_notice = services.application_commit(
            application=w.late_notice, actor=applicant_user, kind="already_meets", confirmations=[True] * 7,
            signatory="张三", files=files_owed_at_commitment(w.late_notice))
        w.late_notice = services.application_decide(application=w.late_notice, actor=officer)
    # Committed at the window on 14 October, decided the next day: 1 working day late.
    with at(2024, 10, 14, 9):
        w.late_decision = commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer,
                                                 until="committed")
    with at(2024, 10, 15, 9):
        w.late_decision = services.application_decide(application=w.late_decision, actor=officer)
    # Decided at the window on the spot on 4 November, revoked on 20 November into the credit record.
    with at(2024, 11, 4, 9):
        w.revoked = commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer)
    with at(2024, 11, 20, 9):
        w.revoked = services.application_revoke(application=w.revoked, actor=officer, reason="检查发现承诺内容不实。",
                                                credit_reason=CreditReason.FALSE_COMMITMENT)
    # Item 75 (优化准入服务), which the county police examines first (审查), filed 11 November.
    with at(2024, 11, 11):
        w.examined = services.application_accept(
            application=_online(Item.objects.get(code="QZ-075"), enterprise, applicant_user), actor=officer)
    # Item 13 by the ordinary procedure (the applicant declined to commit), 2 December.
    with at(2024, 12, 2):
        w.ordinary = services.application_accept(
            application=_online(item, enterprise, applicant_user, wants_commitment=False), actor=officer)
    # On either side of the quarter's end: the last minute of 31 December is in it, midnight is not.
    with at(2024, 12, 31, 23, 59):
        w.last_minute = _online(item, enterprise, applicant_user)
    with at(2025, 1, 1, 0, 0):
        w.next_quarter = _online(item, enterprise, applicant_user)
    _inspect(w, regulator, at)
    _push(w, at)
    return w


def _inspect(w, regulator, at):
    """The regulator's checks: one found true (2 December), one sent to rectify (3 December; still open
    and past its due date at the quarter's end), the revoked one cancelled, one drawn at random and
    found true (4 December)."""
    with at(2024, 12, 2):
        supervision_services.inspection_record_result(
            inspection=_assigned(w.late_notice.inspection, regulator), actor=regulator, outcome="conforms",
            note="现场核查，承诺属实。")
    with at(2024, 12, 3):
        supervision_services.inspection_record_result(
            inspection=_assigned(w.late_decision.inspection, regulator), actor=regulator, outcome="rectify",
            note="消防设施不全。", rectify_within_days=20)
    w.drawn = _drawn_inspection(w.late_notice, regulator, at)
    with at(2024, 12, 4):
        supervision_services.inspection_record_result(
            inspection=_assigned(w.drawn, regulator), actor=regulator, outcome="conforms", note="抽查属实。")


def _records(application):
    return list(application.outbox_records.filter(destination=Destination.INBOX))


def _push(w, at):
    """The late-notice decision's records delivered the next day (in time: 3 working days); the late
    decision's on 25 October, past their due time (Friday 18 October); the others never."""
    with at(2024, 10, 22):
        for record in _records(w.late_notice):
            assert outbox_deliver(record.pk)
    with at(2024, 10, 25):
        for record in _records(w.late_decision):
            assert outbox_deliver(record.pk)


@pytest.fixture
def report(quarter, officer, at):
    """The county police's report, made by the beat job's hour on 1 January."""
    with at(2025, 1, 1, 1, 30):
        return quarterly_report_generate(organisation=officer.organisation, year=2024, quarter=4)


def figures_now(organisation, at):
    with at(2025, 1, 1, 1, 30):
        return department_figures(organisation, Q4)


def step(figures_steps, kind):
    return next(s for s in figures_steps if s["kind"] == kind)


# --- the figures ---------------------------------------------------------------------------------------

def test_the_authority_s_quarter_in_figures(quarter, report, officer):
    figures = report.figures
    assert figures["organisation"]["name"] == officer.organisation.name
    assert (figures["year"], figures["quarter"], figures["label"]) == (2024, 4, "2024年第4季度")
    by_mode = {row["mode"]: row["count"] for row in figures["applications"]["by_mode"]}
    # item 13 four times and the last minute of 31 December; item 75 examined first; not September's, not
    # January's
    assert by_mode == {ReformMode.CANCEL: 0, ReformMode.FILING: 0, ReformMode.COMMITMENT: 5, ReformMode.OPTIMISE: 1}
    assert figures["applications"]["total"] == 6
    steps = figures["steps"]["quarter"]
    assert (step(steps, "notice")["on_time"], step(steps, "notice")["late"], step(steps, "notice")["late_days"]) == (0, 2, 3)
    assert (step(steps, "decision")["on_time"], step(steps, "decision")["late"]) == (2, 1)
    assert figures["steps"]["total"]["total"] == 5
    assert figures["revocations"]["total"] == figures["revocations"]["by_officers"] == 1
    assert [r["number"] for r in figures["revocations"]["rows"]] == [quarter.revoked.number]
    assert figures["credit_records"]["total"] == 1
    assert figures["credit_records"]["rows"][0]["reason"] == CreditReason.FALSE_COMMITMENT
    pushes = figures["pushes"]
    assert pushes["on_time"] == len(_records(quarter.late_notice)) > 0
    assert pushes["late"] == len(_records(quarter.late_decision)) > 0
    assert pushes["undelivered"] > 0
    assert pushes["due"] == pushes["on_time"] + pushes["late"] + pushes["undelivered"]
    # an approval authority inspects nothing: the section is there, with zeros
    assert set(figures["inspections"].values()) == {0}


def test_the_regulator_s_quarter_in_figures(quarter, regulator, at):
    figures = figures_now(regulator.organisation, at)
    assert figures["inspections"] == {
        "passed": 2, "failed": 0, "done": 2, "rectify": 1, "cancelled": 1, "done_from_draws": 1, "drawn": 1,
        "open_at_end": 1, "overdue_at_end": 1}
    # a regulator approves nothing: every other section is there, with zeros
    assert figures["applications"]["total"] == 0
    assert figures["steps"]["total"]["total"] == 0
    assert figures["revocations"]["total"] == figures["credit_records"]["total"] == figures["pushes"]["due"] == 0


def test_a_revocation_by_the_beat_job_counts_for_the_deciding_authority(commitment_item, officer, at):
    """附件3 第六条: materials due after the decision never came; the job revokes in the authority's name."""
    with at(2024, 10, 14):
        late = ApplicationFactory(item=commitment_item, officer=officer, channel=Channel.WINDOW, decided=True)
    with at(2024, 11, 12, 0):
        assert tasks.revoke_for_overdue_materials.apply().result == [late.number]
    figures = figures_now(officer.organisation, at)
    assert (figures["revocations"]["by_officers"], figures["revocations"]["by_portal"]) == (0, 1)
    assert figures["credit_records"]["rows"][0]["reason"] == CreditReason.MISSING_MATERIALS


# --- the numbers equal the pages ----------------------------------------------------------------------

def test_each_month_s_steps_equal_the_efficiency_page_of_that_month(quarter, report, login, officer, at):
    client = login(officer)
    for month in report.figures["steps"]["months"]:
        with at(2025, 1, 1, 9):
            page = client.get(reverse("records-efficiency"), {"month": month["month"]})
        assert page.status_code == 200
        shown = {s.kind: (s.on_time, s.late, s.late_days) for row in page.context["rows"] for s in row["steps"]}
        counted = {s["kind"]: (s["on_time"], s["late"], s["late_days"]) for s in month["steps"] if s["total"]}
        assert counted == shown, month["month"]
    assert [m["total"]["total"] for m in report.figures["steps"]["months"]] == [4, 1, 0]


def test_the_inspections_equal_the_regulator_s_desk(quarter, login, regulator, at):
    figures = figures_now(regulator.organisation, at)
    client = login(regulator)
    with at(2024, 12, 31, 17):  # every check of the quarter was closed in December: "本月办结"
        desk = client.get(reverse("regulator-desk"))
        passed = client.get(reverse("regulator-desk"), {"status": InspectionStatus.PASSED})
    assert desk.context["counts"].done_this_month == figures["inspections"]["done"]
    assert passed.context["page"].paginator.count == figures["inspections"]["passed"]
    with at(2025, 1, 1, 1):  # as the quarter ended: still open, and past due
        desk = client.get(reverse("regulator-desk"))
        open_now = client.get(reverse("regulator-desk"), {"status": InspectionStatus.RECTIFY})
    assert desk.context["counts"].overdue == figures["inspections"]["overdue_at_end"]
    assert open_now.context["page"].paginator.count == figures["inspections"]["open_at_end"]


def test_the_pushes_equal_the_sla_page(quarter, report, login, officer, at):
    pushes = report.figures["pushes"]
    with at(2025, 1, 1, 1, 30):
        page = login(officer).get(reverse("records-sla"))
    in_quarter = [r for r in page.context["missed"] if Q4.start <= r.due_at < Q4.end]
    assert len(in_quarter) == pushes["missed"] == pushes["late"] + pushes["undelivered"]
    delivered = [r for r in page.context["delivered"] if Q4.start <= r.due_at < Q4.end]
    assert sum(r.delivered_on_time for r in delivered) == pushes["on_time"]
    assert sum(not r.delivered_on_time for r in delivered) == pushes["late"]


def test_the_applications_equal_the_officer_s_list_in_the_api(quarter, report, login, officer, at):
    with at(2025, 1, 1, 9):
        rows = login(officer).get("/api/v1/applications/").json()["results"]
    in_quarter = [r for r in rows if Q4.start <= dt.datetime.fromisoformat(r["submitted_at"]) < Q4.end]
    for row in report.figures["applications"]["by_mode"]:
        assert row["count"] == sum(r["reform_mode"] == row["mode"] for r in in_quarter), row["mode"]


def test_the_credit_records_are_those_the_authority_made_in_the_quarter(quarter, report, officer):
    made = CreditRecord.objects.filter(organisation=officer.organisation, recorded_at__gte=Q4.start,
                                       recorded_at__lt=Q4.end)
    assert [r["number"] for r in report.figures["credit_records"]["rows"]] == [r.application.number for r in made]


def test_the_credit_records_equal_the_authority_s_list_in_the_api_and_the_public_page(
        quarter, report, login, officer, client, at):
    with at(2025, 1, 1, 9):
        own = login(officer).get("/api/v1/credit-records/").json()["results"]
        client.logout()
        public = client.get("/api/v1/credit-records/").json()["results"]
    in_quarter = [r for r in own if Q4.start.date() <= dt.date.fromisoformat(r["recorded_on"]) < Q4.end.date()]
    assert report.figures["credit_records"]["total"] == len(in_quarter) == 1
    # unrepaired, so also public (信用公示)
    assert {r["id"] for r in in_quarter} <= {r["id"] for r in public}


# --- the files --------------------------------------------------------------------------------------------

def test_the_workbook_has_a_titled_sheet_per_section_holding_the_numbers(report, officer):
    with report.xlsx.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    assert book.sheetnames == ["办件受理", "办理时效", "事后核查", "撤销许可", "诚信档案", "审批信息推送", "好差评"]
    for sheet in book.worksheets:
        assert officer.organisation.name in sheet["A1"].value and "2024年第4季度" in sheet["A1"].value
    rows = {row[0]: row[1:] for row in book["办件受理"].iter_rows(values_only=True) if row[0]}
    assert rows["实行告知承诺"][0] == 5 and rows["优化准入服务"][0] == 1 and rows["合计"][0] == 6
    steps = {row[0]: row[1:5] for row in book["办理时效"].iter_rows(min_row=6, max_row=8, values_only=True)}
    assert steps["出具告知书"] == (2, 0, 2, 3) and steps["作出许可决定"] == (3, 2, 1, 1)
    pushes = {row[0]: row[1] for row in book["审批信息推送"].iter_rows(values_only=True) if row[0]}
    assert pushes["超时推送"] == report.figures["pushes"]["late"]
    revoked = [row[0] for row in book["撤销许可"].iter_rows(values_only=True)]
    assert quarter_number(report) in revoked


def quarter_number(report):
    return report.figures["revocations"]["rows"][0]["number"]


def test_the_pdf_is_an_a4_report_with_the_department_s_name_and_svg_charts(report, officer):
    with report.pdf.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert officer.organisation.name in text and "2024年第4季度" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    html = files.report_document(report.figures).html
    assert html.count("<svg") == 7 and "<title>按期与逾期办理的环节数</title>" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


# --- making them ------------------------------------------------------------------------------------------

def test_the_beat_job_run_twice_makes_one_report_per_department(quarter, officer, regulator, at):
    idle = OrganisationFactory(name="没有工作人员的机构")  # no officer or regulator: nothing to report to
    with at(2025, 1, 1, 1, 30):
        first = tasks.generate_quarterly_reports.apply().result
        second = tasks.generate_quarterly_reports.apply().result
    assert sorted(first) == sorted(f"{o.code} 2024Q4" for o in (officer.organisation, regulator.organisation))
    assert second == []
    assert QuarterlyReport.objects.filter(year=2024, quarter=4).count() == 2
    assert not QuarterlyReport.objects.filter(organisation=idle).exists()
    for report in QuarterlyReport.objects.all():
        assert default_storage.exists(report.xlsx.name) and default_storage.exists(report.pdf.name)


def test_a_report_once_made_is_kept_unless_made_again_on_purpose(report, officer, at):
    with at(2025, 2, 1):
        again = quarterly_report_generate(organisation=officer.organisation, year=2024, quarter=4, actor=officer)
    assert (again.pk, again.pdf.name, again.figures) == (report.pk, report.pdf.name, report.figures)
    with at(2025, 2, 1):
        remade = quarterly_report_generate(organisation=officer.organisation, year=2024, quarter=4, actor=officer,
                                           regenerate=True)
    assert remade.pk == report.pk and remade.pdf.name != report.pdf.name
    assert remade.figures["applications"] == report.figures["applications"]
    assert AuditEvent.objects.filter(action="report_generate", actor=officer).count() == 1


def test_a_quarter_that_has_not_ended_is_refused(officer, at):
    with at(2024, 12, 31, 23, 59), pytest.raises(InvalidInput) as refused:
        quarterly_report_generate(organisation=officer.organisation, year=2024, quarter=4)
    assert "尚未结束" in refused.value.message
    assert not QuarterlyReport.objects.exists()


@pytest.mark.parametrize(("year", "quarter", "field"), [
    ("", "4", "year"), ("2024", "", "quarter"), ("二〇二四", "4", "year"), ("2024", "5", "quarter"),
    ("2018", "4", "year"), ("99999999999999999999", "1", "year"), ("2024", "-1", "quarter")])
def test_a_year_and_quarter_that_name_no_quarter_are_refused_in_chinese(year, quarter, field, at):
    with at(2025, 3, 1), pytest.raises(InvalidInput) as refused:
        parse_quarter(year, quarter)
    assert field in refused.value.errors


# --- the API ------------------------------------------------------------------------------------------------

def api_get(client, accept=None, **params):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    return client.get(API, params, **headers)


def test_the_api_answers_the_figures_or_the_files_by_accept(report, login, officer, at):
    client = login(officer)
    with at(2025, 1, 2):
        for accept in ("application/json", "*/*", None):
            answer = api_get(client, accept, year=2024, quarter=4)
            assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
            assert answer.json()["applications"] == report.figures["applications"]
        workbook = api_get(client, XLSX, year=2024, quarter=4)
        pdf = api_get(client, "application/pdf", year=2024, quarter=4)
    assert workbook.status_code == 200 and workbook["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames[0] == "办件受理"
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]
    assert QuarterlyReport.objects.count() == 1  # the same report every time


def test_the_api_makes_a_missing_report_on_demand(quarter, login, regulator, at):
    with at(2025, 1, 2):
        answer = api_get(login(regulator), year="2024", quarter="4")
    assert answer.status_code == 200
    assert answer.json()["inspections"]["passed"] == 2
    assert QuarterlyReport.objects.filter(organisation=regulator.organisation).count() == 1


@pytest.mark.parametrize(("params", "says"), [
    ({}, "缺少参数 year"), ({"year": "2024"}, "缺少参数 quarter"), ({"year": "abc", "quarter": "4"}, "年度"),
    ({"year": "2025", "quarter": "1"}, "尚未结束"), ({"year": "2024", "quarter": "9"}, "季度")])
def test_the_api_refuses_bad_input_with_400_in_chinese_whatever_was_accepted(params, says, login, officer, at):
    client = login(officer)
    for accept in ("application/json", "application/pdf", XLSX):
        with at(2025, 1, 2):
            answer = api_get(client, accept, **params)
        assert answer.status_code == 400
        assert says in answer.json()["detail"]
    assert not QuarterlyReport.objects.exists()


def test_the_api_shows_no_other_department_s_report_except_to_the_admin(
        quarter, login, officer, other_officer, admin_user, applicant_user, clerk, at):
    code = officer.organisation.code
    with at(2025, 1, 2):
        assert api_get(login(other_officer), year=2024, quarter=4, organisation=code).status_code == 403
        assert api_get(login(applicant_user), year=2024, quarter=4).status_code == 403
        assert api_get(login(clerk), year=2024, quarter=4).status_code == 403
        admin = login(admin_user)
        assert api_get(admin, year=2024, quarter=4).status_code == 400  # the admin names the department
        assert api_get(admin, year=2024, quarter=4, organisation="NOPE").status_code == 404
        answer = api_get(admin, year=2024, quarter=4, organisation=code)
    assert answer.status_code == 200 and answer.json()["organisation"]["code"] == code


def test_an_accept_the_api_cannot_answer_is_refused_in_chinese(login, officer, at):
    with at(2025, 1, 2):
        answer = api_get(login(officer), "text/csv", year=2024, quarter=4)
    assert answer.status_code == 406 and answer["Content-Type"].startswith("application/json")
    assert "Accept" in answer.json()["detail"]
    assert not QuarterlyReport.objects.exists()


def test_the_api_wants_a_signed_in_caller(client):
    assert api_get(client, year=2024, quarter=4).status_code == 401


# --- the pages --------------------------------------------------------------------------------------------

def test_the_officer_s_desk_links_to_the_reports_which_list_made_and_missing_quarters(report, login, officer, at):
    client = login(officer)
    with at(2025, 1, 2):
        assert reverse("reports-desk") in client.get(reverse("officer-desk")).content.decode()
        page = client.get(reverse("reports-desk")).content.decode()
    assert reverse("report-xlsx", args=[2024, 4]) in page and reverse("report-pdf", args=[2024, 4]) in page
    assert reverse("report-generate", args=[2024, 3]) in page  # the quarter before: not made yet


def test_the_regulator_s_desk_links_to_the_reports(login, regulator, at):
    with at(2025, 1, 2):
        assert reverse("reports-desk") in login(regulator).get(reverse("regulator-desk")).content.decode()


def test_the_report_page_shows_the_figures_and_the_downloads_give_the_files(report, login, officer, at):
    client = login(officer)
    with at(2025, 1, 2):
        page = client.get(reverse("report-detail", args=[2024, 4]))
        workbook = client.get(reverse("report-xlsx", args=[2024, 4]))
        pdf = client.get(reverse("report-pdf", args=[2024, 4]))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and quarter_number(report) in html
    assert workbook["Content-Type"] == XLSX and b"".join(workbook.streaming_content).startswith(b"PK")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_the_button_makes_a_missing_report_once(quarter, login, regulator, at):
    client = login(regulator)
    with at(2025, 1, 2):
        assert client.get(reverse("report-xlsx", args=[2024, 4])).status_code == 404  # not made yet
        first = client.post(reverse("report-generate", args=[2024, 4]))
        second = client.post(reverse("report-generate", args=[2024, 4]))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("report-detail", args=[2024, 4])
    assert QuarterlyReport.objects.filter(organisation=regulator.organisation).count() == 1


def test_the_button_refuses_a_quarter_not_ended(login, officer, at):
    with at(2025, 1, 2):
        answer = login(officer).post(reverse("report-generate", args=[2025, 1]))
    assert answer.status_code == 400 and "尚未结束" in answer.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_the_admin_picks_the_department(report, login, admin_user, officer, at):
    client = login(admin_user)
    code = officer.organisation.code
    with at(2025, 1, 2):
        picker = client.get(reverse("reports-desk"))
        listed = client.get(reverse("reports-desk"), {"organisation": code})
        unknown = client.get(reverse("reports-desk"), {"organisation": "NOPE"})
    assert picker.status_code == 200 and f'value="{code}"' in picker.content.decode()
    assert f"{reverse('report-pdf', args=[2024, 4])}?organisation={code}" in listed.content.decode()
    assert unknown.status_code == 404


def test_applicants_and_clerks_are_refused_and_visitors_sign_in(client, login, applicant_user, clerk):
    assert client.get(reverse("reports-desk"))["Location"].startswith("/accounts/login/")
    assert login(applicant_user).get(reverse("reports-desk")).status_code == 403
    assert login(clerk).get(reverse("reports-desk")).status_code == 403


def test_another_department_s_report_is_refused(report, login, other_officer, officer, at):
    with at(2025, 1, 2):
        answer = login(other_officer).get(reverse("report-pdf", args=[2024, 4]),
                                          {"organisation": officer.organisation.code})
    assert answer.status_code == 403


def test_the_json_of_the_figures_is_what_the_report_keeps(report):
    """The figures are stored as JSON (QuarterlyReport.figures): nothing in them needs a custom encoder."""
    assert json.loads(json.dumps(report.figures)) == report.figures
    assert OrgKind.AUTHORITY == report.figures["organisation"]["kind"]
