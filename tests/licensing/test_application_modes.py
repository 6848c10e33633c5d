"""The cancel, filing and optimised modes end to end, and what every transition leaves behind.

附件2 of 钦政发〔2019〕18号 gives each item its reform mode; DOMAIN.md says what each mode means.
"""
import datetime as dt

import pytest

from licensing import services
from licensing.constants import Channel, Route, Status
from portal.exceptions import Conflict, InvalidInput
from licensing.models import Application, ApplicationEvent, Item, Licence
from notices.constants import DocumentKind
from tests.clock import SHANGHAI
from portal.constants import Role
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, commitment_application

pytestmark = pytest.mark.django_db


def item(seq_no) -> Item:
    return Item.objects.get(seq_no=seq_no)


def submit(seq_no, applicant, actor, **kwargs):
    return services.application_submit(item=item(seq_no), applicant=applicant, actor=actor, **kwargs)


def kinds_of_documents(application):
    return list(application.documents.values_list("kind", flat=True))


def fresh(application):
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def tourism_officer():
    """An approval officer of 自治区文化和旅游厅, which decides items 20 and 21 (谁审批、谁负责: an officer
    of another authority may not take their steps, issue 11)."""
    org = item(20).authorities.get(role="approve").organisation
    return UserFactory(role=Role.OFFICER, organisation=org, full_name="审批员")


@pytest.fixture
def optimised_item():
    """Item 20 (外商投资旅行社业务许可, 压缩三分之一) once an admin entered its 30-day statutory limit."""
    optimised = item(20)
    optimised.statutory_days = 30
    optimised.save()
    assert optimised.committed_days == 20
    return optimised


# --- cancel (序号 1) and filing (序号 3) --------------------------------------------------------


def test_a_cancelled_item_is_recorded_at_once_with_a_registration_receipt(enterprise, applicant_user):
    application = submit(1, enterprise, applicant_user, details="登记经营信息")
    assert application.status == Status.RECORDED
    assert application.closed_at is not None
    assert kinds_of_documents(application) == [DocumentKind.CANCEL_RECEIPT]
    assert application.documents.get().html.count(application.number) >= 1
    # Pushing the record to the regulator is the push issue's work; here it is only recorded.


def test_a_filing_item_gets_its_receipt_at_once(enterprise, applicant_user):
    application = submit(3, enterprise, applicant_user)
    assert application.status == Status.FILED
    assert kinds_of_documents(application) == [DocumentKind.FILING_RECEIPT]


def test_a_receipt_cannot_be_followed_by_an_approval(enterprise, applicant_user, officer):
    application = submit(3, enterprise, applicant_user)
    with pytest.raises(Conflict) as exc:
        services.application_accept(application=application, actor=officer)
    assert exc.value.message == "办件当前状态为“已备案”，不能进行此操作。"
    assert fresh(application).status == Status.FILED


def test_an_unknown_channel_is_refused_and_nothing_is_created(enterprise, applicant_user):
    with pytest.raises(InvalidInput) as exc:
        submit(1, enterprise, applicant_user, channel="pigeon")
    assert exc.value.message == "申请渠道无效。"
    assert not Application.objects.exists()


# --- optimised approval (序号 20) ----------------------------------------------------------------


def test_the_committed_limit_runs_in_working_days_from_acceptance_across_national_day(
        optimised_item, enterprise, applicant_user, tourism_officer, at):
    with at(2024, 9, 26):
        application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
        assert application.decision_due is None  # the clock starts at acceptance, not submission
    with at(2024, 9, 27):  # a Friday; Sunday 29 September is a make-up working day
        application = services.application_accept(application=application, actor=tourism_officer)
    # 20 working days: 9-29, 9-30, (1-7 October off), 10-8 … 10-11, Saturday 10-12 (make-up), 10-14 … 10-30.
    assert application.decision_due == dt.date(2024, 10, 30)
    assert application.status == Status.ACCEPTED


def test_a_request_for_correction_pauses_the_clock_and_resubmission_resumes_it(
        optimised_item, enterprise, applicant_user, tourism_officer, at):
    application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
    with at(2024, 9, 27):
        application = services.application_accept(application=application, actor=tourism_officer)
    with at(2024, 10, 8):
        application = services.application_request_correction(application=application, actor=tourism_officer,
                                                              reason="请补充营业执照副本")
    assert application.status == Status.CORRECTION
    assert application.paused_working_days == 17  # 10-9 … 10-30 were still to run
    with at(2024, 10, 14):
        application = services.application_resubmit(application=application, actor=applicant_user)
    # The five working days of the pause (10-9 … 10-12, 10-14) are added back: 17 more from 10-14.
    assert application.status == Status.ACCEPTED
    assert application.decision_due == dt.date(2024, 11, 6)
    assert application.paused_working_days is None


def test_a_request_for_correction_must_say_what_to_correct(optimised_item, enterprise, applicant_user, tourism_officer):
    application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
    application = services.application_accept(application=application, actor=tourism_officer)
    with pytest.raises(InvalidInput) as exc:
        services.application_request_correction(application=application, actor=tourism_officer, reason=" ")
    assert exc.value.message == "请写明需要补正的内容。"
    assert fresh(application).status == Status.ACCEPTED


def test_an_accepted_optimised_application_is_approved_with_a_licence(
        optimised_item, enterprise, applicant_user, tourism_officer, at):
    application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
    application = services.application_accept(application=application, actor=tourism_officer)
    with at(2024, 10, 9):
        application = services.application_approve(application=application, actor=tourism_officer, reason="材料齐全")
    assert application.status == Status.APPROVED
    assert application.decided_by == tourism_officer
    licence = application.licence
    assert licence.number == "QZXK" + application.number[2:]
    assert licence.may_operate_from == dt.date(2024, 10, 9)
    assert DocumentKind.DECISION in kinds_of_documents(application)
    # Only notify-and-commit decisions start the 2-month inspection clock (附件3 第七条).
    assert application.inspection_due is None


def test_a_rejection_records_its_reason_and_issues_a_rejection(
        optimised_item, enterprise, applicant_user, tourism_officer):
    application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
    application = services.application_accept(application=application, actor=tourism_officer)
    application = services.application_reject(application=application, actor=tourism_officer, reason="注册资本不符合要求")
    assert application.status == Status.REJECTED
    assert application.closing_reason == "注册资本不符合要求"
    assert application.events.last().reason == "注册资本不符合要求"
    assert kinds_of_documents(application) == [DocumentKind.REJECTION]
    assert not Licence.objects.exists()


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(optimised_item, tourism_officer):
    application = ApplicationFactory(accepted=True, item=optimised_item, tourism_officer=tourism_officer)
    with pytest.raises(InvalidInput) as exc:
        services.application_reject(application=application, actor=tourism_officer, reason="")
    assert exc.value.message == "不予许可须说明理由。"
    assert fresh(application).status == Status.ACCEPTED
    assert not application.documents.exists()


def test_an_item_without_a_statutory_limit_runs_without_a_decision_date(enterprise, applicant_user, tourism_officer):
    unlimited = item(21)
    assert unlimited.committed_days is None
    application = services.application_submit(item=unlimited, applicant=enterprise, actor=applicant_user)
    application = services.application_accept(application=application, actor=tourism_officer)
    assert application.decision_due is None
    application = services.application_request_correction(application=application, actor=tourism_officer, reason="补正")
    assert application.paused_working_days is None
    application = services.application_resubmit(application=application, actor=applicant_user)
    assert application.decision_due is None
    application = services.application_approve(application=application, actor=tourism_officer)
    assert application.status == Status.APPROVED


def test_an_applicant_may_withdraw_while_under_review(optimised_item, enterprise, applicant_user):
    application = ApplicationFactory(accepted=True, item=optimised_item, applicant=enterprise, actor=applicant_user)
    application = services.application_withdraw(application=application, actor=applicant_user)
    assert application.status == Status.WITHDRAWN
    assert application.events.last().reason == "申请人撤回申请。"


# --- declining to commit (附件3 第十条) ----------------------------------------------------------


def test_an_applicant_who_does_not_want_to_commit_goes_the_ordinary_way(
        commitment_item, enterprise, applicant_user):
    application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                              wants_commitment=False)
    assert application.route == Route.ORDINARY
    assert application.status == Status.SUBMITTED
    assert application.notice_due is None
    assert "不愿作出承诺" in application.events.get().reason
    assert "第十条" in application.events.get().reason


def test_at_the_window_declining_hands_over_no_notice(commitment_item, enterprise, clerk):
    application = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                              channel=Channel.WINDOW, wants_commitment=False)
    assert application.status == Status.SUBMITTED
    assert not application.documents.exists()


def test_after_the_notice_the_applicant_may_still_choose_the_ordinary_way(
        commitment_item, enterprise, applicant_user, clerk, officer):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until=Status.NOTICE_ISSUED)
    application = services.application_choose_ordinary(application=application, actor=applicant_user,
                                                       reason="暂不具备条件，愿意等待审查")
    assert (application.route, application.status) == (Route.ORDINARY, Status.SUBMITTED)
    assert application.commitment_due is None
    event = application.events.last()
    assert (event.action, event.from_status, event.to_status) == ("choose_ordinary", Status.NOTICE_ISSUED,
                                                                   Status.SUBMITTED)
    assert event.reason == "暂不具备条件，愿意等待审查"
    # From here it is reviewed like any other application.
    application = services.application_accept(application=application, actor=officer)
    assert application.status == Status.ACCEPTED
    with pytest.raises(Conflict) as exc:
        services.application_commit(application=application, actor=applicant_user, kind="already_meets",
                                    confirmations=[True] * 7, signatory="张三")
    assert exc.value.message == "该办件不按告知承诺办理，不能进行此操作。"


# --- every transition leaves an event ----------------------------------------------------------


def test_every_transition_of_an_optimised_application_writes_an_event(
        optimised_item, enterprise, applicant_user, tourism_officer, at):
    with at(2024, 9, 26, 9, 30):
        application = services.application_submit(item=optimised_item, applicant=enterprise, actor=applicant_user)
    with at(2024, 9, 27):
        application = services.application_accept(application=application, actor=tourism_officer)
    with at(2024, 10, 8):
        application = services.application_request_correction(application=application, actor=tourism_officer,
                                                              reason="请补充材料")
    with at(2024, 10, 9):
        application = services.application_resubmit(application=application, actor=applicant_user)
    with at(2024, 10, 10):
        services.application_approve(application=application, actor=tourism_officer)
    events = list(application.events.values_list("action", "from_status", "to_status", "actor", "at", "reason"))
    assert events == [
        ("submit", "", Status.SUBMITTED, applicant_user.pk, dt.datetime(2024, 9, 26, 9, 30, tzinfo=SHANGHAI), ""),
        ("accept", Status.SUBMITTED, Status.ACCEPTED, tourism_officer.pk, dt.datetime(2024, 9, 27, 10, tzinfo=SHANGHAI), ""),
        ("request_correction", Status.ACCEPTED, Status.CORRECTION, tourism_officer.pk,
         dt.datetime(2024, 10, 8, 10, tzinfo=SHANGHAI), "请补充材料"),
        ("resubmit", Status.CORRECTION, Status.ACCEPTED, applicant_user.pk,
         dt.datetime(2024, 10, 9, 10, tzinfo=SHANGHAI), "申请人已补正材料。"),
        ("approve", Status.ACCEPTED, Status.APPROVED, tourism_officer.pk, dt.datetime(2024, 10, 10, 10, tzinfo=SHANGHAI), ""),
    ]


def test_every_transition_of_a_commitment_writes_an_event(commitment_item, enterprise, applicant_user, officer):
    commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                           channel=Channel.ONLINE)
    events = ApplicationEvent.objects.values_list("action", "from_status", "to_status", "actor")
    assert list(events) == [
        ("submit", "", Status.SUBMITTED, applicant_user.pk),
        ("issue_notice", Status.SUBMITTED, Status.NOTICE_ISSUED, officer.pk),
        # the materials due with the commitment, handed in with it: an event each, naming who
        ("submit_material", Status.NOTICE_ISSUED, Status.NOTICE_ISSUED, applicant_user.pk),
        ("submit_material", Status.NOTICE_ISSUED, Status.NOTICE_ISSUED, applicant_user.pk),
        ("commit", Status.NOTICE_ISSUED, Status.COMMITTED, applicant_user.pk),
        ("decide", Status.COMMITTED, Status.APPROVED, officer.pk),
    ]


@pytest.mark.parametrize("until,action,label", [
    (Status.NOTICE_ISSUED, "application_decide", "已告知，待承诺"),
    (Status.NOTICE_ISSUED, "application_issue_notice", "已告知，待承诺"),
    (Status.COMMITTED, "application_lapse", "已承诺，待决定"),
    (Status.COMMITTED, "application_withdraw", "已承诺，待决定"),
    (Status.APPROVED, "application_decide", "准予许可"),
    (Status.APPROVED, "application_choose_ordinary", "准予许可"),
])
def test_a_transition_from_the_wrong_state_is_refused_in_chinese_and_changes_nothing(
        commitment_item, enterprise, clerk, officer, until, action, label):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until=until)
    before = (fresh(application).status, application.events.count(), application.documents.count(),
              Licence.objects.count())
    with pytest.raises(Conflict) as exc:
        getattr(services, action)(application=application, actor=officer)
    assert exc.value.message == f"办件当前状态为“{label}”，不能进行此操作。"
    assert exc.value.status == 409
    after = (fresh(application).status, application.events.count(), application.documents.count(),
             Licence.objects.count())
    assert after == before


def test_a_stale_copy_cannot_move_an_application_twice(commitment_item, enterprise, clerk, officer, other_officer):
    committed = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                       until=Status.COMMITTED)
    stale = Application.objects.get(pk=committed.pk)
    services.application_decide(application=committed, actor=officer)
    with pytest.raises(Conflict):
        services.application_decide(application=stale, actor=other_officer)
    assert Licence.objects.count() == 1
    assert committed.events.filter(action="decide").count() == 1


# --- numbers -------------------------------------------------------------------------------------


def test_numbers_count_up_within_a_year_and_restart_with_the_next(enterprise, applicant_user, at):
    with at(2024, 12, 31, 9):
        first = submit(1, enterprise, applicant_user)
        second = submit(3, enterprise, applicant_user)
    with at(2024, 12, 31, 23, 59):  # still 2024 in Qinzhou, though 15:59 UTC
        third = submit(1, enterprise, applicant_user)
    with at(2025, 1, 1, 0, 1):  # already 2025 in Qinzhou, still 2024 in UTC
        fourth = submit(1, enterprise, applicant_user)
        fifth = submit(1, ApplicantFactory(), applicant_user)
    assert [a.number for a in (first, second, third, fourth, fifth)] == [
        "QZ2024-000001", "QZ2024-000002", "QZ2024-000003", "QZ2025-000001", "QZ2025-000002"]


def test_a_refused_submission_uses_up_no_number(enterprise, applicant_user):
    with pytest.raises(InvalidInput):
        submit(1, enterprise, applicant_user, channel="pigeon")
    assert submit(1, enterprise, applicant_user).number.endswith("-000001")


def test_every_application_gets_its_own_query_code(enterprise, applicant_user):
    codes = {submit(1, enterprise, applicant_user).query_code for _ in range(5)}
    assert len(codes) == 5
