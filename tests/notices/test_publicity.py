"""归集 to the credit publicity systems (issue 16): permits and inspection results reach a stand-in publicity
system in the national items, within their working-day deadlines, or go out in the daily file.

The stand-in is a real HTTP server on 127.0.0.1 that verifies the Standard Webhooks signature with the
README's receiver code (tests/notices/receiver.py). Deliveries and the export run the real tasks, twice.
"""
import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from licensing import services as licensing_services
from licensing.constants import ApplicantKind, CommitmentKind
from licensing.models import Item, Licence
from licensing.services.records import records_route_pending
from notices import publicity, tasks
from notices.constants import Destination, DocumentKind, OutboxStatus, Recipient, RecordKind
from notices.endpoints import new_secret
from notices.models import OutboxRecord
from notices.outbox import outbox_redrive
from notices.publicity import INSPECTION_ITEMS, PERMIT_ITEMS
from notices.selectors_outbox import counts_by_status, outbox_records_visible_to, sla_alert
from portal.constants import OrgKind, OrgLevel, Role
from portal.masking import mask_identifier
from supervision import services as supervision_services
from tests.clock import SHANGHAI
from tests.factories import (
    ApplicantFactory, ApplicationFactory, OrganisationFactory, UserFactory, commitment_application, pdf_file,
    route_item, valid_id_number,
)
from tests.notices.receiver import serving

pytestmark = pytest.mark.django_db


receiver = pytest.fixture(serving, name="receiver")


@pytest.fixture
def pushed(settings, receiver):
    """The stand-in publicity system is the configured receiver, with the secret the operators handed it."""
    secret = new_secret()
    receiver.use_secret(secret)
    settings.PUBLICITY_URL, settings.PUBLICITY_SECRET = receiver.url, secret
    return receiver


@pytest.fixture
def files_only(settings, tmp_path):
    """No receiver configured: the daily file is the channel (written under this test's own media root)."""
    settings.PUBLICITY_URL, settings.MEDIA_ROOT = "", str(tmp_path)
    return tmp_path


@pytest.fixture
def decided(commitment_item, enterprise, applicant_user, officer, at):
    """Item QZ-013 (旅馆业特种行业许可证核发) committed and decided on the spot, Monday 2024-10-14."""
    with at(2024, 10, 14, 10):
        return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                      officer=officer, channel="online")


def permit_records(application):
    return list(OutboxRecord.objects.filter(application=application, kind=RecordKind.PERMIT_PUBLICITY)
                .order_by("event_at", "id"))


def delivered_twice(record) -> bool:
    """The real task, run twice: True when the first run delivered it; the second must do nothing."""
    first = tasks.outbox_deliver(record.pk)
    assert tasks.outbox_deliver(record.pk) is False
    return first


def local(moment):
    return timezone.localtime(moment, SHANGHAI)


# --- a permit, pushed ---------------------------------------------------------------------------------

def test_a_decided_permit_appears_at_the_stand_in_publicity_system_in_the_双公示_items(pushed, decided, officer):
    [record] = permit_records(decided)
    assert (record.recipient, record.destination, record.recipient_org) == (Recipient.PUBLICITY,
                                                                           Destination.PUBLICITY, None)
    assert delivered_twice(record) is True
    assert pushed.ids == [record.idempotency_key]  # run twice, one copy at the receiver
    kept = pushed.records[record.idempotency_key]
    assert kept["type"] == "publicity.permit.v1" and kept["id"] == record.idempotency_key
    data = kept["data"]
    assert set(data) == set(PERMIT_ITEMS)
    licence = Licence.objects.get(application=decided)
    decision = decided.documents.get(kind=DocumentKind.DECISION)
    assert data["行政相对人名称"] == "钦州市好客旅馆有限公司"
    assert data["行政相对人类别"] == "法人及非法人组织"
    assert data["行政相对人代码_1(统一社会信用代码)"] == decided.applicant.identifier
    assert (data["行政许可决定文书名称"], data["行政许可决定文书号"]) == ("准予行政许可决定书", decision.number)
    assert (data["许可证书名称"], data["许可编号"]) == ("旅馆业特种行业许可证", licence.number)
    assert (data["许可决定日期"], data["有效期自"]) == ("2024-10-14", "2024-10-14")
    assert data["许可机关"] == data["数据来源单位"] == officer.organisation.name
    assert data["当前状态"] == "1"  # 有效
    assert data["证件号码"] == data["法定代表人证件号码"] == ""  # no person's identifier for an enterprise
    body, headers = pushed.requests[0]
    assert json.loads(body) == json.loads(json.dumps(record.payload)) and headers["webhook-signature"].startswith("v1,")


def test_a_receiver_that_refuses_the_signature_gets_the_record_again_later(pushed, decided, settings):
    """The stand-in checks the signature: signed with another secret, the push is refused (400) and retried."""
    settings.PUBLICITY_SECRET = new_secret()
    [record] = permit_records(decided)
    assert tasks.outbox_deliver(record.pk) is False
    record.refresh_from_db()
    assert (record.status, record.attempts) == (OutboxStatus.PENDING, 1) and "HTTP 400" in record.last_error
    assert pushed.records == {}


@pytest.mark.parametrize(("configured", "queued"), [(True, 1), (False, 0)])
def test_an_event_recorded_twice_is_one_record_queued_after_commit_only_when_pushed(
        request, django_capture_on_commit_callbacks, decided, configured, queued):
    if configured:
        request.getfixturevalue("pushed")
    items = dict.fromkeys(INSPECTION_ITEMS, "")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = publicity.publicity_record(application=decided, kind=RecordKind.INSPECTION_PUBLICITY,
                                           source_key="inspection-result:test", data=items)
        again = publicity.publicity_record(application=decided, kind=RecordKind.INSPECTION_PUBLICITY,
                                           source_key="inspection-result:test", data=items)
    assert first is not None and again is None and len(callbacks) == queued
    assert first.destination == (Destination.PUBLICITY if configured else Destination.PUBLICITY_FILE)
    with pytest.raises(ValueError, match="检查结果"):  # a builder out of step with the standard's list
        publicity.publicity_record(application=decided, kind=RecordKind.INSPECTION_PUBLICITY, source_key="other",
                                   data={k: v for k, v in items.items() if k != "检查结果"})


def test_a_refused_application_is_not_published(pushed, commitment_item):
    refused = ApplicationFactory(rejected=True, item=commitment_item)
    assert not OutboxRecord.objects.filter(application=refused, recipient=Recipient.PUBLICITY).exists()


def test_a_revocation_publishes_the_permit_as_无效(pushed, decided, officer, at):
    with at(2024, 10, 21, 9):
        licensing_services.application_revoke(application=decided, actor=officer, reason="检查发现承诺内容不实。")
    granted, revoked = permit_records(decided)
    assert granted.idempotency_key != revoked.idempotency_key
    assert delivered_twice(granted) and delivered_twice(revoked)
    assert pushed.ids == [granted.idempotency_key, revoked.idempotency_key]
    data = pushed.records[revoked.idempotency_key]["data"]
    revocation = decided.documents.get(kind=DocumentKind.REVOCATION)
    assert data["当前状态"] == "2"  # 无效
    assert data["许可决定日期"] == "2024-10-14"  # the decision published is still the grant's
    assert revocation.number in data["备注"] and "检查发现承诺内容不实" in data["备注"]


def test_a_change_of_the_licence_publishes_its_new_version(pushed, commitment_item, enterprise, officer,
                                                           applicant_user, at):
    with at(2024, 10, 14):
        will_meet = ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel="window",
                                       decided=True, kind=CommitmentKind.WILL_MEET, meet_by=dt.date(2024, 11, 29))
    with at(2024, 10, 21):
        for owed in will_meet.materials.filter(status="owed"):
            licensing_services.material_submit(application=will_meet, material_id=owed.material_id,
                                               upload=pdf_file(), actor=applicant_user)
        licensing_services.application_declare_conditions(application=will_meet, actor=applicant_user)
    with at(2024, 10, 23):
        licensing_services.application_confirm_conditions(application=will_meet, actor=officer)
    granted, changed = permit_records(will_meet)
    assert changed.payload["data"]["当前状态"] == "1" and changed.payload["data"]["备注"].startswith("变更：")
    assert local(changed.event_at).date() == dt.date(2024, 10, 23)


# --- an inspection result ---------------------------------------------------------------------------

def test_an_inspection_result_publishes_the_抽查检查_items(pushed, decided, regulator, at):
    colleague = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="第二核查员")
    inspection = supervision_services.inspection_assign(inspection=decided.inspection,
                                                        inspectors=[regulator, colleague], actor=regulator)
    with at(2024, 11, 4, 15):
        supervision_services.inspection_record_result(inspection=inspection, actor=regulator, outcome="rectify",
                                                      note="消防通道堆放杂物。", rectify_within_days=5)
    [record] = OutboxRecord.objects.filter(kind=RecordKind.INSPECTION_PUBLICITY, application=decided)
    assert delivered_twice(record) is True
    data = pushed.records[record.idempotency_key]["data"]
    assert set(data) == set(INSPECTION_ITEMS)
    assert (data["企业名称"], data["统一社会信用代码"]) == ("钦州市好客旅馆有限公司", decided.applicant.identifier)
    assert data["检查实施机关"] == data["数据来源单位"] == regulator.organisation.name
    assert (data["检查类型"], data["检查日期"]) == ("告知承诺事后核查", "2024-11-04")
    assert data["检查结果"] == "发现问题，已责令限期整改（整改期限：2024-11-11）"


def test_a_drawn_check_is_published_as_双随机(files_only, commitment_item, regulator, officer):
    from tests.supervision.draw_world import draw_world
    from tests.supervision.test_draws import drawn

    world = draw_world(item=commitment_item, regulator=regulator, officer=officer, entities=2, inspectors=2)
    inspection = drawn(world).picks.first().inspections.get()
    supervision_services.inspection_record_result(inspection=inspection, actor=regulator, outcome="conforms",
                                                  note="双随机抽查，现场检查符合许可条件。")
    [record] = OutboxRecord.objects.filter(kind=RecordKind.INSPECTION_PUBLICITY)
    assert (record.payload["data"]["检查类型"], record.payload["data"]["检查结果"]) == ("双随机抽查", "未发现问题")


# --- persons ------------------------------------------------------------------------------------------

def test_a_persons_id_number_is_published_only_where_the_format_asks_and_masked(pushed, commitment_item, officer):
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number(3), name="陈大文")
    application = ApplicationFactory(decided=True, item=commitment_item, applicant=person, officer=officer,
                                     channel="window")
    [record] = permit_records(application)
    assert delivered_twice(record)
    body, _ = pushed.requests[0]
    data = pushed.records[record.idempotency_key]["data"]
    assert (data["行政相对人类别"], data["证件类型"]) == ("自然人", "身份证")
    assert data["证件号码"] == mask_identifier(person.identifier) != person.identifier
    assert data["行政相对人代码_1(统一社会信用代码)"] == data["法定代表人证件号码"] == ""
    assert person.identifier.encode() not in body  # nowhere in what was sent


# --- deadlines ------------------------------------------------------------------------------------------

def test_due_dates_count_working_days_across_the_national_day_holiday(files_only, commitment_item, enterprise,
                                                                     applicant_user, officer, regulator, at):
    """Decided Monday 2024-09-30: 1-7 October are holidays, Saturday 12 October a make-up working day."""
    with at(2024, 9, 30, 16):
        application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                              officer=officer, channel="online")
        [record] = permit_records(application)
        # 7 working days: 8, 9, 10, 11, 12 (调休), 14, 15 October
        assert local(record.due_at) == dt.datetime(2024, 10, 15, 23, 59, 59, tzinfo=SHANGHAI)
        result_due = publicity.publicity_due_at(RecordKind.INSPECTION_PUBLICITY, timezone.now())
    # 20 working days: the 7 above, then 16 October to 29 October less the weekend of 19-20 and 26-27
    assert local(result_due).date() == dt.date(2024, 11, 1)
    with at(2024, 10, 16, 9):  # a day after the due time, still undelivered: late, its due time unchanged
        record.refresh_from_db()
        assert local(record.due_at).date() == dt.date(2024, 10, 15)
        assert list(publicity.publicity_overdue()) == [record]


# --- the daily file -------------------------------------------------------------------------------------

def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_without_a_receiver_the_daily_file_delivers_each_record_once(files_only, decided, at):
    [record] = permit_records(decided)
    assert record.destination == Destination.PUBLICITY_FILE
    assert record.pk not in outbox_redrive() and tasks.outbox_deliver(record.pk) is False  # no worker sends it
    assert OutboxRecord.objects.filter(pk=record.pk, attempts=0, status=OutboxStatus.PENDING).exists()
    with at(2024, 10, 15, 1, 30):
        first = tasks.publicity_export_yesterday()
        contents = [default_storage.open(name).read() for name in first]
        delivered_at = OutboxRecord.objects.get(pk=record.pk).delivered_at
    with at(2024, 10, 15, 2, 30):
        again = tasks.publicity_export_yesterday()
        assert [default_storage.open(name).read() for name in again] == contents
    assert first == again == ["publicity/2024/2024-10-14.csv", "publicity/2024/2024-10-14.json"]
    stored = sorted(p.name for p in (files_only / "publicity" / "2024").iterdir())
    assert stored == ["2024-10-14.csv", "2024-10-14.json"]
    record.refresh_from_db()
    assert record.status == OutboxStatus.DELIVERED and record.delivered_at == delivered_at  # marked once, on time
    header, row = read_csv(contents[0].decode("utf-8"))
    assert header[:3] == ["信息类别", "报文类型", "记录标识"] and set(PERMIT_ITEMS) <= set(header)
    assert row[header.index("许可编号")] == Licence.objects.get(application=decided).number
    document = json.loads(contents[1])
    assert document["date"] == "2024-10-14" and document["records"][0]["id"] == record.idempotency_key
    assert list(document["records"][0]["data"]) == list(PERMIT_ITEMS)  # in the standard's order


def test_the_file_holds_the_days_pushed_records_too_and_no_other_days(pushed, settings, tmp_path, decided, at):
    settings.MEDIA_ROOT = str(tmp_path)
    [record] = permit_records(decided)
    entries = json.loads(publicity.publicity_export_content(dt.date(2024, 10, 14))["json"])["records"]
    assert [e["id"] for e in entries] == [record.idempotency_key]
    assert json.loads(publicity.publicity_export_content(dt.date(2024, 10, 15))["json"])["records"] == []
    with at(2024, 10, 15, 1, 30):
        call_command("publicity_export", "--date", "2024-10-14", stdout=io.StringIO())
    assert OutboxRecord.objects.get(pk=record.pk).status == OutboxStatus.PENDING  # the push still owes it
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("publicity_export", "--date", "14.10.2024", stdout=io.StringIO())


# --- the regulator pushes' SLA is not confused ------------------------------------------------------------

def test_the_regulator_push_sla_and_dashboards_leave_publicity_records_out(files_only, decided, admin_user, officer):
    pushes = OutboxRecord.objects.exclude(recipient=Recipient.PUBLICITY)
    for user in (admin_user, officer):
        visible = outbox_records_visible_to(user)
        assert set(visible) == set(pushes) and not visible.filter(recipient=Recipient.PUBLICITY).exists()
    assert sum(counts_by_status(outbox_records_visible_to(admin_user)).values()) == pushes.count()
    late = dt.datetime(2024, 12, 31, tzinfo=SHANGHAI)
    OutboxRecord.objects.filter(recipient=Recipient.PUBLICITY).update(due_at=late - dt.timedelta(days=30))
    pushes.update(status=OutboxStatus.DELIVERED, delivered_at=F("due_at"))
    assert sla_alert(admin_user, late) is None  # the overdue publicity record is the publicity page's


def test_routing_an_unrouted_decision_later_leaves_its_publicity_record_alone(files_only):
    """The regulator push waits for a route (unrouted); the 归集 does not: it has no regulator to wait for."""
    item = Item.objects.get(seq_no=66)
    approved = ApplicationFactory(approved=True, item=item)
    [record] = permit_records(approved)
    pushes = OutboxRecord.objects.filter(application=approved).exclude(pk=record.pk)
    assert record.status == OutboxStatus.PENDING and set(pushes.values_list("status", flat=True)) == {"unrouted"}
    route_item(item, OrganisationFactory(kind=OrgKind.REGULATOR, level=OrgLevel.CITY))
    assert records_route_pending() == [approved.number]
    assert permit_records(approved) == [record] and OutboxRecord.objects.get(pk=record.pk).status == record.status
    assert set(pushes.values_list("status", flat=True)) == {OutboxStatus.PENDING}


# --- the pages ---------------------------------------------------------------------------------------------

def test_the_publicity_page_shows_admins_the_counts_the_overdue_and_the_files(files_only, decided, login, admin_user,
                                                                            at):
    [record] = permit_records(decided)
    with at(2024, 10, 24, 9):  # past the 7 working days (23 October), still in no file
        page = login(admin_user).get(reverse("publicity-sla"))
    assert page.status_code == 200
    counts = {c["kind"]: c for c in page.context["counts"]}
    assert counts[RecordKind.PERMIT_PUBLICITY]["overdue"] == counts[RecordKind.PERMIT_PUBLICITY]["pending"] == 1
    assert list(page.context["overdue"]) == [record]
    text = page.content.decode()
    assert decided.number in text and reverse("publicity-export-csv", args=["2024-10-14"]) in text


def test_the_page_serves_the_same_content_as_the_file(files_only, decided, login, admin_user, at):
    with at(2024, 10, 15, 1, 30):
        names = publicity.publicity_export(dt.date(2024, 10, 14))
    client = login(admin_user)
    for name, url_name in zip(names, ("publicity-export-csv", "publicity-export-json")):
        response = client.get(reverse(url_name, args=["2024-10-14"]))
        assert response.status_code == 200 and response.content == default_storage.open(name).read()


@pytest.mark.parametrize("day", ["2024-02-30", "2024-1-5", "yesterday", "9999-12-31"])
def test_a_bad_date_is_refused_with_a_chinese_message(login, admin_user, day):
    response = login(admin_user).get(reverse("publicity-export-csv", args=[day]))
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()


def test_only_admins_watch_the_publicity_records(login, officer):
    assert login(officer).get(reverse("publicity-sla")).status_code == 403


def test_a_night_the_export_did_not_run_is_written_by_the_next_one(files_only, decided, at):
    [record] = permit_records(decided)
    with at(2024, 10, 17, 1, 30):  # the 15th's and 16th's runs never happened
        first = tasks.publicity_export_yesterday()
        again = tasks.publicity_export_yesterday()
    assert first == ["publicity/2024/2024-10-14.csv", "publicity/2024/2024-10-14.json",
                     "publicity/2024/2024-10-16.csv", "publicity/2024/2024-10-16.json"]
    assert again == first[2:]  # the 14th's records are delivered: only yesterday's file is written again
    record.refresh_from_db()
    assert record.status == OutboxStatus.DELIVERED
    assert record.delivered_at <= record.due_at  # 7 working days from the 14th
