"""The 3-working-day SLA of approval records, watched (issue 9; 钦政办〔2019〕72号).

Records are made by real decisions and filings and delivered by the real outbox; time stands still
at Qinzhou wall-clock moments around weekends and 国庆 2024 (1-7 October off, Sunday 29 September
a make-up working day), from the portal's seeded calendar.
"""
import datetime as dt
import logging
import socket

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from licensing.constants import ReformMode
from licensing.models import Item
from licensing.services.records import records_route_pending
from notices import selectors_outbox as sla
from notices import tasks
from notices.constants import OutboxStatus, RecordKind
from notices.models import OutboxRecord
from notices.selectors_outbox import department_pushes
from notices.outbox import due_at_for, outbox_deliver
from portal.celery import app as celery_app
from portal.constants import OrgKind, Role
from supervision.models import InboxRecord
from tests.clock import SHANGHAI
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, item_officer, route_item

pytestmark = pytest.mark.django_db


def local(year, month, day, hour=23, minute=59, second=59):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def record_of(application) -> OutboxRecord:
    return department_pushes().get(application=application)


@pytest.fixture
def decide(at, commitment_item, officer):
    """An application of item 13 decided on the spot by the officer of its authority, at that time."""
    def run(*when):
        with at(*when):
            return ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    return run


def deliver_at(application, *when, at):
    with at(*when):
        assert outbox_deliver(record_of(application).pk)


@pytest.fixture
def bureau_item(db):
    """Item 66 (药品零售企业许可), approved by the 市行政审批局 alone, which regulates nothing it
    approves: with no route its records have no regulator."""
    item = Item.objects.get(seq_no=66)
    authority = item.authorities.get().organisation
    assert (authority.code, authority.kind) == ("C01", OrgKind.APPROVAL_BUREAU)
    assert not item.regulator_routes.exists()
    return item


# --- the due time ----------------------------------------------------------------------------

def test_a_decision_the_day_before_national_day_is_due_after_the_holiday(decide):
    application = decide(2024, 9, 30, 15)
    record = record_of(application)
    assert record.kind == RecordKind.DECIDED
    assert record.event_at == local(2024, 9, 30, 15, 0, 0)
    assert record.due_at == local(2024, 10, 10)


def test_a_friday_decision_is_due_at_the_end_of_wednesday():
    assert due_at_for(local(2024, 10, 18, 10, 0, 0)) == local(2024, 10, 23)


def test_a_filing_leaves_a_record_due_three_working_days_after_it(at):
    with at(2024, 10, 18, 10):
        filing = ApplicationFactory(filed=True)
    record = record_of(filing)
    assert filing.item.reform_mode == ReformMode.FILING
    assert (record.kind, record.due_at) == (RecordKind.FILED, local(2024, 10, 23))


# --- states, durations, missed, on-time share ---------------------------------------------------

@pytest.fixture
def october(decide, at):
    """Four decisions of item 13: on time, late, never delivered, and one still within its time;
    and one just after midnight on 1 November, local time (still 31 October in UTC)."""
    on_time, late, lost = decide(2024, 10, 14, 10), decide(2024, 10, 14, 11), decide(2024, 10, 14, 12)
    deliver_at(on_time, 2024, 10, 15, 9, 30, at=at)
    deliver_at(late, 2024, 10, 21, 9, at=at)
    fresh = decide(2024, 10, 31, 10)
    november = decide(2024, 11, 1, 0, 30)
    return {"on_time": on_time, "late": late, "lost": lost, "fresh": fresh, "november": november}


def numbers(records):
    return {r.application.number for r in records}


def test_records_are_counted_by_state(october):
    counts = sla.counts_by_status(department_pushes())
    assert counts == {OutboxStatus.UNROUTED: 0, OutboxStatus.PENDING: 3, OutboxStatus.SENDING: 0,
                      OutboxStatus.DELIVERED: 2, OutboxStatus.DEAD: 0}


def test_how_long_each_delivery_took_runs_from_the_event(october):
    took = {r.application.number: r.took for r in sla.with_duration(department_pushes())}
    assert took[october["on_time"].number] == dt.timedelta(hours=23, minutes=30)
    assert took[october["late"].number] == dt.timedelta(days=6, hours=22)
    assert took[october["lost"].number] is None


def test_missed_are_those_delivered_late_and_those_past_due_undelivered(october, at):
    with at(2024, 11, 4, 9):
        missed = sla.missed(department_pushes())
        assert numbers(missed) == {october["late"].number, october["lost"].number}
        assert numbers(sla.overdue_undelivered(department_pushes())) == {october["lost"].number}


def test_the_on_time_share_is_per_authority_and_per_local_month(october, at, officer):
    with at(2024, 11, 4, 9):
        shares = sla.on_time_share(department_pushes())
    assert [(s["month"].astimezone(SHANGHAI).strftime("%Y-%m"), s["authority"]) for s in shares] == [
        ("2024-11", officer.organisation.name), ("2024-10", officer.organisation.name)]
    november, october_row = shares
    assert (november["total"], november["settled"], november["share"]) == (1, 0, None)
    assert (october_row["total"], october_row["settled"], october_row["on_time"], october_row["open"]) == (4, 3, 1, 1)
    assert october_row["share"] == pytest.approx(1 / 3)


# --- due within one working day ------------------------------------------------------------------

def test_due_soon_counts_working_days_over_a_weekend(decide, at):
    due_monday = decide(2024, 10, 16, 10)    # due Monday 21 October
    due_tuesday = decide(2024, 10, 17, 10)   # due Tuesday 22 October
    with at(2024, 10, 18, 16):  # a Friday: the next working day is Monday
        assert numbers(sla.due_soon(department_pushes())) == {due_monday.number}
    with at(2024, 10, 21, 9):  # Monday: Tuesday's is due soon now, Monday's still (until midnight)
        assert numbers(sla.due_soon(department_pushes())) == {due_monday.number, due_tuesday.number}


def test_due_soon_reaches_over_the_national_day_holiday(decide, at):
    due_after_holiday = decide(2024, 9, 27, 10)  # Sunday 29 September works: due Tuesday 8 October
    assert record_of(due_after_holiday).due_at == local(2024, 10, 8)
    with at(2024, 9, 30, 10):
        assert numbers(sla.due_soon(department_pushes())) == {due_after_holiday.number}
    with at(2024, 9, 29, 10):  # two working days before: not yet
        assert not sla.due_soon(department_pushes()).exists()


def test_a_delivered_record_is_never_due_soon(decide, at):
    application = decide(2024, 10, 16, 10)
    deliver_at(application, 2024, 10, 18, 9, at=at)
    with at(2024, 10, 18, 16):
        assert not sla.due_soon(department_pushes()).exists()


# --- who sees which records ---------------------------------------------------------------------

def test_an_officer_sees_only_the_records_its_authority_approved(decide, at, officer, other_officer, admin_user):
    ours = decide(2024, 10, 14, 10)
    with at(2024, 10, 14, 11):
        theirs = ApplicationFactory(filed=True)
    assert numbers(sla.outbox_records_visible_to(officer)) == {ours.number}
    assert numbers(sla.outbox_records_visible_to(admin_user)) == {ours.number, theirs.number}
    assert not sla.outbox_records_visible_to(other_officer).exists()


@pytest.mark.parametrize("persona", ["regulator", "clerk", "applicant_user"])
def test_other_roles_see_no_records(request, decide, persona):
    decide(2024, 10, 14, 10)
    assert not sla.outbox_records_visible_to(request.getfixturevalue(persona)).exists()


def test_the_sla_page_shows_an_officer_its_own_records_only(decide, at, login, officer):
    ours = decide(2024, 10, 14, 10)
    with at(2024, 10, 14, 11):
        theirs = ApplicationFactory(filed=True)
    with at(2024, 10, 16, 10):
        page = login(officer).get(reverse("records-sla"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "即将超期" in text and "已超期" in text and "按时送达率" in text
    assert ours.number in text and theirs.number not in text


@pytest.mark.parametrize("persona", ["regulator", "clerk", "applicant_user"])
def test_the_sla_page_refuses_other_roles(request, login, persona):
    response = login(request.getfixturevalue(persona)).get(reverse("records-sla"))
    assert response.status_code == 403


def test_the_sla_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("records-sla"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_officer_desk_links_to_the_sla_page(login, officer):
    assert reverse("records-sla") in login(officer).get(reverse("officer-desk")).content.decode()


# --- the warning job ----------------------------------------------------------------------------

def run(task):
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


def test_the_warning_job_is_on_the_beat_every_hour():
    entries = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.outbox_warn_due_soon.name]
    assert len(entries) == 1 and entries[0]["schedule"].hour == set(range(24))
    assert tasks.outbox_warn_due_soon.name in celery_app.tasks


def test_the_warning_job_mails_the_authority_once_and_marks_the_records(decide, at, officer):
    officer.organisation.contact_email = "shenpi@example.gov.cn"
    officer.organisation.save()
    soon, later = decide(2024, 10, 14, 10), decide(2024, 10, 16, 10)  # due 17 and 21 October
    with at(2024, 10, 16, 14):
        assert run(tasks.outbox_warn_due_soon) == 1
        assert run(tasks.outbox_warn_due_soon) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["shenpi@example.gov.cn"]
    assert "即将超期" in message.subject
    assert soon.number in message.body and later.number not in message.body
    assert soon.item.name in message.body and "2024年10月17日 23:59" in message.body
    assert reverse("records-sla") in message.body
    assert record_of(soon).warned_at == local(2024, 10, 16, 14, 0, 0)
    assert record_of(later).warned_at is None


def closed_port() -> int:
    """A local port nothing listens on: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_warning_the_mail_server_refused_is_sent_by_the_next_run(decide, at, officer, settings, caplog):
    officer.organisation.contact_email = "shenpi@example.gov.cn"
    officer.organisation.save()
    application = decide(2024, 10, 14, 10)
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with at(2024, 10, 16, 14), caplog.at_level(logging.ERROR, logger="notices.sla"):
        assert run(tasks.outbox_warn_due_soon) == 0
    assert record_of(application).warned_at is None and "could not be sent" in caplog.text
    settings.EMAIL_BACKEND = locmem
    with at(2024, 10, 16, 15):
        assert run(tasks.outbox_warn_due_soon) == 1
    assert application.number in mail.outbox[0].body


def test_the_warning_job_skips_an_authority_without_a_contact_address(decide, at, officer, caplog):
    assert officer.organisation.contact_email == ""
    application = decide(2024, 10, 14, 10)
    with at(2024, 10, 16, 14), caplog.at_level(logging.WARNING, logger="notices.sla"):
        assert tasks.outbox_warn_due_soon() == 0
    assert mail.outbox == []
    assert "no contact e-mail" in caplog.text
    assert record_of(application).warned_at is None


def test_the_warning_job_sends_one_mail_per_authority(decide, at, officer, settings):
    settings.OUTBOX_ALERT_EMAILS = []
    officer.organisation.contact_email = "shenpi@example.gov.cn"
    officer.organisation.save()
    first, second = decide(2024, 10, 14, 10), decide(2024, 10, 14, 15)
    with at(2024, 10, 16, 14):
        assert tasks.outbox_warn_due_soon() == 1
    assert len(mail.outbox) == 1
    assert first.number in mail.outbox[0].body and second.number in mail.outbox[0].body


# --- the unrouted queue ------------------------------------------------------------------------

@pytest.fixture
def unrouted_decision(at, bureau_item):
    with at(2024, 10, 14, 10):
        return ApplicationFactory(approved=True, item=bureau_item, officer=item_officer(bureau_item))


def test_an_unrouted_record_waits_with_its_due_time_running(unrouted_decision):
    record = record_of(unrouted_decision)
    assert (record.status, record.recipient_org) == (OutboxStatus.UNROUTED, None)
    assert record.due_at == local(2024, 10, 17)
    assert numbers(sla.unrouted(department_pushes())) == {unrouted_decision.number}


def test_the_admin_index_alerts_of_the_unrouted_record(unrouted_decision, at, login, admin_user):
    with at(2024, 10, 15, 10):
        page = login(admin_user).get(reverse("admin:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "outbox-alert" in text and "有 <strong>1</strong> 条审批信息尚无接收部门" in text
    assert reverse("records-sla") in text


def test_the_admin_index_has_no_alert_when_all_is_delivered(decide, at, login, admin_user):
    deliver_at(decide(2024, 10, 14, 10), 2024, 10, 14, 11, at=at)
    with at(2024, 10, 15, 10):
        text = login(admin_user).get(reverse("admin:index")).content.decode()
    assert "尚无接收部门" not in text and "没有待确定接收部门、即将超期或已超期的审批信息" in text


def test_the_sla_page_lists_the_unrouted_record_with_a_link_to_add_a_route(unrouted_decision, at, login,
                                                                            admin_user, bureau_item):
    with at(2024, 10, 15, 10):
        text = login(admin_user).get(reverse("records-sla")).content.decode()
    assert unrouted_decision.number in text
    assert reverse("admin:licensing_item_change", args=[bureau_item.pk]) in text


def test_the_bureau_officer_sees_its_unrouted_record_without_the_admin_link(unrouted_decision, at, login,
                                                                            bureau_item):
    bureau_officer = UserFactory(role=Role.OFFICER, organisation=bureau_item.authorities.get().organisation)
    with at(2024, 10, 15, 10):
        text = login(bureau_officer).get(reverse("records-sla")).content.decode()
    assert unrouted_decision.number in text
    assert reverse("admin:licensing_item_change", args=[bureau_item.pk]) not in text


def test_unrouted_records_warn_the_operators(unrouted_decision, at, settings):
    settings.OUTBOX_ALERT_EMAILS = ["ops@example.gov.cn"]
    with at(2024, 10, 16, 14):
        assert tasks.outbox_warn_due_soon() == 1
        assert tasks.outbox_warn_due_soon() == 0
    assert [m.to for m in mail.outbox] == [["ops@example.gov.cn"]]
    assert unrouted_decision.number in mail.outbox[0].body and "待确定接收部门" in mail.outbox[0].body


def test_a_route_sends_the_record_on_to_the_regulator_it_names(unrouted_decision, at, bureau_item):
    health = route_item(bureau_item, OrganisationFactory(kind=OrgKind.REGULATOR, name="市卫生健康委员会"))
    due = record_of(unrouted_decision).due_at
    with at(2024, 10, 15, 10):
        assert records_route_pending() == [unrouted_decision.number]
        assert records_route_pending() == []
    record = record_of(unrouted_decision)
    assert (record.status, record.recipient_org, record.due_at) == (OutboxStatus.PENDING, health, due)
    assert not sla.unrouted(department_pushes()).exists()
    with at(2024, 10, 15, 11):
        assert outbox_deliver(record.pk)
    received = InboxRecord.objects.get(key=record.idempotency_key)
    assert (received.organisation, received.application) == (health, unrouted_decision)
    assert received.due_at == due
