"""The beat jobs go on past one failing row (issue 8): each application in its own transaction,
the failure logged with its number and left as it was for the next run, the others done.

The fault is injected by replacing the per-row service for one application number with one that
raises (as a bug or bad data would); the database, the broker and the task are real.
"""
import logging

import pytest

from licensing import tasks
from licensing.constants import Channel, MaterialStatus, Status
from licensing.models import Application, ApplicationEvent
from licensing.services import commitment as commitment_services
from licensing.services import sanctions as sanction_services
from supervision.models import CreditRecord
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


class Broken(Exception):
    pass


def fail_for(monkeypatch, module, name, number):
    """Make module.name raise for the application `number` only; the others get the real service."""
    real = getattr(module, name)

    def service(*, application, **kwargs):
        if application.number == number:
            raise Broken(f"{name} broke on {number}")
        return real(application=application, **kwargs)
    monkeypatch.setattr(module, name, service)
    return lambda: monkeypatch.setattr(module, name, real)


def run(task):
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


def status_of(application):
    return Application.objects.get(pk=application.pk).status


def logged_failures(caplog, number):
    return [r for r in caplog.records if r.levelno == logging.ERROR and number in r.getMessage() and r.exc_info]


@pytest.fixture
def three_late(commitment_item, officer, at):
    """Three decisions of 2024-10-14 whose after-decision material was due 2024-11-11 and never came."""
    with at(2024, 10, 14):
        return [ApplicationFactory(item=commitment_item, officer=officer, channel=Channel.WINDOW, decided=True)
                for _ in range(3)]


@pytest.fixture
def three_unanswered(commitment_item, at):
    """Three notices handed over at the window on 2024-09-27; the commitments were due 2024-10-08."""
    with at(2024, 9, 27):
        return [ApplicationFactory(item=commitment_item, channel=Channel.WINDOW, notice_issued=True)
                for _ in range(3)]


def test_the_revocation_job_revokes_the_others_when_one_fails(three_late, monkeypatch, caplog, at):
    first, broken, last = three_late
    repair = fail_for(monkeypatch, sanction_services, "application_revoke", broken.number)
    with at(2024, 11, 12, 0):
        assert run(tasks.revoke_for_overdue_materials) == [first.number, last.number]
    assert [status_of(a) for a in three_late] == [Status.REVOKED, Status.APPROVED, Status.REVOKED]
    assert logged_failures(caplog, broken.number)
    # Its own transaction was rolled back: its material is still owed, and nothing was recorded against it.
    assert set(broken.materials.filter(due_date__isnull=False).values_list("status", flat=True)) == {MaterialStatus.OWED}
    assert not CreditRecord.objects.filter(application=broken).exists()

    repair()
    with at(2024, 11, 12, 1):
        assert run(tasks.revoke_for_overdue_materials) == [broken.number]  # the next run does the one left
        assert run(tasks.revoke_for_overdue_materials) == []
    for application in three_late:
        assert status_of(application) == Status.REVOKED
        assert ApplicationEvent.objects.filter(application=application, action="revoke").count() == 1
        assert CreditRecord.objects.filter(application=application).count() == 1
        assert application.documents.filter(kind="revocation").count() == 1


def test_the_lapse_job_lapses_the_others_when_one_fails(three_unanswered, monkeypatch, caplog, at):
    first, broken, last = three_unanswered
    repair = fail_for(monkeypatch, commitment_services, "application_lapse", broken.number)
    with at(2024, 10, 9, 0):
        assert run(tasks.lapse_overdue_commitments) == [first.number, last.number]
        assert run(tasks.lapse_overdue_commitments) == []  # the broken one fails again, logged again
    assert [status_of(a) for a in three_unanswered] == [Status.LAPSED, Status.NOTICE_ISSUED, Status.LAPSED]
    assert len(logged_failures(caplog, broken.number)) == 2

    repair()
    with at(2024, 10, 9, 1):
        assert run(tasks.lapse_overdue_commitments) == [broken.number]
        assert run(tasks.lapse_overdue_commitments) == []
    for application in three_unanswered:
        assert status_of(application) == Status.LAPSED
        assert ApplicationEvent.objects.filter(application=application, action="lapse").count() == 1

