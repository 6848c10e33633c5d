"""Two people acting on the same thing at the same moment: exactly one wins (issue 3).

Real threads with their own database connections against PostgreSQL, whose row locks
(SELECT … FOR UPDATE) the services rely on. SQLite locks the whole database instead, so the
race these tests look for cannot happen there.
"""
import datetime as dt
import threading

import pytest
from django.db import connection

from licensing import services
from licensing.constants import Status
from portal.exceptions import Conflict
from licensing.models import Application, ApplicationEvent, Item, Licence
from supervision.models import Inspection
from portal.constants import Role
from tests.factories import UserFactory, commitment_application

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks; SQLite serialises all writers, so there is no race to test"),
    # Threads see only committed rows; the catalogue and calendar are data migrations.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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


def test_two_officers_deciding_the_same_commitment_at_once_decide_it_once(
        commitment_item, enterprise, clerk, officer):
    """Two officers of the deciding authority (only its officers may decide, 谁审批、谁负责) press 准予许可
    at the same moment: one decision, one licence, one inspection."""
    committed = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                       until=Status.COMMITTED)
    colleague = UserFactory(role=Role.OFFICER, organisation=officer.organisation, full_name="同科室审批员")
    officers = [officer, colleague]
    results = at_once(2, lambda i: services.application_decide(application=committed, actor=officers[i]))
    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].message == "办件当前状态为“准予许可”，不能进行此操作。"
    assert Licence.objects.filter(application=committed).count() == 1
    assert Inspection.objects.filter(application=committed).count() == 1
    assert ApplicationEvent.objects.filter(application=committed, action="decide").count() == 1
    assert Application.objects.get(pk=committed.pk).decided_by == winners[0].decided_by


def test_ten_submissions_at_once_get_ten_consecutive_numbers(enterprise, applicant_user):
    cancel_item = Item.objects.get(seq_no=1)
    results = at_once(10, lambda i: services.application_submit(item=cancel_item, applicant=enterprise,
                                                                actor=applicant_user).number)
    assert all(isinstance(r, str) for r in results), results
    serials = sorted(int(number.split("-")[1]) for number in results)
    assert serials == list(range(serials[0], serials[0] + 10))
    assert Application.objects.count() == 10


def test_two_identical_registration_posts_at_once_keep_one_registration_and_tell_each_department_once(
        commitment_item, regulator):
    """双告知 intake (issue 16): the registry repeats a post whose answer it did not see, and both arrive at
    the same moment. One is kept, the other answered as a repeat; one 告知 per department."""
    from licensing.models import Registration
    from licensing.services.registrations import registration_receive, registration_sender_create
    from notices.models import OutboxRecord
    from tests.licensing.test_registrations_intake import an_event

    sender, _token = registration_sender_create(name="钦州市市场监督管理局登记系统")
    event = an_event(registered_on=dt.date(2024, 10, 14))  # as the API's serializer hands it on
    results = at_once(2, lambda i: registration_receive(sender=sender, event=event))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False, True], results
    assert Registration.objects.count() == 1
    kept = Registration.objects.get()
    records = OutboxRecord.objects.filter(registration=kept).values_list("recipient_org_id", "destination", "endpoint_id")
    assert records and len(records) == len(set(records))


def test_two_workers_telling_one_registration_at_once_mail_it_once(enterprise, applicant_user, monkeypatch):
    """The 登记告知 task queued twice (the intake's, and the beat job's after a broker hiccup) and run by two
    workers at the same moment: the one that takes the row sends, the other finds nothing to do."""
    import time

    from django.core import mail

    from licensing.services import registration_notify
    from tests.licensing.test_registrations_account import registered

    applicant_user.email = "zhang@example.com"
    applicant_user.save()
    registration = registered(enterprise)
    send = registration_notify._send

    def slow_send(*args):  # the mail server takes a moment: the other worker arrives meanwhile
        time.sleep(0.5)
        send(*args)

    monkeypatch.setattr(registration_notify, "_send", slow_send)
    results = at_once(2, lambda i: registration_notify.registration_tell(registration_id=registration.pk))
    assert sorted(results) == [False, True], results
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]
