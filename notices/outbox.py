"""The outbox: approval records reach the regulator within 3 working days, nothing lost, nothing twice.

钦政办〔2019〕72号: 作出行政许可决定后应当在3个工作日内将信息（包括承诺内容）推送给监管部门.

How a record travels:

1. `outbox_record` writes one row per destination of each recipient *in the transaction of the
   event* (decision, filing, cancel registration, revocation), so the record exists exactly when
   the event does, and queues its delivery with on_commit (robust: a broker that is down must not
   undo a decision already made; the beat job below finds the row later).
2. `outbox_deliver(id)` claims the row with one UPDATE whose subquery takes it FOR UPDATE SKIP
   LOCKED (pending and due for an attempt, or `sending` with its lease run out: a worker killed
   mid-delivery), hands it to its destination plugin outside any transaction, and marks it
   delivered, or schedules the next attempt with exponential backoff and jitter; after the last
   attempt it is dead (dead letter) until an admin re-sends it. A claim is exclusive, so two
   workers never send one row at once, and a worker never waits on a row another is claiming;
   a worker killed after sending and before marking sends it again later, with the same
   webhook-id, and the receiver keeps one copy.
3. `outbox_redrive` (beat, every minute, one run at a time: portal.singleton) queues every row that
   is due for an attempt or whose lease ran out, so what Redis or a worker lost is delivered once
   they are back.

A record with no regulator to name is `unrouted`: admins see it on their dashboard; its due time
runs from the event all the same; `outbox_route` sends it on once a route names the regulator.
"""
import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notices import destinations
from notices.constants import (
    DELIVERY_WORKING_DAYS, DOCUMENT_TEXT_FIELDS, PAYLOAD_VERSION, Destination, OutboxStatus, Recipient, RecordKind,
)
from notices.models import Document, OutboxRecord, RegulatorEndpoint
from portal import audit, calendar
from portal.exceptions import Conflict
from portal.models import AuditAction

logger = logging.getLogger("notices.outbox")

_KEY_NAMESPACE = uuid.UUID("5b0a8f3e-2c61-4c1e-9d0e-1f6f0b9e2a19")


def due_at_for(event_at: dt.datetime) -> dt.datetime:
    """The end of the 3rd working day after the event's day (the day of the event is not counted),
    in the portal's time zone, by the portal's one calendar."""
    day = calendar.add_working_days(timezone.localtime(event_at).date(), DELIVERY_WORKING_DAYS).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def idempotency_key(application, kind: str, recipient: str) -> str:
    """The same for every destination and attempt of one record: the receiver's webhook-id."""
    return f"msg_{uuid.uuid5(_KEY_NAMESPACE, f'{application.number}|{kind}|{recipient}').hex}"


def _documents(application) -> list[dict]:
    # version (issue 12): a licence is issued anew on each change and on its revocation. A record is data
    # for the regulator's systems: its labels are in the portal's own language, whatever the page's (issue 15).
    with override(settings.LANGUAGE_CODE):
        return _document_rows(application)


def _document_rows(application) -> list[dict]:
    return [{"kind": d.kind, "kind_label": d.get_kind_display(), "number": d.number, "version": d.version,
             "verification_code": d.verification_code, "issued_at": d.issued_at}
            for d in Document.objects.filter(application=application).defer(*DOCUMENT_TEXT_FIELDS)
            .order_by("issued_at", "id")]


def _payload(application, kind, key, event_at, data) -> dict:
    return {"type": f"{kind}.{PAYLOAD_VERSION}", "id": key, "timestamp": event_at,
            "data": {**data, "documents": _documents(application)}}


def _recipients(kind, regulator, authority) -> list[tuple[str, object]]:
    """The regulator always; a revocation goes to both sides, to the approving authority too
    unless it is its own regulator."""
    recipients = [(Recipient.REGULATOR, regulator)]
    if kind == RecordKind.REVOKED and authority is not None and authority != regulator:
        recipients.append((Recipient.AUTHORITY, authority))
    return recipients


def _active_endpoint(organisation):
    if organisation is None:
        return None
    return RegulatorEndpoint.objects.filter(organisation=organisation, active=True).order_by("-id").first()


def outbox_record(*, application, kind: str, data: dict, regulator, authority, event_at=None) -> list[OutboxRecord]:
    """Write the record of an event for each recipient and destination, in the caller's transaction;
    their delivery is queued after commit. Called again for the same event, it adds nothing."""
    event_at = event_at or timezone.now()
    rows = []
    for recipient, organisation in _recipients(kind, regulator, authority):
        key = idempotency_key(application, kind, recipient)
        common = {"kind": kind, "application": application, "recipient": recipient, "authority": authority,
                  "payload": _payload(application, kind, key, event_at, data), "event_at": event_at,
                  "due_at": due_at_for(event_at), "type": f"{kind}.{PAYLOAD_VERSION}"}
        rows += _rows_for(key, organisation, common)
    for row in rows:
        _enqueue_after_commit(row)
    return rows


def registration_key(registration, organisation) -> str:
    """One 告知 record per registration event and department, whatever the attempts (issue 16)."""
    name = f"registration|{registration.sender_id}|{registration.event_id}|{organisation.pk}"
    return f"msg_{uuid.uuid5(_KEY_NAMESPACE, name).hex}"


def outbox_record_registration(*, registration, organisation, data: dict, event_at=None) -> list[OutboxRecord]:
    """双告知 (issue 16): the 告知 record of a registration for one department concerned, through the same
    pipeline as approval records (its inbox, and its webhook if it has one), due in the same 3 working
    days; in the caller's transaction, queued after commit. Called again for the same event, it adds nothing."""
    event_at = event_at or timezone.now()
    kind = RecordKind.REGISTRATION_NOTICE
    key = registration_key(registration, organisation)
    common = {"kind": kind, "application": None, "registration": registration, "recipient": Recipient.REGULATOR,
              "authority": None, "event_at": event_at, "due_at": due_at_for(event_at),
              "type": f"{kind}.{PAYLOAD_VERSION}",
              "payload": {"type": f"{kind}.{PAYLOAD_VERSION}", "id": key, "timestamp": event_at, "data": data}}
    rows = _rows_for(key, organisation, common)
    for row in rows:
        _enqueue_after_commit(row)
    return rows


def _rows_for(key, organisation, common) -> list[OutboxRecord]:
    status = OutboxStatus.PENDING if organisation is not None else OutboxStatus.UNROUTED
    now = timezone.now()
    wanted = [(Destination.INBOX, None)]
    endpoint = _active_endpoint(organisation)
    if endpoint is not None:
        wanted.append((Destination.WEBHOOK, endpoint))
    rows = []
    for destination, endpoint in wanted:
        row, created = OutboxRecord.objects.get_or_create(idempotency_key=key, destination=destination, defaults={
            **common, "recipient_org": organisation, "endpoint": endpoint, "status": status,
            "next_attempt_at": now if organisation is not None else None})
        if created:
            rows.append(row)
    return rows


def _enqueue_after_commit(row) -> None:
    if row.status == OutboxStatus.PENDING:
        transaction.on_commit(lambda: enqueue_delivery(row.pk), robust=True)


def enqueue_delivery(record_id: int) -> None:
    """Queue a delivery. If the broker is down this raises; callers that must not fail (after
    commit, the beat job) catch it, and the row waits for the next redrive."""
    from notices.tasks import outbox_deliver as task  # the task module imports this one

    task.delay(record_id)


# --- delivery ------------------------------------------------------------------------------------

def _claimable(now) -> Q:
    """Due for an attempt, or left mid-delivery by a worker whose lease ran out. Never a record whose
    channel is the daily 归集 file (issue 16): no worker sends it, the export marks it (notices.publicity)."""
    due = Q(status=OutboxStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return (due | Q(status=OutboxStatus.SENDING, lease_until__lt=now)) & ~Q(destination=Destination.PUBLICITY_FILE)


def _claim(record_id: int, now) -> bool:
    """Take the record for this worker's attempt: `sending`, its lease running, one attempt more.

    One UPDATE whose subquery reads the row FOR UPDATE SKIP LOCKED (PostgreSQL): a row another
    worker is claiming at this instant is passed over at once instead of waited for (that worker
    has it), and one claimed meanwhile no longer matches _claimable, so two workers never claim one
    row. On SQLite (no row locks) the single statement is atomic all the same."""
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    free = (OutboxRecord.objects.filter(_claimable(now), pk=record_id).order_by()
            .select_for_update(skip_locked=True).values("pk"))
    with transaction.atomic():  # FOR UPDATE belongs to a transaction: this statement's own
        # _claimable again outside: the row as the UPDATE finds it, where the subquery locks nothing (SQLite).
        return bool(OutboxRecord.objects.filter(_claimable(now), pk__in=free).update(
            status=OutboxStatus.SENDING, lease_until=now + lease, attempts=F("attempts") + 1))


def outbox_deliver(record_id: int) -> bool:
    """Try to deliver one record; True when this call delivered it. Safe to run twice or at once:
    only the call that claims the row sends it, and a call never waits on another's claim."""
    if not _claim(record_id, timezone.now()):
        return False
    record = (OutboxRecord.objects.select_related("application", "registration", "recipient_org", "endpoint")
              .get(pk=record_id))
    try:
        with override(settings.LANGUAGE_CODE):  # what the destination keeps is data, in the source language
            destinations.deliver(record)
    except Exception as exc:  # noqa: BLE001 - any failure of a destination is retried or dead-lettered, never lost
        _failed(record, exc)
        return False
    return bool(OutboxRecord.objects.filter(pk=record.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.DELIVERED, delivered_at=timezone.now(), lease_until=None, last_error=""))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter: base·2^(n-1), capped, times a random factor in [0.5, 1]
    so that records failing together do not all come back at the same second."""
    ceiling = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_CAP_SECONDS)
    return dt.timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret


def _failed(record, exc) -> None:
    message = str(exc)[:2000] or exc.__class__.__name__
    permanent = isinstance(exc, destinations.DeliveryFailed) and exc.permanent
    dead = permanent or record.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    changes = {"status": OutboxStatus.DEAD if dead else OutboxStatus.PENDING, "lease_until": None,
               "last_error": message, "next_attempt_at": None if dead else timezone.now() + retry_delay(record.attempts)}
    OutboxRecord.objects.filter(pk=record.pk, status=OutboxStatus.SENDING).update(**changes)
    log = logger.error if dead else logger.warning
    log("outbox: record %s to %s failed (attempt %s)%s: %s", record.pk, record.destination, record.attempts,
        ", dead-lettered" if dead else "", message)


def outbox_redrive(limit: int = 1000) -> list[int]:
    """Beat job: queue every record due for an attempt, and every one whose worker vanished (its
    lease ran out), at most `limit` a run, those due first (index status, next_attempt_at).
    Queuing one twice is harmless: only one delivery claims it.

    It reads without locking: it claims nothing, and a lock held while it queues would make a
    worker's SKIP LOCKED claim pass over the very row it was sent for."""
    ids = list(OutboxRecord.objects.filter(_claimable(timezone.now())).order_by("due_at", "id")
               .values_list("pk", flat=True)[:limit])
    for record_id in ids:
        enqueue_delivery(record_id)
    return ids


# --- routing and re-sending ----------------------------------------------------------------------

def unrouted_applications():
    """The applications with a record waiting for a regulator (the unrouted queue)."""
    return (OutboxRecord.objects.filter(status=OutboxStatus.UNROUTED, application__isnull=False)
            .values_list("application_id", flat=True).distinct())


@transaction.atomic
def outbox_route(*, application, regulator) -> list[OutboxRecord]:
    """Send the application's unrouted records to the regulator a route now names; their due time
    stays where the event put it."""
    rows = []
    for record in OutboxRecord.objects.select_for_update().filter(application=application,
                                                                   status=OutboxStatus.UNROUTED):
        common = {f: getattr(record, f) for f in ("kind", "type", "application", "recipient", "authority",
                                                  "payload", "event_at", "due_at", "warned_at")}
        record.delete()
        rows += _rows_for(record.idempotency_key, regulator, common)
    for row in rows:
        _enqueue_after_commit(row)
    return rows


@transaction.atomic
def outbox_resend(*, record: OutboxRecord, actor) -> OutboxRecord:
    """An admin sends a dead-lettered record again: a fresh round of attempts, the same webhook-id."""
    # A webhook row goes to the organisation's endpoint of now: the one it was written with may have
    # been replaced, which is often why it died.
    endpoint = _active_endpoint(record.recipient_org) if record.destination == Destination.WEBHOOK else None
    if not OutboxRecord.objects.filter(pk=record.pk, status=OutboxStatus.DEAD).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="",
            endpoint=endpoint or record.endpoint):
        raise Conflict(_("只有推送失败的记录可以重新推送。"))
    audit.write(AuditAction.RECORD_RESEND, actor=actor, obj=record, details={
        "key": record.idempotency_key, "destination": record.destination})
    record.refresh_from_db()
    _enqueue_after_commit(record)
    return record
