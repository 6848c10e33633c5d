"""Notices that travel (issue 11). 附件3 第三条: "申请单位（人）收到行政审批部门的告知书，愿意作出承诺的，应当在收到
告知书后3个工作日内，将经签章的告知承诺书当面递交或者邮寄给行政审批部门".

The 3 working days run from receipt: online the notice reaches the applicant's account when it is
issued, at the window it is handed over on the spot; a notice sent by post (信函、传真、电子邮件) is
received on the date of its delivery receipt (送达回证), which the officer enters. Until then the
commitment's deadline is not running, and no job lapses the application.
"""
import datetime as dt

import pytest
from django.urls import reverse

from licensing import services, tasks
from licensing.constants import Action, Channel, Status
from licensing.models import Application, ApplicationEvent
from licensing.selectors import NOT_YET_RUNNING, application_allowed_actions, deadlines
from portal.exceptions import InvalidInput
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

COMMITMENT_DEADLINE = "承诺书递交期限"


def fresh(application):
    return Application.objects.get(pk=application.pk)


def commitment_row(application):
    return next(d for d in deadlines(fresh(application)) if d.label == COMMITMENT_DEADLINE)


def run(task):
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


@pytest.fixture
def posted(commitment_item, enterprise, officer, at):
    """Applied for by letter; the notice went out by post on Monday 2024-10-14."""
    with at(2024, 10, 14):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.MAIL,
                                  notice_issued=True)


def progress_page(client, application):
    return client.post(reverse("progress"), {"number": application.number, "code": application.query_code}
                       ).content.decode()


def test_a_posted_notice_starts_the_three_days_on_the_day_of_its_delivery_receipt(posted, officer, at):
    """附件3 第三条 "收到告知书后3个工作日内": received Wednesday, due the third working day after Wednesday."""
    with at(2024, 10, 16, 15):
        services.application_record_notice_receipt(application=posted, actor=officer,
                                                   received_on=dt.date(2024, 10, 16))
        row = commitment_row(posted)
    assert fresh(posted).commitment_due == dt.date(2024, 10, 21)  # Thu 17, Fri 18, Mon 21
    assert (row.date, row.state) == (dt.date(2024, 10, 21), "进行中")
    event = ApplicationEvent.objects.get(application=posted, action=Action.RECORD_NOTICE_RECEIPT)
    assert event.actor == officer and "2024年10月16日" in event.reason


def test_until_the_receipt_is_entered_the_deadline_is_not_running_and_nothing_lapses(posted, client, at):
    """附件3 第三条: the applicant's 3 working days have not begun while the notice is in the post."""
    with at(2024, 10, 21):
        row = commitment_row(posted)
        assert (row.date, row.state, row.running, row.overdue) == (None, NOT_YET_RUNNING, False, False)
        assert NOT_YET_RUNNING in progress_page(client, posted)
    with at(2024, 11, 20, 1):  # weeks later: still no receipt entered, so still no deadline
        assert run(tasks.lapse_overdue_commitments) == []
        assert run(tasks.lapse_overdue_commitments) == []
    assert fresh(posted).status == Status.NOTICE_ISSUED
    assert not ApplicationEvent.objects.filter(application=posted, action=Action.LAPSE).exists()


def test_once_entered_the_deadline_runs_and_the_lapse_job_applies_after_it(posted, officer, at):
    """附件3 第三条: three working days from receipt, then the application lapses like any other."""
    with at(2024, 10, 16, 15):
        services.application_record_notice_receipt(application=posted, actor=officer,
                                                   received_on=dt.date(2024, 10, 16))
    with at(2024, 10, 21, 23):
        assert run(tasks.lapse_overdue_commitments) == []
    with at(2024, 10, 22, 0):
        assert run(tasks.lapse_overdue_commitments) == [posted.number]
        assert run(tasks.lapse_overdue_commitments) == []
    assert fresh(posted).status == Status.LAPSED


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.WINDOW])
def test_online_and_at_the_window_the_notice_is_received_when_it_is_issued(channel, commitment_item, enterprise,
                                                                           applicant_user, officer, at):
    """附件3 第三条: "当面递交申请的，行政审批部门应当当场发给告知书"; online it reaches the account at once."""
    actor = applicant_user if channel == Channel.ONLINE else None
    with at(2024, 10, 14):
        application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=actor, officer=officer,
                                         channel=channel, notice_issued=True)
        assert commitment_row(application).date == dt.date(2024, 10, 17)
    application = fresh(application)
    assert application.notice_received_at == application.notice_issued_at
    assert "record_notice_receipt" not in application_allowed_actions(application, officer)


def test_only_a_posted_notice_waits_for_its_receipt_to_be_entered(posted, officer, at):
    """附件3 第三条: the officer enters the 送达回证's date once, for a notice sent by post."""
    assert "record_notice_receipt" in application_allowed_actions(fresh(posted), officer)
    with at(2024, 10, 16):
        services.application_record_notice_receipt(application=posted, actor=officer,
                                                   received_on=dt.date(2024, 10, 15))
    assert "record_notice_receipt" not in application_allowed_actions(fresh(posted), officer)


@pytest.mark.parametrize("received_on, today", [
    (dt.date(2024, 10, 11), dt.date(2024, 10, 16)),  # before the notice was issued
    (dt.date(2024, 10, 17), dt.date(2024, 10, 16)),  # in the future
    ("2024-10-16", dt.date(2024, 10, 16)),          # not a date
])
def test_a_receipt_date_before_the_issue_or_in_the_future_is_refused_and_changes_nothing(posted, officer, at,
                                                                                        received_on, today):
    """附件3 第三条: the notice is received after it is sent, and not later than today."""
    with at(today.year, today.month, today.day):
        with pytest.raises(InvalidInput) as refused:
            services.application_record_notice_receipt(application=posted, actor=officer, received_on=received_on)
    assert refused.value.field == "received_on"
    application = fresh(posted)
    assert (application.notice_received_at, application.commitment_due) == (None, None)
    assert not ApplicationEvent.objects.filter(application=posted, action=Action.RECORD_NOTICE_RECEIPT).exists()


def test_around_national_day_the_three_days_skip_the_holiday_and_count_from_receipt(commitment_item, enterprise,
                                                                                   officer, at):
    """附件3 第三条, counted in working days: posted Friday 2024-09-27, received Monday 2024-09-30.

    From the issue the third working day would be 2024-10-08 (Sunday 29 September is a make-up
    working day); from the receipt it is 2024-10-10, the holiday of 1–7 October not counted."""
    with at(2024, 9, 27):
        posted = ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.MAIL,
                                    notice_issued=True)
    with at(2024, 10, 8, 9):  # the officer enters the 送达回证 after the holiday
        services.application_record_notice_receipt(application=posted, actor=officer,
                                                   received_on=dt.date(2024, 9, 30))
    assert fresh(posted).commitment_due == dt.date(2024, 10, 10)
    with at(2024, 10, 10, 23):
        assert run(tasks.lapse_overdue_commitments) == []
    with at(2024, 10, 11, 0):
        assert run(tasks.lapse_overdue_commitments) == [posted.number]
