"""办理时效（电子监察）: on-time and late steps per authority and month, and the page that shows them
(issue 11: "a per-authority efficiency view (电子监察) counts on-time and late steps per month. The push
issue's SLA view and this view belong together").

Steps are taken by the real services at Qinzhou wall-clock moments in October and November 2024.
"""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from licensing import selectors, services
from licensing.constants import Channel, Status
from licensing.models import Item
from notices import selectors_outbox
from portal.exceptions import InvalidInput
from tests.factories import commitment_application, item_officer

pytestmark = pytest.mark.django_db

BAD_MONTH = "月份应按“年-月”填写，例如2024-10。"


def committed(item, enterprise, clerk, officer, at, *when):
    with at(*when):
        return commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer,
                                      until="committed", channel=Channel.WINDOW)


def decide(application, officer, at, *when):
    with at(*when):
        return services.application_decide(application=application, actor=officer)


@pytest.fixture
def steps(commitment_item, enterprise, applicant_user, clerk, officer, at):
    """Item 13's authority (the `officer`): A decided the day after its commitment (1 working day late),
    B on the spot, C's online notice issued on the 5th working day (2 late), and D committed at 23:00
    on Thursday 31 October and decided at 00:30 on Friday 1 November (1 late; November in Qinzhou,
    still October in UTC). Another authority approved item 20 two working days past its limit (E)."""
    def at_window(*when):
        return committed(commitment_item, enterprise, clerk, officer, at, *when)
    a = decide(at_window(2024, 10, 14, 9), officer, at, 2024, 10, 15)
    b = decide(at_window(2024, 10, 14, 9), officer, at, 2024, 10, 14, 16)
    with at(2024, 10, 14):
        c = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    with at(2024, 10, 21):
        c = services.application_issue_notice(application=c, actor=officer)
    d = decide(at_window(2024, 10, 31, 23), officer, at, 2024, 11, 1, 0, 30)
    e = approved_late(enterprise, applicant_user, at)
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, other=e.decided_by)


def approved_late(enterprise, applicant_user, at):
    """附件2 序号20 "压缩三分之一": 20 working days from 27 September 2024, due 30 October; approved 1 November."""
    item = Item.objects.get(seq_no=20)
    item.statutory_days = 30
    item.save()
    other = item_officer(item)
    with at(2024, 9, 27):
        application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user)
        application = services.application_accept(application=application, actor=other)
    with at(2024, 11, 1, 15):
        return services.application_approve(application=application, actor=other)


def visible(user):
    return selectors_outbox.scoped_to_own_authority(selectors.timed_steps(), user, "organisation_id")


def counts(row) -> dict:
    return {s.kind: (s.on_time, s.late, s.late_days) for s in row["steps"]}


# --- the selector -------------------------------------------------------------------------------

def test_an_authority_s_steps_are_counted_per_month_and_kind(steps, officer):
    """Issue 11: "counts on-time and late steps per month": per kind, on time, late, working days late
    in all, and the share on time; months in Qinzhou time (D's 00:30 decision is November's)."""
    rows = selectors.step_efficiency(visible(officer))
    assert [(r["month"].date(), r["authority"]) for r in rows] == [
        (dt.date(2024, 11, 1), officer.organisation.name), (dt.date(2024, 10, 1), officer.organisation.name)]
    november, october = rows
    assert counts(november) == {"decision": (0, 1, 1)}
    assert counts(october) == {"notice": (0, 1, 2), "decision": (1, 1, 1)}
    decisions = october["steps"][1]
    assert (decisions.label, decisions.total, decisions.share) == ("作出许可决定", 2, 0.5)
    assert (october["total"].on_time, october["total"].late, october["total"].late_days) == (1, 2, 3)


def test_the_counts_are_one_grouped_query_and_the_late_list_another(steps, admin_user, django_assert_num_queries):
    """Aggregated in the database: the number of queries does not grow with the number of steps."""
    with django_assert_num_queries(1):
        rows = selectors.step_efficiency(visible(admin_user))
    with django_assert_num_queries(1):
        late = list(selectors.late_steps(visible(admin_user)))
    assert len(rows) >= 3 and len(late) == 4


def test_the_late_steps_are_listed_newest_first_with_their_deadline(steps, officer):
    """Issue 11: "the event records how many working days late it was": each late step with its
    application, step, due date and working days late."""
    late = list(selectors.late_steps(visible(officer)))
    assert [e.application.number for e in late] == [steps.d.number, steps.c.number, steps.a.number]
    assert [(e.step, e.due_date, e.late_working_days) for e in late] == [
        ("作出许可决定", dt.date(2024, 10, 31), 1), ("出具告知书", dt.date(2024, 10, 17), 2),
        ("作出许可决定", dt.date(2024, 10, 14), 1)]


def test_a_month_narrows_counts_and_list_to_that_month_in_local_time(steps, officer):
    october = dt.date(2024, 10, 1)
    rows = selectors.step_efficiency(visible(officer), month=october)
    assert [counts(r) for r in rows] == [{"notice": (0, 1, 2), "decision": (1, 1, 1)}]
    assert [e.application.number for e in selectors.late_steps(visible(officer), month=october)] == [
        steps.c.number, steps.a.number]


def test_each_sees_what_it_sees_on_the_sla_page(steps, officer, other_officer, admin_user, regulator, clerk):
    """The SLA page's rule (谁审批谁负责): an officer its own organisation's steps, the admin every one,
    nobody else any."""
    assert {e.organisation_id for e in visible(officer)} == {officer.organisation_id}
    assert {steps.other.organisation_id, officer.organisation_id} <= {e.organisation_id for e in visible(admin_user)}
    for user in (other_officer, regulator, clerk):
        assert not visible(user).exists()


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-1", "abc", "２０２４-10", "2024-10-01", "0001-01",
                                  "2024-10\x00"])
def test_a_malformed_month_is_refused_in_chinese(text):
    with pytest.raises(InvalidInput) as refused:
        selectors.parse_month(text)
    assert refused.value.message == BAD_MONTH


def test_a_month_is_read_as_its_first_day():
    assert selectors.parse_month(" 2024-10 ") == dt.date(2024, 10, 1)
    assert selectors.parse_month("") is None


# --- the page -----------------------------------------------------------------------------------

def page(login, user, **query):
    return login(user).get(reverse("records-efficiency"), query)


def test_the_page_shows_an_officer_its_own_counts_and_late_steps(steps, login, officer):
    response = page(login, officer)
    text = response.content.decode()
    assert response.status_code == 200
    assert "办理时效（电子监察）" in text and officer.organisation.name in text
    assert "2024年11月" in text and "2024年10月" in text and "50.0%" in text
    for shown in (steps.a, steps.c, steps.d):
        assert shown.number in text
    assert steps.b.number not in text  # decided on the spot: not late
    assert steps.e.number not in text  # another authority's
    assert "2024年10月17日" in text and "2个工作日" in text


def test_the_month_filter_keeps_that_month_only(steps, login, officer):
    text = page(login, officer, month="2024-10").content.decode()
    assert steps.a.number in text and steps.c.number in text
    assert steps.d.number not in text  # decided at 00:30 on 1 November, Qinzhou time
    assert 'value="2024-10"' in text


def test_the_admin_sees_every_authority(steps, login, admin_user, officer):
    text = page(login, admin_user).content.decode()
    assert steps.e.number in text and steps.a.number in text
    assert steps.other.organisation.name in text and officer.organisation.name in text


@pytest.mark.parametrize("month", ["2024-13", "abc", "9999-99", "2024-1"])
def test_a_bad_month_is_answered_400_in_chinese_not_500(steps, login, officer, month):
    response = page(login, officer, month=month)
    assert response.status_code == 400
    assert BAD_MONTH in response.content.decode()


def test_the_sla_page_and_this_page_link_to_each_other(login, officer):
    """Issue 11: "The push issue's SLA view and this view belong together"."""
    sla = login(officer).get(reverse("records-sla")).content.decode()
    efficiency = page(login, officer).content.decode()
    for text in (sla, efficiency):
        assert reverse("records-efficiency") in text and reverse("records-sla") in text
        assert "审批信息推送时效" in text and "办理时效（电子监察）" in text


@pytest.mark.parametrize("persona", ["regulator", "clerk", "applicant_user"])
def test_the_page_refuses_those_who_cannot_watch_the_sla(request, login, persona):
    assert page(login, request.getfixturevalue(persona)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("records-efficiency"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_officer_with_nothing_late_sees_an_empty_page(steps, login, other_officer):
    text = page(login, other_officer).content.decode()
    assert "没有逾期办理的步骤" in text and steps.a.number not in text


def test_a_late_decision_is_still_a_decision(steps):
    """附件3 第五条 "应当当场作出行政许可决定": the late decisions stand (the count does not undo them)."""
    for application in (steps.a, steps.d, steps.e):
        application.refresh_from_db()
        assert application.status == Status.APPROVED
