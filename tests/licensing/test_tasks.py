"""licensing's Celery jobs run the sanctions through Celery itself, twice with one effect.

apply() runs a task through Celery's own tracer in this process; the last test sends one
through the configured broker (filesystem:// by default, Redis in CI) to a real worker.
"""
import threading
import uuid

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from kombu import Exchange, Queue

from licensing import services, tasks
from licensing.constants import Channel, Status
from licensing.models import Application, ApplicationEvent
from portal.celery import app as celery_app
from supervision.models import CreditRecord
from tests.factories import commitment_application


def status_of(application):
    return Application.objects.get(pk=application.pk).status


def run(task):
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


@pytest.fixture
def approved_late(commitment_item, enterprise, clerk, officer, at):
    """Decided 2024-10-14; its after-decision material was due 2024-11-11 and never came."""
    with at(2024, 10, 14):
        return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)


@pytest.mark.django_db
def test_the_beat_schedule_runs_both_jobs_every_hour():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"licensing.tasks.revoke_for_overdue_materials", "licensing.tasks.lapse_overdue_commitments"} <= scheduled
    assert {tasks.revoke_for_overdue_materials.name, tasks.lapse_overdue_commitments.name} <= set(celery_app.tasks)


@pytest.mark.django_db
def test_the_revocation_job_run_twice_revokes_once(approved_late, at):
    with at(2024, 11, 12, 0):
        assert run(tasks.revoke_for_overdue_materials) == [approved_late.number]
        assert run(tasks.revoke_for_overdue_materials) == []
    assert status_of(approved_late) == Status.REVOKED
    assert ApplicationEvent.objects.filter(application=approved_late, action="revoke").count() == 1
    assert CreditRecord.objects.filter(application=approved_late).count() == 1


@pytest.mark.django_db
def test_the_lapse_job_run_twice_lapses_once_and_spares_the_holiday(commitment_item, enterprise, clerk, at):
    with at(2024, 9, 27):  # commitment due 2024-10-08, after National Day
        notified = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                               channel=Channel.WINDOW)
    with at(2024, 10, 7):
        assert run(tasks.lapse_overdue_commitments) == []
    with at(2024, 10, 9, 0):
        assert run(tasks.lapse_overdue_commitments) == [notified.number]
        assert run(tasks.lapse_overdue_commitments) == []
    assert status_of(notified) == Status.LAPSED
    assert ApplicationEvent.objects.filter(application=notified, action="lapse").count() == 1


# --- through the broker, to a real worker ---------------------------------------------------------


@pytest.fixture
def finished_tasks():
    """Names of the tasks the worker finished; the worker closes its own DB connection after each."""
    finished = {"names": [], "event": threading.Event()}

    def after_task(sender=None, **kwargs):
        connection.close()  # the worker thread's own connection, as a real worker's Django fixup does
        finished["names"].append(sender.name)
        finished["event"].set()
    signals.task_postrun.connect(after_task, weak=False)
    yield finished
    signals.task_postrun.disconnect(after_task)


@pytest.fixture
def own_queue():
    """A queue no one else uses: the filesystem broker's folder is shared by every test run and
    development worker in the checkout, and any of them could otherwise take (or leave) a message."""
    name = f"licensing-test-{uuid.uuid4().hex}"
    yield name
    # Leave no bindings behind in Redis: declared here so this channel knows them, then deleted.
    with celery_app.connection_for_write() as conn:
        queue = Queue(name, Exchange(name), routing_key=name)(conn.default_channel)
        queue.declare()
        queue.delete()
        conn.default_channel.exchange_delete(name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_takes_the_revocation_job_from_the_broker(approved_late, finished_tasks, own_queue):
    # Real time from here on (now is long after 2024-11-11): a frozen clock would stall the worker.
    with start_worker(celery_app, queues=[own_queue], perform_ping_check=False, shutdown_timeout=30):
        tasks.revoke_for_overdue_materials.apply_async(queue=own_queue)
        # Wait for the worker's word rather than polling the database it is writing to.
        done = finished_tasks["event"].wait(timeout=30)
    assert done, f"no worker finished the job within 30 s (broker {settings.CELERY_BROKER_URL.split('@')[-1]})"
    assert finished_tasks["names"] == [tasks.revoke_for_overdue_materials.name]
    assert status_of(approved_late) == Status.REVOKED
    assert CreditRecord.objects.filter(application=approved_late).count() == 1
