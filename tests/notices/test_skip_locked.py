"""Several workers deliver approval records at once (issue 13): each record is delivered once, and a
worker never waits on a record another worker is claiming: it passes over it (SELECT … FOR UPDATE
SKIP LOCKED) and goes on with the next.

Real threads with their own database connections against PostgreSQL, whose row locks the claim
relies on. SQLite locks the whole database instead, so neither race can happen there.
"""
import threading
import time

import pytest
from django.db import connection, transaction

from notices import tasks
from notices.constants import OutboxStatus
from notices.models import OutboxRecord
from notices.selectors_outbox import department_pushes
from supervision.models import InboxRecord
from tests.factories import ApplicationFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks; SQLite serialises all writers, so there is no race to test"),
    # Threads see only committed rows; the catalogue and calendar are data migrations.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOLD = 10.0  # seconds a lock holder keeps its row at most: a worker that waited would take this long


def deliver(record_id) -> bool:
    result = tasks.outbox_deliver.apply(args=(record_id,))  # the task, through Celery's tracer
    assert result.successful(), result.traceback
    return result.result


def at_once(count, work):
    """Run work(i) in `count` threads released together; each returns its result or its exception."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting for a lock"
    return results


@pytest.fixture
def records(commitment_item, enterprise, applicant_user, officer, queue):
    """Five decisions, each with its pending record for the regulator's inbox; the deliveries they
    queued stay in the test's own broker (`queue`), so only the workers below deliver."""
    applications = [ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise,
                                       actor=applicant_user, officer=officer) for _ in range(5)]
    rows = list(department_pushes().filter(application__in=applications).order_by("id"))  # not the 归集 rows
    assert {r.status for r in rows} == {OutboxStatus.PENDING} and len(rows) == 5
    return rows


def test_two_workers_delivering_the_same_records_at_once_deliver_each_once(records):
    ids = [r.pk for r in records]
    results = at_once(2, lambda i: [deliver(pk) for pk in ids])
    assert not any(isinstance(r, Exception) for r in results), results
    assert [first + second for first, second in zip(*results)] == [1] * len(ids)  # one True per record

    assert [deliver(pk) for pk in ids] == [False] * len(ids)  # and a third run finds nothing to do
    assert set(OutboxRecord.objects.filter(pk__in=ids).values_list("status", "attempts")) == {
        (OutboxStatus.DELIVERED, 1)}
    assert sorted(InboxRecord.objects.values_list("key", flat=True)) == sorted(r.idempotency_key for r in records)


def test_a_record_another_worker_is_claiming_is_passed_over_at_once_not_waited_for(records):
    record = records[0]
    held, release = threading.Event(), threading.Event()

    def hold():
        """Another worker in the middle of its claim: the row locked in an open transaction."""
        try:
            with transaction.atomic():
                OutboxRecord.objects.select_for_update().get(pk=record.pk)
                held.set()
                release.wait(timeout=HOLD)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        started = time.monotonic()
        assert deliver(record.pk) is False
        assert time.monotonic() - started < HOLD / 4, "the worker waited for the other's lock"
        assert deliver(records[1].pk) is True  # the others are not held up
    finally:
        release.set()
        holder.join(timeout=30)

    assert deliver(record.pk) is True  # once the other let it go (here without claiming it), it is delivered
    assert deliver(record.pk) is False
    assert InboxRecord.objects.filter(key=record.idempotency_key).count() == 1
