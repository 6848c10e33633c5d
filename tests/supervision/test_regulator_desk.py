"""Issue 10, the regulator's workbench in the browser (核查工作台): the queue of its own organisation by
due date with the overdue ones standing out, its filters, counts and xlsx export; one check worked
from assignment to a result, a rectification and a failed re-inspection that asks for revocation;
the on-site files, judged by content and downloaded with an audit row.

Checks arrive the real way: a decision through licensing's services schedules them.
"""
import datetime as dt
import html
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.constants import Role
from portal.models import AuditAction, AuditEvent
from supervision import services
from supervision.constants import InspectionStatus, RevocationRequestStatus
from supervision.models import InspectionFile, InspectionResult, RevocationRequest
from supervision.web_inspections import COLUMNS
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, ready_commitment_item, route_item
from tests.supervision.inbox_world import deliver_all

pytestmark = pytest.mark.django_db

DESK = reverse("regulator-desk")
EXPORT = reverse("regulator-desk-export")
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def text(response) -> str:
    return html.unescape(response.content.decode())


def page_of(inspection) -> str:
    return reverse("regulator-inspection", args=[inspection.pk])


def assign_url(inspection) -> str:
    return reverse("regulator-inspection-assign", args=[inspection.pk])


def result_url(inspection) -> str:
    return reverse("regulator-inspection-result", args=[inspection.pk])


def photo(name="现场照片.jpg"):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def rows_of(page: str) -> list[str]:
    """The table rows of the queue, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return body.split("<tr")[1:]


@pytest.fixture
def colleague_inspector(regulator):
    return UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="第二核查员")


@pytest.fixture
def decided_on(at, commitment_item):
    """An application of `item` (item 13 by default) decided on the spot on a day: its inspection."""
    def decide(year, month, day, item=None, **options):
        with at(year, month, day, 10):
            return ApplicationFactory(decided=True, item=item or commitment_item, **options).inspection
    return decide


@pytest.fixture
def inspection(decided_on):
    return decided_on(2024, 10, 14)


@pytest.fixture
def assigned(inspection, regulator, colleague_inspector):
    return services.inspection_assign(inspection=inspection, inspectors=[regulator, colleague_inspector],
                                      actor=regulator)


@pytest.fixture
def second_item(regulator):
    """Item 14, routed to the same regulator: a second item (and authority) in one queue."""
    item = ready_commitment_item(seq_no=14)
    route_item(item, regulator.organisation)
    return item


@pytest.fixture
def queue_world(decided_on, second_item, regulator, colleague_inspector, at):
    """Seen on Thursday 2024-10-10: `overdue` was due Monday 09-30, last week; `this_week` is due Friday
    10-11 (item 14); `done` was checked on 10-09 and found conforming. (A decision on 08-01 would be due
    10-08, this week: 10-01 is National Day, and a period ending on a holiday ends on the next working
    day, 民法典 第二百零三条.)"""
    overdue = decided_on(2024, 7, 31)
    this_week = decided_on(2024, 8, 11, item=second_item)
    done = decided_on(2024, 9, 20)
    for inspection in (overdue, done):
        services.inspection_assign(inspection=inspection, inspectors=[regulator, colleague_inspector], actor=regulator)
    with at(2024, 10, 9, 15):
        services.inspection_record_result(inspection=done, actor=regulator, outcome="conforms", note="现场核查属实。")
    return {"overdue": overdue, "this_week": this_week, "done": done}


# --- the queue ---------------------------------------------------------------------------------------

def test_the_desk_lists_its_own_organisations_checks_by_due_date_and_the_overdue_ones_stand_out(
        login, at, regulator, decided_on):
    later = decided_on(2024, 9, 2)
    earlier = decided_on(2024, 8, 1)
    elsewhere = decided_on(2024, 8, 1, item=ready_commitment_item(seq_no=15))  # routed to another regulator
    with at(2024, 10, 10):
        page = text(login(regulator).get(DESK))
    rows = rows_of(page)
    assert [earlier.application.number in rows[0], later.application.number in rows[1]] == [True, True]
    assert len(rows) == 2 and elsewhere.application.number not in page
    assert 'class="late-row"' in rows[0] and "已逾期" in rows[0]
    assert "late-row" not in rows[1] and "已逾期" not in rows[1]
    # 2 months from 1 August end on 1 October, National Day (1-7 October off): the period ends on the
    # next working day, 8 October (民法典 第二百零三条).
    assert page_of(earlier) in rows[0] and "2024-10-08" in rows[0] and earlier.authority.name in rows[0]
    assert earlier.application.applicant.name in rows[0]


@pytest.mark.parametrize(("query", "shown"), [
    ({"status": "passed"}, {"done"}),
    ({"overdue": "true"}, {"overdue"}),
    ({"overdue": "false"}, {"this_week", "done"}),
    ({"due_within": "7"}, {"this_week"}),
    ({"inspector": "colleague"}, {"overdue", "done"}),
    ({"item": "second"}, {"this_week"}),
    ({"county": "second"}, {"this_week"}),
])
def test_each_filter_narrows_the_queue(login, at, regulator, colleague_inspector, second_item, queue_world, query,
                                       shown):
    names = {"colleague": colleague_inspector.username, "second": None}
    if "item" in query:
        query = {"item": second_item.code}
    elif "county" in query:
        query = {"county": queue_world["this_week"].authority.code}
        assert queue_world["this_week"].authority != queue_world["overdue"].authority
    else:
        query = {k: names.get(v, v) for k, v in query.items()}
    with at(2024, 10, 10):
        response = login(regulator).get(DESK, query)
    assert response.status_code == 200
    page = text(response)
    assert {key for key, i in queue_world.items() if i.application.number in page} == shown


def test_the_county_and_inspector_filters_offer_what_the_queue_holds(login, at, regulator, colleague_inspector,
                                                                      queue_world):
    with at(2024, 10, 10):
        page = text(login(regulator).get(DESK))
    for inspection in queue_world.values():
        assert f'<option value="{inspection.authority.code}">{inspection.authority.name}</option>' in page
    assert f'<option value="{colleague_inspector.username}">{colleague_inspector}</option>' in page


def test_bad_filters_are_answered_400_with_each_message_at_its_filter(login, regulator, queue_world):
    response = login(regulator).get(DESK, {"status": "lost", "due_within": "-3", "overdue": "maybe"})
    assert response.status_code == 400
    page = text(response)
    assert "核查状态无效" in page and "“N天内到期”应为0至366之间的整数" in page and "“已逾期”应为 true 或 false" in page
    status_field = page.split('id="id_status"', 1)[1].split("</div>", 1)[0]
    assert "核查状态无效" in status_field
    assert rows_of(page) == []


def test_the_counts_at_the_top_are_due_this_week_overdue_and_done_this_month(login, at, regulator, queue_world):
    with at(2024, 10, 10):
        page = text(login(regulator).get(DESK))
    counts = dict(re.findall(r"<dt>(本周到期|已逾期|本月办结)</dt><dd>(?:<a[^>]*>)?(\d+)", page))
    assert counts == {"本周到期": "1", "已逾期": "1", "本月办结": "1"}


def test_the_queue_is_paginated_by_50(login, regulator, inspection):
    response = login(regulator).get(DESK, {"page": "999"})
    assert response.status_code == 200 and "第 1 / 1 页，共 1 项" in text(response)


# --- the export ---------------------------------------------------------------------------------------

def sheet_of(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_the_export_is_the_filtered_queue_as_xlsx_with_chinese_columns_and_an_audit_row(
        login, at, regulator, colleague_inspector, queue_world):
    with at(2024, 10, 10):
        response = login(regulator).get(EXPORT, {"overdue": "false"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_of(response)
    assert tuple(rows[0]) == COLUMNS
    this_week, done = queue_world["this_week"], queue_world["done"]
    assert [r[0] for r in rows[1:]] == [this_week.application.number, done.application.number]
    by_name = sorted([regulator, colleague_inspector], key=lambda u: (u.full_name, u.username))
    assert rows[2][7] == "核查属实" and rows[2][10] == "、".join(str(u) for u in by_name)
    assert rows[1][4] == this_week.authority.name and rows[1][8] in ("", None)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=regulator)
    assert event.details["filters"] == {"overdue": "false"}


def test_an_exported_name_that_looks_like_a_formula_stays_text(login, at, regulator, decided_on, applicant_user):
    sly = ApplicantFactory(name="=HYPERLINK(\"http://evil\",\"点我\")", members=[applicant_user])
    decided_on(2024, 10, 8, applicant=sly, actor=applicant_user)
    rows = sheet_of(login(regulator).get(EXPORT))
    assert rows[1][3] == "'=HYPERLINK(\"http://evil\",\"点我\")"


def test_an_export_with_a_bad_filter_is_the_desk_with_the_message(login, regulator, queue_world):
    response = login(regulator).get(EXPORT, {"item": "QZ 013!"})
    assert response.status_code == 400 and "事项编码格式不正确" in text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- one check -----------------------------------------------------------------------------------------

def test_the_check_shows_the_application_its_approval_record_and_offers_assignment_first(
        login, regulator, inspection):
    deliver_all()
    page = text(login(regulator).get(page_of(inspection)))
    application = inspection.application
    assert reverse("web-application-detail", args=[application.number]) in page
    record = application.inbox_records.get(kind="approval.decided")
    assert reverse("supervision-inbox-record", args=[record.pk]) in page
    assert "已具备许可条件" in page and "张三" in page  # the commitment's kind and signatory
    assert application.applicant.masked_identifier in page and application.applicant.identifier not in page
    assert assign_url(inspection) in page and result_url(inspection) not in page
    assert "请先指派核查人员" in page
    decision = application.documents.get(kind="decision")
    assert reverse("document-html", args=[decision.verification_code]) in page


def test_assigning_one_inspector_or_a_stranger_is_refused_beside_the_field(login, regulator, other_regulator,
                                                                           colleague_inspector, inspection):
    client = login(regulator)
    one = client.post(assign_url(inspection), {"inspectors": [regulator.username]})
    assert one.status_code == 400
    field = text(one).split('id="assign_inspectors"', 1)[1].split("</div>", 1)[0]
    assert "2名以上执法人员" in field
    stranger = client.post(assign_url(inspection), {"inspectors": [regulator.username, other_regulator.username]})
    assert stranger.status_code == 400 and f"“{other_regulator.username}”不是本部门在岗的监管人员" in text(stranger)
    assert not inspection.inspectors.exists()
    done = client.post(assign_url(inspection), {"inspectors": [regulator.username, colleague_inspector.username]},
                       follow=True)
    assert set(inspection.inspectors.all()) == {regulator, colleague_inspector}
    assert "的核查已指派给" in text(done) and result_url(inspection) in text(done)


def test_a_result_before_two_inspectors_are_assigned_is_a_conflict(login, regulator, inspection):
    response = login(regulator).post(result_url(inspection), {"outcome": "conforms", "note": "属实。"})
    assert response.status_code == 409 and "请先指派核查人员" in text(response)
    assert not InspectionResult.objects.exists()


def test_a_conforming_check_with_photos_closes_it_and_issues_the_record(login, regulator, colleague_inspector,
                                                                       assigned):
    response = login(regulator).post(result_url(assigned), {
        "outcome": "conforms", "note": "经现场核查，场所与承诺一致。", "files": [photo(), photo("平面图.jpg")]}, follow=True)
    assigned.refresh_from_db()
    assert assigned.status == InspectionStatus.PASSED and assigned.closed_at is not None
    page = text(response)
    assert "核查办结" in page and "经现场核查，场所与承诺一致。" in page and "告知承诺事后核查记录" in page
    files = InspectionFile.objects.filter(result__inspection=assigned)
    assert files.count() == 2 and {f.content_type for f in files} == {"image/jpeg"}
    for f in files:
        assert reverse("regulator-inspection-file", args=[assigned.pk, f.pk]) in page
    assert str(colleague_inspector) in InspectionResult.objects.get().inspector_names
    assert result_url(assigned) not in page and assign_url(assigned) not in page  # closed: nothing to do


def test_a_fake_pdf_is_refused_by_its_content_and_nothing_is_recorded(login, regulator, assigned, not_a_pdf):
    response = login(regulator).post(result_url(assigned), {"outcome": "conforms", "note": "属实。",
                                                            "files": [not_a_pdf]})
    assert response.status_code == 400
    field = text(response).split('id="result_files"', 1)[1].split("</div>", 1)[0]
    assert "不是PDF、JPG或PNG文件" in field
    assert not InspectionResult.objects.exists() and not InspectionFile.objects.exists()


def test_every_bad_field_of_a_result_is_shown_at_once(login, regulator, assigned):
    response = login(regulator).post(result_url(assigned), {"outcome": "rectify", "note": "  ",
                                                            "rectify_within_days": "90"})
    assert response.status_code == 400
    page = text(response)
    assert "整改期限须在1至60个工作日之间" in page and "请填写核查情况" in page
    assigned.refresh_from_db()
    assert assigned.status == InspectionStatus.PENDING


def test_a_rectification_shows_its_deadline_and_a_failed_reinspection_asks_for_revocation(
        login, at, regulator, assigned):
    with at(2024, 10, 21, 10):  # a Monday: 10 working days from the next day end on Monday 11-04
        ordered = login(regulator).post(result_url(assigned), {"outcome": "rectify", "rectify_within_days": "10",
                                                               "note": "消防通道堵塞，责令整改。"}, follow=True)
    assigned.refresh_from_db()
    assert assigned.status == InspectionStatus.RECTIFY and assigned.rectify_due == dt.date(2024, 11, 4)
    assert "整改期限至2024年11月04日" in text(ordered) and "责令限期整改通知书" in text(ordered)
    with at(2024, 11, 4, 16):  # the deadline's last day (signed in anew: sessions end after 30 idle minutes)
        client = login(regulator)
        waiting = text(client.get(page_of(assigned)))
        early = client.post(result_url(assigned), {"outcome": "fails", "note": "仍未整改。"})
    assert "届满后方可复查" in waiting and result_url(assigned) not in waiting
    assert early.status_code == 409 and "届满后方可复查" in text(early)
    with at(2024, 11, 5, 10):
        failed = login(regulator).post(result_url(assigned), {"outcome": "fails", "ground": "still_nonconforming",
                                                              "note": "整改期满，消防通道仍堵塞。"}, follow=True)
    request = RevocationRequest.objects.get(inspection=assigned)
    assert request.status == RevocationRequestStatus.OPEN and request.ground == "still_nonconforming"
    page = text(failed)
    assert "已向审批部门提请撤销许可" in page and "待审批部门撤销" in page and "整改复查记录" in page


# --- the on-site files ------------------------------------------------------------------------------

@pytest.fixture
def with_file(regulator, assigned):
    result = services.inspection_record_result(inspection=assigned, actor=regulator, outcome="conforms",
                                               note="属实。", files=[photo()])
    return result.files.get()


def test_an_on_site_file_is_downloaded_by_its_regulator_with_an_audit_row(login, regulator, with_file):
    url = reverse("regulator-inspection-file", args=[with_file.result.inspection_id, with_file.pk])
    response = login(regulator).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].endswith(f"filename*=UTF-8''{quote('现场照片.jpg')}")
    event = AuditEvent.objects.get(action=AuditAction.DOCUMENT_DOWNLOAD, actor=regulator)
    assert event.details["file"] == with_file.pk and event.object_type == "supervision.inspectionfile"


def test_another_organisations_regulator_is_told_the_file_and_the_check_do_not_exist(
        client, login, other_regulator, officer, with_file):
    inspection_id = with_file.result.inspection_id
    url = reverse("regulator-inspection-file", args=[inspection_id, with_file.pk])
    login(other_regulator)
    assert client.get(url).status_code == 404
    assert client.get(reverse("regulator-inspection", args=[inspection_id])).status_code == 404
    login(officer)
    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists()


# --- staying fast, and finding the desk -------------------------------------------------------------

def test_the_desk_reads_a_page_of_30_checks_in_a_bounded_number_of_queries(
        login, regulator, colleague_inspector, decided_on, django_assert_max_num_queries):
    client = login(regulator)
    for day in range(1, 31):
        inspection = decided_on(2024, 9, day)
        if day % 2:
            services.inspection_assign(inspection=inspection, inspectors=[regulator, colleague_inspector],
                                       actor=regulator)
    client.get(DESK)  # the session and the second factor settle on the first request
    # Issue 13: each of the three figures is its own indexed count, so none reads the whole history.
    with django_assert_max_num_queries(17):
        response = client.get(DESK)
    assert len(rows_of(text(response))) == 30
    with django_assert_max_num_queries(15):
        assert client.get(EXPORT).status_code == 200


def test_a_regulator_finds_the_desk_in_the_navigation_and_on_the_home_page(login, client, regulator, officer):
    page = text(login(regulator).get(reverse("home")))
    assert page.count(f'href="{DESK}"') == 2 and "核查工作台" in page
    login(officer)
    assert DESK not in text(client.get(reverse("home")))
