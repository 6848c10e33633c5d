"""信用修复 applied for online (issue 14): the enterprise asks with its reasons and evidence, the authority
that made the record (认定机关) decides within a deadline in working days, a grant lifts the bar on
notify-and-commit and a refusal keeps it; the record and every request stay in the 诚信档案.

Whether a kind of record may be repaired, and after how long, is its CreditRepairRule (issue 11): closed
by default (附件3 第九条 names no repair), opened by an admin under a later rule.
"""
import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.urls import reverse

from licensing.constants import Route
from licensing.services import application_submit
from portal import calendar
from portal.exceptions import Conflict, InvalidInput, NotAllowed
from portal.models import AuditAction, AuditEvent
from supervision.constants import CreditReason, RepairStatus
from supervision.models import CreditRecord, CreditRepairEvidence, CreditRepairRequest, CreditRepairRule
from supervision.selectors import applicant_barred_from_commitment
from supervision.services import (
    credit_record_create, credit_repair_request_decide, credit_repair_request_submit,
)
from tests.factories import ApplicantFactory, UserFactory, pdf_file

pytestmark = pytest.mark.django_db

rules_migration = importlib.import_module("supervision.migrations.0004_credit_repair_rules")
LATER_RULE = "广西壮族自治区公共信用信息修复办法（示例）第十条：失信记录满6个月可申请修复"
REASONS = "已于2024年2月补交全部材料，经审批部门核对符合要求。"
MY_CREDIT = reverse("my-credit")
DESK = reverse("credit-repair-desk")


@pytest.fixture(autouse=True)
def default_rules(db):
    """The rows migration 0004 writes (a transactional test elsewhere may have flushed them)."""
    if not CreditRepairRule.objects.exists():
        rules_migration.create_default_rules(apps, None)


@pytest.fixture
def record(enterprise, officer, at):
    """Made by item 13's approval authority (the officer's) on 15 January 2024: materials not handed in."""
    with at(2024, 1, 15, 10):
        return credit_record_create(applicant=enterprise, actor=officer, reason=CreditReason.MISSING_MATERIALS,
                                    details="逾期未提交安全设施说明")


def open_rule(months=6, reason=CreditReason.MISSING_MATERIALS):
    CreditRepairRule.objects.filter(reason=reason).update(repairable=True, after_months=months, basis=LATER_RULE)


def open_repair_in_the_admin(client, months):
    rule = CreditRepairRule.objects.get(reason=CreditReason.MISSING_MATERIALS)
    response = client.post(reverse("admin:supervision_creditrepairrule_change", args=[rule.pk]), {
        "repairable": "on", "after_months": str(months), "basis": LATER_RULE, "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:500]


def apply_in_the_browser(client, record, reasons=REASONS, files=()):
    return client.post(reverse("my-credit-repair", args=[record.pk]), {"reasons": reasons, "files": list(files)})


def decide_in_the_browser(client, repair, decision, note):
    return client.post(reverse("credit-repair-decide", args=[repair.pk]), {"decision": decision, "note": note})


def submit(record, actor, reasons=REASONS, files=()):
    return credit_repair_request_submit(record=record, actor=actor, reasons=reasons, files=files)


def page(response) -> str:
    return response.content.decode()


# --- the whole journey -----------------------------------------------------------------------------------

def test_an_enterprise_applies_online_the_authority_grants_in_time_and_notify_and_commit_is_open_again(
        login, at, record, enterprise, applicant_user, officer, admin_user, commitment_item):
    open_repair_in_the_admin(login(admin_user), 6)
    with at(2024, 9, 27, 10):  # the Friday before the National Day holiday
        client = login(applicant_user)
        mine = client.get(MY_CREDIT)
        assert mine.status_code == 200
        assert "未按期提交材料或材料不符合要求" in page(mine) and "2024年7月15日 起可以申请" in page(mine)
        assert reverse("my-credit-repair", args=[record.pk]) in page(mine)
        form = client.get(reverse("my-credit-repair", args=[record.pk]))
        assert form.status_code == 200 and "15 个工作日内作出决定" in page(form)
        sent = apply_in_the_browser(client, record, files=[pdf_file("补交材料回执.pdf")])
        assert sent.status_code == 302 and sent["Location"] == MY_CREDIT
        assert "2024年10月23日前作出决定" in page(client.get(MY_CREDIT))
    repair = CreditRepairRequest.objects.get(record=record)
    assert (repair.status, repair.due_date, repair.submitted_by) == (RepairStatus.PENDING, dt.date(2024, 10, 23),
                                                                     applicant_user)
    assert applicant_barred_from_commitment(enterprise) == record  # asking lifts nothing

    with at(2024, 10, 21, 9):
        desk = login(officer).get(DESK)
        assert desk.status_code == 200 and enterprise.name in page(desk) and "已逾期" not in page(desk)
        detail = login(officer).get(reverse("credit-repair-request", args=[repair.pk]))
        assert detail.status_code == 200 and REASONS in page(detail) and enterprise.identifier in page(detail)
        evidence = repair.evidence.get()
        download = login(officer).get(reverse("credit-repair-evidence", args=[repair.pk, evidence.pk]))
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
        done = decide_in_the_browser(login(officer), repair, "grant", "已核实补交材料，准予修复。")
        assert done.status_code == 302

    repair.refresh_from_db()
    record.refresh_from_db()
    assert (repair.status, repair.decided_by, repair.late_working_days) == (RepairStatus.GRANTED, officer, None)
    assert record.repaired_at is not None
    assert applicant_barred_from_commitment(enterprise) is None
    with at(2024, 10, 22, 9):
        mine = page(login(applicant_user).get(MY_CREDIT))
        assert "准予修复" in mine and "已核实补交材料，准予修复。" in mine and "2024年10月21日 信用修复" in mine
        assert enterprise.name not in page(login(applicant_user).get(reverse("credit-public")))  # 终止公示
        application = application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert application.route == Route.COMMITMENT


def test_a_refusal_keeps_the_bar_and_the_history_and_the_enterprise_may_ask_again(
        login, at, record, enterprise, applicant_user, officer):
    open_rule(0)
    with at(2024, 3, 1):
        first = submit(record, applicant_user)
    with at(2024, 3, 5):
        assert decide_in_the_browser(login(officer), first, "refuse", "补交的材料仍不完整。").status_code == 302
    first.refresh_from_db()
    record.refresh_from_db()
    assert first.status == RepairStatus.REFUSED and first.decision_note == "补交的材料仍不完整。"
    assert record.repaired_at is None and applicant_barred_from_commitment(enterprise) == record
    with at(2024, 3, 6):
        mine = page(login(applicant_user).get(MY_CREDIT))
        assert "不予修复" in mine and "补交的材料仍不完整。" in mine and "申请信用修复</a>" in mine
        assert apply_in_the_browser(login(applicant_user), record, "已补齐全部材料。").status_code == 302
    assert list(record.repair_requests.values_list("status", flat=True)) == [RepairStatus.PENDING, RepairStatus.REFUSED]
    assert CreditRecord.objects.filter(pk=record.pk).exists()


# --- refusals: 409 for the state, 400 for the input ----------------------------------------------

def test_a_second_request_while_one_is_pending_is_a_conflict(login, at, record, applicant_user, colleague):
    open_rule(0)
    with at(2024, 3, 1):
        first = submit(record, applicant_user)
        second = apply_in_the_browser(login(colleague), record, "再次申请。")
    assert second.status_code == 409 and "待认定机关决定" in page(second) and "2024年3月22日" in page(second)
    with pytest.raises(Conflict):
        submit(record, colleague)
    assert list(CreditRepairRequest.objects.filter(record=record)) == [first]


def test_a_kind_not_repairable_is_refused_quoting_the_rule_and_no_form_is_offered(login, record, applicant_user):
    """The default rule (附件3 第九条 names no repair): no form, and a request sent anyway is 409."""
    client = login(applicant_user)
    mine = page(client.get(MY_CREDIT))
    assert "此类记录不予修复" in mine and reverse("my-credit-repair", args=[record.pk]) not in mine
    refused = apply_in_the_browser(client, record)
    assert refused.status_code == 409 and "不予修复" in page(refused) and "第九条" in page(refused)
    response = client.post(reverse("credit-record-repair-requests", args=[record.pk]),
                           json.dumps({"reasons": REASONS}), content_type="application/json")
    assert response.status_code == 409 and "信用修复规则" in response.json()["detail"]
    assert not CreditRepairRequest.objects.exists()


def test_before_the_rules_months_have_passed_the_request_is_refused_with_the_first_day(at, record, applicant_user):
    open_rule(12)
    with at(2025, 1, 14, 23, 59), pytest.raises(Conflict) as refused:
        submit(record, applicant_user)
    assert "2025年1月15日起方可修复" in refused.value.message
    with at(2025, 1, 15, 9):
        assert submit(record, applicant_user).status == RepairStatus.PENDING


def test_a_repaired_record_needs_no_request(at, record, applicant_user, officer):
    open_rule(0)
    with at(2024, 3, 1):
        credit_repair_request_decide(request=submit(record, applicant_user), actor=officer, grant=True, note="准予。")
        with pytest.raises(Conflict) as refused:
            submit(record, applicant_user)
    assert "无需申请" in refused.value.message


def test_empty_reasons_and_files_that_are_not_documents_are_refused_together_and_nothing_is_kept(
        login, record, applicant_user, not_a_pdf):
    open_rule(0)
    response = apply_in_the_browser(login(applicant_user), record, "   ", files=[not_a_pdf])
    assert response.status_code == 400
    assert "请填写申请理由" in page(response) and "不是PDF、JPG或PNG文件" in page(response)
    assert not CreditRepairRequest.objects.exists() and not CreditRepairEvidence.objects.exists()


def test_only_a_verified_account_of_the_applicant_may_ask(login, record, enterprise, outsider):
    open_rule(0)
    claimant = UserFactory()
    enterprise.members.add(claimant)  # claimed online, not yet verified by the window
    assert login(claimant).post(reverse("my-credit-repair", args=[record.pk]), {"reasons": REASONS}).status_code == 404
    assert login(outsider).get(reverse("my-credit-repair", args=[record.pk])).status_code == 404
    for account in (claimant, outsider):
        with pytest.raises(NotAllowed):
            submit(record, account)
    assert not CreditRepairRequest.objects.exists()


# --- the decision ------------------------------------------------------------------------------------

def test_the_deadline_counts_working_days_over_the_holiday_and_a_late_decision_records_how_late(
        login, at, record, enterprise, applicant_user, officer):
    """15 working days from Friday 27 September 2024: 29 September (a make-up Sunday) and 30 September
    count, 1-7 October do not, 12 October (a make-up Saturday) does: due 23 October."""
    open_rule(0)
    with at(2024, 9, 27, 16):
        repair = submit(record, applicant_user)
    assert repair.due_date == dt.date(2024, 10, 23) == calendar.add_working_days(dt.date(2024, 9, 27), 15).date
    with at(2024, 10, 23, 17):
        desk = page(login(officer).get(DESK))
        assert "已逾期" not in desk
    with at(2024, 10, 24, 9):
        desk = page(login(officer).get(DESK))
        assert 'class="late-row"' in desk and "2024-10-23 已逾期" in desk
    with at(2024, 10, 25, 9):  # Friday: two working days past the date; late is recorded, not refused
        repair = credit_repair_request_decide(request=repair, actor=officer, grant=False, note="材料不足。")
    assert (repair.status, repair.late_working_days) == (RepairStatus.REFUSED, 2)


def test_deciding_twice_is_a_conflict_and_a_note_is_required(login, at, record, applicant_user, officer):
    open_rule(0)
    with at(2024, 3, 1):
        repair = submit(record, applicant_user)
        no_note = decide_in_the_browser(login(officer), repair, "grant", "  ")
        assert no_note.status_code == 400 and "请填写决定理由" in page(no_note)
        credit_repair_request_decide(request=repair, actor=officer, grant=True, note="准予。")
        again = decide_in_the_browser(login(officer), repair, "refuse", "改为不予修复。")
    assert again.status_code == 409 and "不能再次决定" in page(again)
    repair.refresh_from_db()
    assert repair.status == RepairStatus.GRANTED and repair.decision_note == "准予。"


def test_a_grant_after_the_rule_was_closed_again_is_refused_and_the_request_stays_pending(
        at, record, applicant_user, officer, enterprise):
    open_rule(0)
    with at(2024, 3, 1):
        repair = submit(record, applicant_user)
    CreditRepairRule.objects.filter(reason=CreditReason.MISSING_MATERIALS).update(repairable=False)
    with at(2024, 3, 2), pytest.raises(Conflict):
        credit_repair_request_decide(request=repair, actor=officer, grant=True, note="准予。")
    repair.refresh_from_db()
    assert repair.status == RepairStatus.PENDING and applicant_barred_from_commitment(enterprise) == record


def test_only_the_authority_that_made_the_record_decides(login, at, record, applicant_user, officer, other_officer,
                                                         regulator, admin_user):
    open_rule(0)
    with at(2024, 3, 1):
        repair = submit(record, applicant_user, files=[pdf_file("回执.pdf")])
    evidence = repair.evidence.get()
    other = login(other_officer)
    assert enterprise_not_listed(other.get(DESK), record)
    for url in (reverse("credit-repair-request", args=[repair.pk]),
                reverse("credit-repair-evidence", args=[repair.pk, evidence.pk])):
        assert other.get(url).status_code == 404
    assert decide_in_the_browser(other, repair, "grant", "准予。").status_code == 404
    api = other.post(reverse("credit-repair-request-decide", args=[repair.pk]),
                     json.dumps({"decision": "grant", "note": "准予。"}), content_type="application/json")
    assert api.status_code == 404 and "不是向本机关提出的" in api.json()["detail"]
    for staff in (regulator, admin_user, applicant_user):
        assert login(staff).get(DESK).status_code == 403
        assert decide_in_the_browser(login(staff), repair, "grant", "准予。").status_code == 403
    for actor in (other_officer, regulator, admin_user):
        with pytest.raises(NotAllowed):
            credit_repair_request_decide(request=repair, actor=actor, grant=True, note="准予。")
    officer.is_active = False
    officer.save()
    with pytest.raises(NotAllowed):
        credit_repair_request_decide(request=repair, actor=officer, grant=True, note="准予。")
    repair.refresh_from_db()
    assert repair.status == RepairStatus.PENDING


def enterprise_not_listed(response, record) -> bool:
    return response.status_code == 200 and record.applicant.name not in page(response)


def test_each_step_leaves_an_audit_row_naming_its_actor(at, record, applicant_user, officer):
    open_rule(0)
    with at(2024, 3, 1):
        repair = submit(record, applicant_user)
        credit_repair_request_decide(request=repair, actor=officer, grant=True, note="准予。")
    rows = AuditEvent.objects.filter(action__in=[AuditAction.CREDIT_REPAIR_REQUEST, AuditAction.CREDIT_REPAIR_DECIDE,
                                                 AuditAction.CREDIT_REPAIR]).order_by("id")
    steps = [(row.action, row.details.get("step"), row.actor) for row in rows
             if row.object_type == "supervision.creditrepairrequest"]
    assert steps == [(AuditAction.CREDIT_REPAIR_REQUEST, "request", applicant_user),
                     (AuditAction.CREDIT_REPAIR_DECIDE, "grant", officer)]
    assert rows.filter(action=AuditAction.CREDIT_REPAIR, object_type="supervision.creditrecord",
                       actor=officer).count() == 1  # the repair itself


# --- the API -----------------------------------------------------------------------------------------

def test_through_the_api_the_enterprise_asks_and_the_authority_decides(client, login, at, record, applicant_user,
                                                                       officer):
    open_rule(0)
    url = reverse("credit-record-repair-requests", args=[record.pk])
    with at(2024, 3, 1):
        empty = login(applicant_user).post(url, json.dumps({"reasons": " "}), content_type="application/json")
        assert empty.status_code == 400 and empty.json()["field"] == "reasons"
        made = login(applicant_user).post(url, json.dumps({"reasons": REASONS}), content_type="application/json")
        assert made.status_code == 201, made.content
        body = made.json()
        assert (body["status"], body["due_date"], body["record"]) == ("pending", "2024-03-22", record.pk)
        again = login(applicant_user).post(url, json.dumps({"reasons": REASONS}), content_type="application/json")
        assert again.status_code == 409 and "待认定机关决定" in again.json()["detail"]
        assert login(officer).post(url, json.dumps({"reasons": REASONS}),
                                   content_type="application/json").status_code == 403
        decide = reverse("credit-repair-request-decide", args=[body["id"]])
        bad = login(officer).post(decide, json.dumps({"decision": "maybe", "note": "x"}),
                                  content_type="application/json")
        assert bad.status_code == 400 and "grant" in bad.json()["detail"]
        granted = login(officer).post(decide, json.dumps({"decision": "grant", "note": "准予。"}),
                                      content_type="application/json")
        assert granted.status_code == 200 and granted.json()["status"] == "granted"
        mine = login(applicant_user).get(reverse("credit-record-detail", args=[record.pk])).json()
    assert mine["repaired_at"] is not None and mine["repair_requests"][0]["status"] == "granted"
    assert "无需申请" in mine["repair_refusal"]


def test_a_person_may_ask_too(login, at, officer):
    from licensing.constants import ApplicantKind
    from tests.factories import valid_id_number

    account = UserFactory()
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number("repair"), name="黄小明",
                              members=[account])
    open_rule(0)
    with at(2024, 3, 1):
        record = credit_record_create(applicant=person, actor=officer, reason=CreditReason.MISSING_MATERIALS)
        assert apply_in_the_browser(login(account), record).status_code == 302
    assert record.repair_requests.get().submitted_by == account


def test_a_bad_input_on_the_service_is_invalid_input(record, applicant_user):
    open_rule(0)
    with pytest.raises(InvalidInput) as refused:
        submit(record, applicant_user, reasons="字" * 4001)
    assert refused.value.field == "reasons"


def test_the_page_and_the_api_read_their_rows_without_a_query_per_record(login, at, enterprise, applicant_user, officer,
                                                               django_assert_max_num_queries):
    """Each row reads its rule and its pending request from what the list already fetched."""
    reasons = (CreditReason.MISSING_MATERIALS, CreditReason.FALSE_COMMITMENT, CreditReason.FALSE_FILING)
    for reason in reasons:
        open_rule(0, reason)
    with at(2024, 3, 1):
        for reason in reasons:
            submit(credit_record_create(applicant=enterprise, actor=officer, reason=reason), applicant_user)
        client = login(applicant_user)
        client.get(MY_CREDIT)  # the session, the calendar: read once
        with django_assert_max_num_queries(10):
            assert client.get(MY_CREDIT).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("credit-record-list")).json()["count"] == 3
