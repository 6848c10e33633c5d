"""Approval records reach a regulator's own endpoint, signed per Standard Webhooks (issue 9).

A real HTTP server on 127.0.0.1 stands in for the regulator's system and receives with the code
the README gives (tests/notices/receiver.py). Deliveries run the real task, twice where it matters.
"""
import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from notices import tasks
from notices.constants import Destination, OutboxStatus, RecordKind
from notices.destinations import DeliveryFailed, webhook
from notices.endpoints import endpoint_add, endpoint_rotate_secret, new_secret
from notices.models import OutboxRecord
from notices.outbox import outbox_resend
from portal.exceptions import InvalidInput
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory
from tests.notices.receiver import readme_receiver, serving

pytestmark = pytest.mark.django_db


receiver = pytest.fixture(serving, name="receiver")


@pytest.fixture
def endpoint(commitment_item, receiver):
    """The regulator of item 13 receives at the stand-in server, with the secret the portal made."""
    regulator = commitment_item.regulator_routes.get().regulator
    endpoint, secret = endpoint_add(organisation=regulator, url=receiver.url, actor=None)
    receiver.use_secret(secret)
    endpoint.secret_shown = secret
    return endpoint


@pytest.fixture
def record(endpoint, officer):
    application = ApplicationFactory(decided=True, officer=officer)
    return OutboxRecord.objects.get(application=application, kind=RecordKind.DECIDED, destination=Destination.WEBHOOK)


def attempt(record) -> bool:
    """The next attempt, now (the backoff's wait skipped, not the claim), by the real task."""
    OutboxRecord.objects.filter(pk=record.pk, status=OutboxStatus.PENDING).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    return tasks.outbox_deliver(record.pk)


def reloaded(record) -> OutboxRecord:
    return OutboxRecord.objects.get(pk=record.pk)


def test_a_decision_reaches_the_regulators_endpoint_signed_and_the_readme_receiver_keeps_it(record, receiver):
    assert tasks.outbox_deliver(record.pk) is True

    assert reloaded(record).status == OutboxStatus.DELIVERED
    assert receiver.ids == [record.idempotency_key]
    kept = receiver.records[record.idempotency_key]
    assert kept["type"] == "approval.decided.v1" and kept["id"] == record.idempotency_key
    assert kept["data"]["applicant"]["name"] == record.application.applicant.name  # Chinese, intact
    assert kept["data"]["commitment"]["confirmations"] and kept["data"]["item"]["code"] == record.application.item.code
    body, headers = receiver.requests[0]
    assert json.loads(body) == record.payload
    assert headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]


def test_server_errors_are_retried_with_the_same_webhook_id_and_the_receiver_keeps_one_record(record, receiver):
    receiver.answers = [500, 503]

    assert tasks.outbox_deliver(record.pk) is False
    failed = reloaded(record)
    assert failed.status == OutboxStatus.PENDING and "HTTP 500" in failed.last_error and "接收方的说明" in failed.last_error
    assert failed.next_attempt_at > timezone.now()  # backing off: not claimable at once
    assert tasks.outbox_deliver(record.pk) is False and len(receiver.requests) == 1
    assert attempt(record) is False
    assert attempt(record) is True

    assert receiver.ids == [record.idempotency_key] * 3
    assert list(receiver.records) == [record.idempotency_key]
    delivered = reloaded(record)
    assert (delivered.status, delivered.attempts, delivered.last_error) == (OutboxStatus.DELIVERED, 3, "")


def test_a_receiver_slower_than_the_read_timeout_is_retried_and_keeps_one_record(record, receiver, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.3
    receiver.answers = [(None, 1.5)]  # takes the record, answers after the portal stopped waiting

    assert tasks.outbox_deliver(record.pk) is False
    assert reloaded(record).status == OutboxStatus.PENDING and "时限" in reloaded(record).last_error
    assert attempt(record) is True

    assert receiver.ids == [record.idempotency_key] * 2
    assert list(receiver.records) == [record.idempotency_key]


def test_an_endpoint_that_refuses_connections_is_retried(record, receiver):
    record.endpoint.url = "http://127.0.0.1:1/closed/"
    record.endpoint.save()

    assert tasks.outbox_deliver(record.pk) is False

    assert reloaded(record).status == OutboxStatus.PENDING and "无法连接" in reloaded(record).last_error


@pytest.mark.parametrize(("status", "after"), [
    (404, OutboxStatus.PENDING), (401, OutboxStatus.PENDING), (429, OutboxStatus.PENDING),
    (302, OutboxStatus.PENDING), (410, OutboxStatus.DEAD)])
def test_only_410_gone_gives_up_at_once_and_redirects_are_not_followed(record, receiver, status, after):
    receiver.answers = [status]

    assert tasks.outbox_deliver(record.pk) is False

    assert reloaded(record).status == after and f"HTTP {status}" in reloaded(record).last_error
    assert len(receiver.requests) == 1  # a 302's location was not asked


def test_after_the_last_attempt_the_record_is_dead_and_a_resend_delivers_it_once(record, receiver, settings,
                                                                                   admin_user):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    receiver.answers = [500, 500, 500]
    for _ in range(3):
        assert attempt(record) is False
    assert reloaded(record).status == OutboxStatus.DEAD
    assert attempt(record) is False and len(receiver.requests) == 3  # dead: nobody sends it any more

    outbox_resend(record=reloaded(record), actor=admin_user)
    assert tasks.outbox_deliver(record.pk) is True
    assert tasks.outbox_deliver(record.pk) is False

    assert reloaded(record).status == OutboxStatus.DELIVERED
    assert receiver.ids == [record.idempotency_key] * 4 and list(receiver.records) == [record.idempotency_key]
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_RESEND, actor=admin_user).count() == 1


def test_the_same_record_sent_again_by_a_worker_that_died_before_marking_it_stays_one_record(record, receiver):
    assert tasks.outbox_deliver(record.pk) is True
    assert tasks.outbox_deliver(record.pk) is False  # the task run twice: sent once
    assert len(receiver.requests) == 1

    # A worker sent it, then was killed before noting it: the row is still "sending", lease run out.
    OutboxRecord.objects.filter(pk=record.pk).update(
        status=OutboxStatus.SENDING, delivered_at=None, lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.outbox_deliver(record.pk) is True
    assert tasks.outbox_deliver(record.pk) is False

    assert receiver.ids == [record.idempotency_key] * 2
    assert list(receiver.records) == [record.idempotency_key]


def test_a_forged_altered_or_stale_delivery_is_refused_by_the_readme_verification(record, receiver, endpoint):
    tasks.outbox_deliver(record.pk)
    body, headers = receiver.requests[0]
    genuine = readme_receiver(endpoint.secret_shown)["receive"]

    assert genuine(body, headers) == 204  # the control: the very delivery, verified now
    assert readme_receiver(new_secret())["receive"](body, headers) == 400  # someone else's secret
    assert genuine(body.replace(b'"approval.decided.v1"', b'"approval.revoked.v1"'), headers) == 400
    forged = Webhook(new_secret()).sign(headers["webhook-id"], timezone.now(), body.decode())
    assert genuine(body, {**headers, "webhook-signature": forged}) == 400
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert genuine(body, headers) == 400  # replayed six minutes later


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(record, receiver, endpoint, settings):
    old = endpoint.secret_shown
    new = endpoint_rotate_secret(endpoint=endpoint, actor=None)
    record.endpoint.refresh_from_db()

    assert tasks.outbox_deliver(record.pk) is True  # the receiver is still on the old secret
    body, headers = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert readme_receiver(new)["receive"](body, headers) == 204
    assert readme_receiver(old)["receive"](body, headers) == 204

    settings.WEBHOOK_ROTATION_GRACE_HOURS = 24
    later = timezone.now() + dt.timedelta(hours=25)
    signed = webhook.signed_headers(record.endpoint, record.idempotency_key, body.decode(), later)
    assert len(signed["webhook-signature"].split(" ")) == 1
    with time_machine.travel(later):
        assert readme_receiver(new)["receive"](body, signed) == 204
        assert readme_receiver(old)["receive"](body, signed) == 400


def test_an_inactive_endpoint_is_not_sent_to(record, receiver):
    record.endpoint.active = False
    record.endpoint.save()

    with pytest.raises(DeliveryFailed, match="停用"):
        webhook.deliver(reloaded(record))
    assert receiver.requests == []


def test_plain_http_is_refused_in_production_for_new_endpoints_and_at_delivery(record, receiver, settings,
                                                                               other_regulator):
    settings.DEBUG, settings.WEBHOOK_ALLOW_HTTP = False, False

    with pytest.raises(InvalidInput, match="https://"):
        endpoint_add(organisation=other_regulator.organisation, url="http://example.org/hook", actor=None)
    assert tasks.outbox_deliver(record.pk) is False

    assert reloaded(record).status == OutboxStatus.DEAD and receiver.requests == []
