"""The regulator's inbox through the API (issue 9): GET /api/v1/inbox/, one record, and 签收.

Records arrive the real way: decisions, filings and revocations made through licensing's services
write the outbox, and notices.outbox.outbox_deliver delivers them into the inbox.
"""
import datetime as dt

import pytest

from notices.constants import Destination, OutboxStatus
from notices.models import OutboxRecord
from notices.outbox import outbox_deliver, outbox_redrive
from portal.models import AuditAction, AuditEvent
from supervision.models import InboxRecord
from tests.clock import SHANGHAI
from tests.factories import ApplicationFactory, catalogue_item, route_item
from tests.supervision.inbox_world import decided, deliver_all

pytestmark = pytest.mark.django_db

LIST = "/api/v1/inbox/"


def detail(record):
    return f"/api/v1/inbox/{record.pk}/"


def ack(record):
    return f"/api/v1/inbox/{record.pk}/ack/"


def numbers(response):
    assert response.status_code == 200, response.content
    return [row["application"] for row in response.json()["results"]]


@pytest.fixture
def api(login):
    return login


def test_a_decision_reaches_the_regulators_inbox_with_its_full_commitment(api, regulator, commitment_item):
    record = decided(commitment_item)
    body = api(regulator).get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == record.pk and row["kind"] == "approval.decided"
    assert row["application"] == record.application.number and row["item"] == "QZ-013"
    assert row["applicant"] == record.application.applicant.name
    assert {"event_at", "due_at", "delivered_at", "acknowledged_at", "payload"} <= set(row)
    assert row["acknowledged_at"] is None
    commitment = row["payload"]["data"]["commitment"]
    assert len(commitment["confirmations"]) == 7 and all(c["confirmed"] for c in commitment["confirmations"])
    assert commitment["materials_promised"][0]["name"] == "安全设施说明"
    assert row["payload"]["type"] == "approval.decided.v1"


def test_one_record_is_read_by_its_id(api, regulator, commitment_item):
    record = decided(commitment_item)
    response = api(regulator).get(detail(record))
    assert response.status_code == 200
    assert response.json()["application"] == record.application.number
    assert response.json()["payload"]["data"]["licence"]["number"]


def test_the_regulator_of_another_organisation_sees_none_of_it(api, other_regulator, commitment_item):
    record = decided(commitment_item)
    client = api(other_regulator)
    assert client.get(LIST).json()["count"] == 0
    for response in (client.get(detail(record)), client.post(ack(record))):
        assert response.status_code == 404
        assert response.json()["detail"] == "记录不存在，或不是推送给本部门的记录。"
    record.refresh_from_db()
    assert record.acknowledged_at is None


@pytest.mark.parametrize("persona", ["applicant_user", "clerk", "admin_user"])
def test_anyone_but_a_regulator_is_refused_the_list_and_told_no_record_exists(request, api, persona,
                                                                              commitment_item, regulator):
    record = decided(commitment_item)
    client = api(request.getfixturevalue(persona))
    listed = client.get(LIST)
    assert listed.status_code == 403
    assert "监管人员" in listed.json()["detail"]
    assert client.get(detail(record)).status_code == 404
    assert client.post(ack(record)).status_code == 404
    record.refresh_from_db()
    assert record.acknowledged_at is None


def test_anonymous_callers_are_asked_to_sign_in(client, commitment_item, regulator):
    record = decided(commitment_item)
    assert client.get(LIST).status_code == 401
    assert client.get(detail(record)).status_code == 401


def test_unacknowledged_records_come_first_then_the_newest_delivered(api, at, regulator, commitment_item):
    with at(2024, 10, 8, 9):
        oldest = decided(commitment_item)
    with at(2024, 10, 9, 9):
        middle = decided(commitment_item)
    with at(2024, 10, 10, 9):
        newest = decided(commitment_item)
    client = api(regulator)
    assert client.post(ack(newest)).status_code == 200
    assert numbers(client.get(LIST)) == [r.application.number for r in (middle, oldest, newest)]


def test_acknowledging_twice_keeps_the_first_time_and_writes_one_audit_row(api, at, regulator, commitment_item):
    record = decided(commitment_item)
    with at(2024, 10, 14, 9):
        first = api(regulator).post(ack(record))
    with at(2024, 10, 15, 16):  # the next day: signed in again (sessions end when idle)
        second = api(regulator).post(ack(record))
    assert first.status_code == second.status_code == 200
    expected = dt.datetime(2024, 10, 14, 9, tzinfo=SHANGHAI)
    assert dt.datetime.fromisoformat(second.json()["acknowledged_at"]) == expected
    assert second.json()["acknowledged_by"] == str(regulator)
    record.refresh_from_db()
    assert record.acknowledged_at == expected and record.acknowledged_by == regulator
    audits = AuditEvent.objects.filter(action=AuditAction.RECORD_ACKNOWLEDGE, object_id=str(record.pk))
    assert audits.count() == 1 and audits.get().actor == regulator


def test_the_same_record_delivered_twice_is_one_inbox_row(regulator, commitment_item):
    """A worker killed after writing to the inbox and before marking the row delivered: the row's
    lease runs out, the redrive sends it again, and the inbox keeps the one record it has."""
    record = decided(commitment_item)
    outbox = OutboxRecord.objects.get(idempotency_key=record.key, destination=Destination.INBOX)
    OutboxRecord.objects.filter(pk=outbox.pk).update(status=OutboxStatus.SENDING,
                                                     lease_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert outbox.pk in outbox_redrive()
    assert outbox_deliver(outbox.pk) is True
    assert InboxRecord.objects.filter(application=record.application).count() == 1
    assert InboxRecord.objects.get().delivered_at == record.delivered_at


# --- filters -------------------------------------------------------------------------------------

@pytest.fixture
def mixed_inbox(at, regulator, commitment_item):
    """A decision on 8 October, a filing on 10 October, and a decision revoked on 14 October."""
    filing_item = catalogue_item("filing")
    route_item(filing_item, regulator.organisation)
    with at(2024, 10, 8, 9):
        granted = decided(commitment_item)
    with at(2024, 10, 10, 9):
        filed = ApplicationFactory(filed=True, item=filing_item)
        deliver_all()
    with at(2024, 10, 14, 9):
        revoked = ApplicationFactory(revoked=True, item=commitment_item)
        deliver_all()
    return {"granted": granted.application.number, "filed": filed.number, "revoked": revoked.number,
            "filing_item": filing_item.code}


def test_the_list_filters_by_kind(api, regulator, mixed_inbox):
    client = api(regulator)
    assert numbers(client.get(LIST, {"kind": "filing.recorded"})) == [mixed_inbox["filed"]]
    assert numbers(client.get(LIST, {"kind": "approval.revoked"})) == [mixed_inbox["revoked"]]
    assert sorted(numbers(client.get(LIST, {"kind": "approval.decided"}))) == sorted(
        [mixed_inbox["granted"], mixed_inbox["revoked"]])


def test_the_list_filters_by_item_and_by_acknowledgement(api, regulator, mixed_inbox):
    client = api(regulator)
    assert numbers(client.get(LIST, {"item": mixed_inbox["filing_item"].lower()})) == [mixed_inbox["filed"]]
    filed = InboxRecord.objects.get(application__number=mixed_inbox["filed"])
    client.post(ack(filed))
    assert numbers(client.get(LIST, {"acknowledged": "true"})) == [mixed_inbox["filed"]]
    assert mixed_inbox["filed"] not in numbers(client.get(LIST, {"acknowledged": "false"}))
    assert len(numbers(client.get(LIST, {"acknowledged": "false"}))) == 3


@pytest.mark.parametrize(("since", "expected"), [
    ("2024-10-10", {"filed", "revoked"}),                 # from that day's midnight in Qinzhou
    ("2024-10-10T09:00:01+08:00", {"revoked"}),            # after the filing, to the second
    ("2024-10-10T01:00:00Z", {"filed", "revoked"}),       # 09:00 in Qinzhou
    ("2024-10-15", set()),
])
def test_the_list_filters_by_delivery_since(api, regulator, mixed_inbox, since, expected):
    shown = set(numbers(api(regulator).get(LIST, {"since": since})))
    assert shown == {mixed_inbox[name] for name in expected}


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"since": "garbage"}, "since", "ISO 8601"),
    ({"since": "2024-13-45"}, "since", "ISO 8601"),
    ({"acknowledged": "maybe"}, "acknowledged", "true"),
    ({"kind": "approval.bogus"}, "kind", "approval.decided"),
    ({"item": "QZ-013' OR 1=1"}, "item", "事项编码"),
    ({"item": "Q" * 40}, "item", "事项编码"),
])
def test_a_filter_that_cannot_be_meant_is_refused_with_a_chinese_reason(api, regulator, commitment_item,
                                                                        query, field, words):
    decided(commitment_item)
    response = api(regulator).get(LIST, query)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and words in body["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


@pytest.mark.parametrize("record_id", ["abc", "9" * 25, "-1", "0"])
def test_an_id_that_names_no_record_is_404_not_an_error(api, regulator, record_id):
    client = api(regulator)
    assert client.get(f"/api/v1/inbox/{record_id}/").status_code == 404
    assert client.post(f"/api/v1/inbox/{record_id}/ack/").status_code == 404
