"""Issue 9: every decision, filing, cancel registration and revocation leaves an approval record for
its regulator in the event's own transaction, with the commitment's content, due 3 working days on;
delivery into the portal inbox is claimed once, retried with backoff, dead-lettered, re-sent.
"""
import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from licensing import services
from licensing.models import Item
from licensing.services.records import records_route_pending
from licensing.constants import COMMITMENT_CONFIRMATIONS, ReformMode, Status
from notices import outbox
from notices.constants import Destination, OutboxStatus, Recipient, RecordKind
from notices.models import OutboxRecord
from notices.selectors_outbox import department_pushes
from notices.tasks import outbox_deliver, outbox_redrive
from portal.celery import app as celery_app
from portal.constants import OrgKind
from portal.exceptions import Conflict
from portal.models import AuditAction, AuditEvent
from supervision.models import InboxRecord
from tests.clock import SHANGHAI
from tests.factories import ApplicationFactory, OrganisationFactory, item_officer, route_item

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def decided(commitment_item, enterprise, applicant_user, officer):
    return ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                              officer=officer)


def records_of(application, **filters):
    return list(department_pushes().filter(application=application, **filters).order_by("id"))


# --- written with the event -----------------------------------------------------------------------

def test_a_decision_on_the_spot_leaves_one_record_for_the_regulator_with_the_commitment(decided, regulator):
    [record] = records_of(decided)
    assert (record.kind, record.type, record.recipient_org, record.status, record.destination) == (
        RecordKind.DECIDED, "approval.decided.v1", regulator.organisation, OutboxStatus.PENDING, Destination.INBOX)
    data = record.payload["data"]
    assert record.payload["type"] == "approval.decided.v1" and record.payload["id"] == record.idempotency_key
    assert data["decision"]["outcome"] == "granted"
    assert data["licence"]["number"] == decided.licence.number
    assert data["applicant"]["identifier"] == decided.applicant.identifier  # the regulator sees it whole
    assert data["item"]["code"] == decided.item.code
    commitment = data["commitment"]
    assert commitment["signatory"] == decided.commitment.signatory
    assert [c["text"] for c in commitment["confirmations"]] == COMMITMENT_CONFIRMATIONS
    assert all(c["confirmed"] for c in commitment["confirmations"])
    assert [m["name"] for m in commitment["materials_promised"]] == ["安全设施说明"]
    assert commitment["materials_promised"][0]["due_date"] is not None
    kinds = {d["kind"] for d in data["documents"]}
    assert {"notice", "commitment", "decision"} <= kinds


def test_a_decision_rolled_back_leaves_no_record(commitment_item, enterprise, applicant_user, officer):
    committed = ApplicationFactory(committed=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                   officer=officer)
    with pytest.raises(Boom), transaction.atomic():
        services.application_decide(application=committed, actor=officer)
        raise Boom
    assert records_of(committed) == []
    committed.refresh_from_db()
    assert committed.status == Status.COMMITTED


def test_a_refused_decision_is_pushed_with_its_reason(commitment_item):
    rejected = ApplicationFactory(rejected=True, reason="经营场所不符合消防要求")
    [record] = records_of(rejected)
    assert record.kind == RecordKind.DECIDED
    assert (record.payload["data"]["decision"]["outcome"], record.payload["data"]["decision"]["reason"]) == (
        "refused", "经营场所不符合消防要求")
    assert record.payload["data"]["commitment"] is None


@pytest.mark.parametrize("trait, kind", [("filed", RecordKind.FILED), ("recorded", RecordKind.REGISTERED)])
def test_a_filing_and_a_cancel_registration_are_pushed_too(trait, kind):
    application = ApplicationFactory(**{trait: True})
    [record] = records_of(application)
    assert record.kind == kind and record.type == f"{kind}.v1"


def test_an_item_whose_authority_is_an_industry_department_is_regulated_by_it_without_a_route():
    application = ApplicationFactory(filed=True)
    authority = application.item.authorities.order_by("order").first().organisation
    assert authority.kind == OrgKind.AUTHORITY and not application.item.regulator_routes.exists()
    [record] = records_of(application)
    assert record.recipient_org == authority == record.authority
    application.refresh_from_db()
    assert application.regulator == authority


def test_a_revocation_goes_to_both_sides(commitment_item, enterprise, applicant_user, officer, regulator):
    revoked = ApplicationFactory(revoked=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                 officer=officer, reason="核查发现承诺不实")
    rows = records_of(revoked, kind=RecordKind.REVOKED)
    assert {(r.recipient, r.recipient_org) for r in rows} == {
        (Recipient.REGULATOR, regulator.organisation), (Recipient.AUTHORITY, officer.organisation)}
    assert {r.payload["data"]["decision"]["reason"] for r in rows} == {"核查发现承诺不实"}
    assert len({r.idempotency_key for r in rows}) == 2


def test_a_revocation_by_an_authority_that_is_its_own_regulator_is_pushed_once():
    item = (Item.objects.filter(reform_mode=ReformMode.OPTIMISE)
            .exclude(authorities__organisation__kind=OrgKind.APPROVAL_BUREAU).order_by("seq_no").first())
    approved = ApplicationFactory(approved=True, item=item)
    assert approved.regulator == approved.item.authorities.order_by("order").first().organisation
    services.application_revoke(application=approved, actor=item_officer(item), reason="材料造假")
    assert len(records_of(approved, kind=RecordKind.REVOKED)) == 1


# --- due in 3 working days -----------------------------------------------------------------------

def test_a_record_is_due_at_the_end_of_the_third_working_day_after_the_event(at):
    with at(2024, 9, 27, 16):  # a Friday before 国庆 2024
        record = records_of(ApplicationFactory(filed=True))[0]
    # Sunday 9-29 is a make-up working day (调休上班): day 1; Monday 9-30 day 2; 10-1..7 are off; 10-8 day 3.
    assert timezone.localtime(record.due_at, SHANGHAI) == dt.datetime(2024, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_same_event_recorded_twice_adds_nothing(decided, regulator):
    [first] = records_of(decided)
    again = outbox.outbox_record(application=decided, kind=RecordKind.DECIDED, data={}, regulator=regulator.organisation,
                                 authority=None)
    assert again == [] and records_of(decided) == [first]


# --- delivery ------------------------------------------------------------------------------------

def test_delivery_puts_the_record_in_the_regulators_inbox_once_however_often_the_task_runs(decided, regulator):
    [record] = records_of(decided)
    assert outbox_deliver.apply(args=[record.pk]).get() is True
    assert outbox_deliver.apply(args=[record.pk]).get() is False
    record.refresh_from_db()
    assert (record.status, record.attempts) == (OutboxStatus.DELIVERED, 1)
    inbox = InboxRecord.objects.get()
    assert (inbox.organisation, inbox.key, inbox.application) == (regulator.organisation, record.idempotency_key, decided)
    assert inbox.payload["data"]["commitment"]["signatory"] == decided.commitment.signatory


def test_a_worker_that_vanished_mid_delivery_is_taken_over_once_its_lease_runs_out(decided, settings):
    [record] = records_of(decided)
    lease_ended = timezone.now() - dt.timedelta(seconds=1)
    OutboxRecord.objects.filter(pk=record.pk).update(status=OutboxStatus.SENDING, attempts=1, lease_until=lease_ended)
    assert outbox.outbox_redrive() == [record.pk]
    assert outbox.outbox_deliver(record.pk) is True
    record.refresh_from_db()
    assert (record.status, record.attempts, InboxRecord.objects.count()) == (OutboxStatus.DELIVERED, 2, 1)


def test_a_delivery_in_progress_is_not_taken_over_before_its_lease_runs_out(decided):
    [record] = records_of(decided)
    OutboxRecord.objects.filter(pk=record.pk).update(
        status=OutboxStatus.SENDING, attempts=1, lease_until=timezone.now() + dt.timedelta(minutes=1))
    assert outbox.outbox_redrive() == []
    assert outbox.outbox_deliver(record.pk) is False
    assert not InboxRecord.objects.exists()


def test_redrive_run_twice_queues_what_is_due_and_delivers_it_once(decided):
    [record] = records_of(decided)
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        assert outbox_redrive.apply().get() == [record.pk]
        assert outbox_redrive.apply().get() == []
    finally:
        celery_app.conf.task_always_eager = before
    record.refresh_from_db()
    assert record.status == OutboxStatus.DELIVERED and InboxRecord.objects.count() == 1


def test_a_failed_delivery_is_retried_later_with_backoff_then_dead_lettered(decided, settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    [record] = records_of(decided)
    OutboxRecord.objects.filter(pk=record.pk).update(recipient_org=None)  # the inbox refuses: no one to deliver to
    assert outbox.outbox_deliver(record.pk) is False
    record.refresh_from_db()
    assert record.status == OutboxStatus.PENDING and record.attempts == 1 and "尚未确定接收部门" in record.last_error
    wait = record.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 0.5 - 1) <= wait <= dt.timedelta(
        seconds=settings.OUTBOX_RETRY_BASE_SECONDS)
    assert outbox.outbox_deliver(record.pk) is False  # not yet due: nothing happens
    assert OutboxRecord.objects.get(pk=record.pk).attempts == 1
    for _ in range(2):
        OutboxRecord.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())
        outbox.outbox_deliver(record.pk)
    record.refresh_from_db()
    assert (record.status, record.attempts, record.next_attempt_at) == (OutboxStatus.DEAD, 3, None)
    assert outbox.outbox_redrive() == []


def test_backoff_doubles_up_to_its_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_CAP_SECONDS = 10, 100
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (12, 100)]:
        delay = outbox.retry_delay(attempts).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_an_admin_resends_a_dead_record_with_the_same_key_and_it_is_audited(decided, admin_user, regulator):
    [record] = records_of(decided)
    OutboxRecord.objects.filter(pk=record.pk).update(status=OutboxStatus.DEAD, attempts=25, next_attempt_at=None)
    resent = outbox.outbox_resend(record=record, actor=admin_user)
    assert (resent.status, resent.attempts, resent.idempotency_key) == (OutboxStatus.PENDING, 0, record.idempotency_key)
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_RESEND, actor=admin_user).count() == 1
    with pytest.raises(Conflict):
        outbox.outbox_resend(record=resent, actor=admin_user)
    assert outbox.outbox_deliver(record.pk) is True


# --- unrouted ------------------------------------------------------------------------------------

@pytest.fixture
def bureau_item():
    """An optimised item the 市行政审批局 approves, with no route: no one regulates its records yet."""
    item = Item.objects.get(seq_no=66)  # 药品零售企业许可: the 市行政审批局 alone approves it
    assert [a.organisation.kind for a in item.authorities.all()] == [OrgKind.APPROVAL_BUREAU]
    assert not item.regulator_routes.exists()
    return item


def test_a_record_no_one_can_route_waits_unrouted_with_its_clock_running(at, bureau_item):
    with at(2024, 10, 14, 10):
        approved = ApplicationFactory(approved=True, item=bureau_item)
    [record] = records_of(approved)
    assert (record.status, record.recipient_org, record.next_attempt_at) == (OutboxStatus.UNROUTED, None, None)
    assert timezone.localtime(record.due_at, SHANGHAI).date() == dt.date(2024, 10, 17)
    assert outbox.outbox_redrive() == [] and outbox.outbox_deliver(record.pk) is False
    assert approved.pk in set(outbox.unrouted_applications())


def test_once_a_route_names_the_regulator_the_record_goes_on_with_its_due_time_unchanged(bureau_item):
    approved = ApplicationFactory(approved=True, item=bureau_item)
    [record] = records_of(approved)
    assert records_route_pending() == []  # still no route: still waiting
    market = OrganisationFactory(kind=OrgKind.REGULATOR, name="市市场监管局")
    route_item(bureau_item, market)
    assert records_route_pending() == [approved.number]
    assert records_route_pending() == []  # twice: one effect
    [routed] = records_of(approved)
    assert (routed.status, routed.recipient_org, routed.due_at, routed.idempotency_key) == (
        OutboxStatus.PENDING, market, record.due_at, record.idempotency_key)
    approved.refresh_from_db()
    assert approved.regulator == market
    assert outbox.outbox_deliver(routed.pk) is True
    assert InboxRecord.objects.get().organisation == market


def test_a_route_for_one_county_authority_wins_over_the_route_for_its_level(commitment_item, enterprise, applicant_user,
                                                                            officer):
    county_regulator = OrganisationFactory(kind=OrgKind.REGULATOR, name="灵山县公安局治安大队")
    route_item(commitment_item, county_regulator, authority=officer.organisation)
    decided = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                 officer=officer)
    assert records_of(decided)[0].recipient_org == county_regulator
