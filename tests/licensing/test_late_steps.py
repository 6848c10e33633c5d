"""Late steps are recorded, not hidden (issue 11).

"A late notice, a decision not made on the day of commitment, or an optimised item decided past its
committed limit is still accepted: a late decision is still owed. But the event records how many
working days late it was; the desks flag it."

Time stands still at Qinzhou wall-clock moments around 国庆 2024 (1-7 October off, Sunday 29 September
and Saturday 12 October make-up working days), from the portal's seeded calendar.
"""
import datetime as dt

import pytest
from django.template.loader import render_to_string

from licensing import services
from licensing.constants import Action, Channel, CommitmentKind, MaterialDue, Status
from licensing.models import Application, ApplicationEvent, Item
from licensing.services._core import late_working_days
from notices.constants import DocumentKind
from portal.constants import Role
from tests.factories import (
    ApplicationFactory, UserFactory, commitment_application, files_owed_at_commitment,
    item_officer, pdf_file,
)

pytestmark = pytest.mark.django_db


def event_of(application, action) -> ApplicationEvent:
    return ApplicationEvent.objects.get(application=application, action=action)


def due_and_late(application, action):
    event = event_of(application, action)
    return event.due_date, event.late_working_days


@pytest.fixture
def optimised_item():
    """Item 20 (外商投资旅行社业务许可, 压缩三分之一) once an admin entered its 30-day statutory limit:
    20 working days committed."""
    item = Item.objects.get(seq_no=20)
    item.statutory_days = 30
    item.save()
    return item


@pytest.fixture
def optimised_officer(optimised_item):
    return item_officer(optimised_item)


def submitted_online(item, enterprise, applicant_user, at, *when, **kwargs):
    with at(*when):
        return services.application_submit(item=item, applicant=enterprise, actor=applicant_user,
                                           channel=Channel.ONLINE, **kwargs)


# --- the count itself ---------------------------------------------------------------------------

def test_lateness_is_counted_in_working_days_not_calendar_days():
    """National Day 2024: due Monday 30 September, done Tuesday 8 October, the first working day
    after the holiday, is 1 working day late although 8 calendar days passed."""
    assert late_working_days(dt.date(2024, 9, 30), dt.date(2024, 10, 8)) == 1
    assert late_working_days(dt.date(2024, 9, 30), dt.date(2024, 10, 9)) == 2


def test_a_step_on_or_before_its_due_date_is_not_late_and_one_without_a_deadline_never_is():
    assert late_working_days(dt.date(2024, 10, 17), dt.date(2024, 10, 17)) is None
    assert late_working_days(dt.date(2024, 10, 17), dt.date(2024, 10, 16)) is None
    assert late_working_days(None, dt.date(2024, 10, 17)) is None


def test_a_step_past_its_date_on_a_rest_day_counts_as_one_working_day_late():
    """Past the date is late even when only rest days followed it (Friday 27 September 2024 due,
    Saturday 28 September done): never recorded as 0 days late."""
    assert late_working_days(dt.date(2024, 9, 27), dt.date(2024, 9, 28)) == 1


# --- the notice (附件3 第三条) --------------------------------------------------------------------

def test_an_online_notice_issued_on_its_fifth_working_day_is_recorded_two_working_days_late(
        commitment_item, enterprise, applicant_user, officer, at):
    """附件3 第三条: "行政审批部门应当在收到申请后3个工作日内，将告知书邮寄给申请单位（人）". Filed online
    on Monday 14 October 2024, the notice is due Thursday 17 October; issued on Monday 21 October
    (the 5th working day) it is still issued, and recorded 2 working days late."""
    application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 10, 14)
    assert application.notice_due == dt.date(2024, 10, 17)
    with at(2024, 10, 21):
        issued = services.application_issue_notice(application=application, actor=officer)
    assert issued.status == Status.NOTICE_ISSUED
    assert issued.documents.filter(kind=DocumentKind.NOTICE).exists()
    assert due_and_late(issued, Action.ISSUE_NOTICE) == (dt.date(2024, 10, 17), 2)
    assert event_of(issued, Action.ISSUE_NOTICE).organisation == officer.organisation


def test_a_notice_issued_in_time_records_its_deadline_and_no_lateness(
        commitment_item, enterprise, applicant_user, officer, at):
    """附件3 第三条 "收到申请后3个工作日内": issued on the 3rd working day, it is in time."""
    application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 10, 14)
    with at(2024, 10, 17, 17):
        issued = services.application_issue_notice(application=application, actor=officer)
    assert due_and_late(issued, Action.ISSUE_NOTICE) == (dt.date(2024, 10, 17), None)


def test_a_notice_late_across_national_day_is_late_by_working_days(
        commitment_item, enterprise, applicant_user, officer, at):
    """附件3 第三条's 3 working days from Thursday 26 September 2024 end Monday 30 September (Sunday
    29 September is a make-up working day); issued on 8 October, the first working day after the
    holiday, the notice is 1 working day late, not 8 days."""
    application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 9, 26)
    assert application.notice_due == dt.date(2024, 9, 30)
    with at(2024, 10, 8):
        issued = services.application_issue_notice(application=application, actor=officer)
    assert due_and_late(issued, Action.ISSUE_NOTICE) == (dt.date(2024, 9, 30), 1)


def test_a_notice_handed_over_at_the_window_is_never_late(commitment_item, enterprise, clerk, at):
    """附件3 第三条 "当面递交申请的，行政审批部门应当当场发给告知书": due the same day, and given then."""
    with at(2024, 10, 14):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                                  channel=Channel.WINDOW)
    assert due_and_late(application, Action.ISSUE_NOTICE) == (dt.date(2024, 10, 14), None)


# --- the decision on the spot (附件3 第五条) -------------------------------------------------------

def committed_at_window(commitment_item, enterprise, clerk, officer, at, *when, **kwargs):
    with at(*when):
        return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                      until="committed", **kwargs)


def test_a_commitment_decided_the_next_working_day_is_one_working_day_late_and_still_decided(
        commitment_item, enterprise, clerk, officer, at):
    """附件3 第五条: "行政审批部门收到经申请单位（人）签章的承诺书……后，应当当场作出行政许可决定". A
    decision not made that day is still owed: made the next working day it grants the licence as
    ever, and the event records it 1 working day late."""
    committed = committed_at_window(commitment_item, enterprise, clerk, officer, at, 2024, 10, 14, 9)
    assert committed.decision_due == dt.date(2024, 10, 14)
    with at(2024, 10, 15, 9):
        decided = services.application_decide(application=committed, actor=officer)
    assert decided.status == Status.APPROVED
    assert decided.licence is not None
    assert decided.documents.filter(kind=DocumentKind.DECISION).exists()
    assert due_and_late(decided, Action.DECIDE) == (dt.date(2024, 10, 14), 1)


def test_a_commitment_decided_on_the_spot_is_in_time(commitment_item, enterprise, clerk, officer, at):
    """附件3 第五条 "应当当场作出行政许可决定": decided the same day, nothing late is recorded."""
    committed = committed_at_window(commitment_item, enterprise, clerk, officer, at, 2024, 10, 14, 9)
    with at(2024, 10, 14, 17, 30):
        decided = services.application_decide(application=committed, actor=officer)
    assert due_and_late(decided, Action.DECIDE) == (dt.date(2024, 10, 14), None)


def test_a_commitment_left_over_national_day_is_one_working_day_late(
        commitment_item, enterprise, clerk, officer, at):
    """附件3 第五条 "当场": committed on Monday 30 September 2024 and decided on Tuesday 8 October, the
    first working day after the holiday: 1 working day late, not 8 days."""
    committed = committed_at_window(commitment_item, enterprise, clerk, officer, at, 2024, 9, 30, 16)
    with at(2024, 10, 8, 9):
        decided = services.application_decide(application=committed, actor=officer)
    assert due_and_late(decided, Action.DECIDE) == (dt.date(2024, 9, 30), 1)


def test_a_decision_answers_the_commitment_day_even_from_an_older_copy_of_the_application(
        commitment_item, enterprise, applicant_user, officer, at):
    """附件3 第五条 "当场作出行政许可决定": the day is the commitment's, read from the application as it
    stands; a caller holding the application as it was before the commitment cannot hide the delay."""
    with at(2024, 10, 14):
        application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 10, 14)
        issued = services.application_issue_notice(application=application, actor=officer)
        services.application_commit(application=issued, actor=applicant_user, kind=CommitmentKind.ALREADY_MEETS,
                                    confirmations=[True] * 7, signatory="张三",
                                    files=files_owed_at_commitment(issued))
    assert issued.decision_due is None  # the older copy
    with at(2024, 10, 15):
        services.application_decide(application=issued, actor=officer)
    assert due_and_late(application, Action.DECIDE) == (dt.date(2024, 10, 14), 1)


# --- the optimised item's committed limit -------------------------------------------------------

def accepted(optimised_item, enterprise, applicant_user, optimised_officer, at):
    """Accepted on Friday 27 September 2024: 20 working days run to Wednesday 30 October."""
    application = submitted_online(optimised_item, enterprise, applicant_user, at, 2024, 9, 26)
    with at(2024, 9, 27):
        application = services.application_accept(application=application, actor=optimised_officer)
    assert application.decision_due == dt.date(2024, 10, 30)
    return application


def test_an_optimised_item_approved_two_working_days_past_its_committed_limit_records_two(
        optimised_item, enterprise, applicant_user, optimised_officer, at):
    """附件2 序号20 "将法定审批时限压缩三分之一": 30 days become 20 working days, due 30 October 2024.
    Approved on Friday 1 November, the licence is granted and the approval recorded 2 working days
    late (31 October, 1 November)."""
    application = accepted(optimised_item, enterprise, applicant_user, optimised_officer, at)
    with at(2024, 11, 1, 10):
        approved = services.application_approve(application=application, actor=optimised_officer)
    assert approved.status == Status.APPROVED and approved.licence is not None
    assert due_and_late(approved, Action.APPROVE) == (dt.date(2024, 10, 30), 2)
    assert event_of(approved, Action.APPROVE).organisation == optimised_officer.organisation


def test_an_optimised_item_approved_on_its_last_day_is_in_time(
        optimised_item, enterprise, applicant_user, optimised_officer, at):
    """附件2 序号20 "压缩三分之一": approved on 30 October 2024, the 20th working day, it is in time."""
    application = accepted(optimised_item, enterprise, applicant_user, optimised_officer, at)
    with at(2024, 10, 30, 17):
        approved = services.application_approve(application=application, actor=optimised_officer)
    assert due_and_late(approved, Action.APPROVE) == (dt.date(2024, 10, 30), None)


def test_a_late_refusal_answers_the_limit_as_restarted_after_correction(
        optimised_item, enterprise, applicant_user, optimised_officer, at):
    """附件2 序号20 "压缩审批时限": the limit stops for correction and restarts with the days left
    (due 6 November 2024); a refusal on 7 November is 1 working day late against that date."""
    application = accepted(optimised_item, enterprise, applicant_user, optimised_officer, at)
    with at(2024, 10, 8):
        services.application_request_correction(application=application, actor=optimised_officer,
                                                reason="请补充营业执照副本")
    with at(2024, 10, 14):
        services.application_resubmit(application=application, actor=applicant_user)
    with at(2024, 11, 7):  # the caller's copy still says 30 October: the service reads the limit afresh
        refused = services.application_reject(application=application, actor=optimised_officer,
                                              reason="不符合许可条件。")
    assert refused.status == Status.REJECTED
    assert due_and_late(refused, Action.REJECT) == (dt.date(2024, 11, 6), 1)


def test_an_item_without_a_committed_limit_records_no_deadline(enterprise, applicant_user, at):
    """Item 20 before an admin enters its statutory limit has no committed limit: no deadline, so
    nothing is ever late."""
    item = Item.objects.get(seq_no=20)
    assert item.committed_days is None
    officer = item_officer(item)
    application = submitted_online(item, enterprise, applicant_user, at, 2024, 10, 8)
    with at(2024, 10, 9):
        application = services.application_accept(application=application, actor=officer)
    with at(2025, 3, 3):
        approved = services.application_approve(application=application, actor=officer)
    assert due_and_late(approved, Action.APPROVE) == (None, None)


# --- conditions met by a date, and a filing corrected by a date ---------------------------------

def test_a_confirmation_after_a_declaration_in_time_is_not_counted_late_against_the_holders_date(
        commitment_item, enterprise, clerk, officer, at):
    """钦政发〔2019〕20号: "企业达到经营许可条件并按要求提交材料后，方可开展经营". The holder committed to
    meet the conditions by Thursday 31 October 2024 and declared them met on the 30th; confirmed on Monday
    4 November, the holder may operate from then. The date was the holder's to declare by, not a deadline
    the gazette sets the authority, so the confirmation carries no deadline and no lateness."""
    with at(2024, 10, 14):
        decided = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         kind=CommitmentKind.WILL_MEET, meet_by=dt.date(2024, 10, 31))
        later = decided.materials.get(material__due=MaterialDue.AFTER_DECISION)
        services.material_submit(application=decided, material_id=later.material_id, upload=pdf_file(), actor=clerk)
    with at(2024, 10, 30):
        services.application_declare_conditions(application=decided, actor=clerk)
    with at(2024, 11, 4):
        confirmed = services.application_confirm_conditions(
            application=Application.objects.get(pk=decided.pk), actor=officer)
    assert confirmed.licence.may_operate_from == dt.date(2024, 11, 4)
    assert due_and_late(confirmed, Action.CONFIRM_CONDITIONS) == (None, None)
    assert due_and_late(confirmed, Action.DECLARE_CONDITIONS) == (dt.date(2024, 10, 31), None)


def test_a_filing_corrected_after_its_date_is_still_corrected_and_recorded_late(enterprise, applicant_user, at):
    """钦政发〔2019〕20号 二（四）: "对未按规定备案或备案信息不实的企业……采取措施予以纠正". Ordered to correct
    by Friday 18 October 2024, the filer corrects on Tuesday 22 October: the filing stands again,
    recorded 2 working days late."""
    with at(2024, 10, 14):
        filed = ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
        assert filed.regulator is not None  # the filing's record went to it (谁主管、谁监管)
        regulator = UserFactory(role=Role.REGULATOR, organisation=filed.regulator)
        services.application_mark_filing_untrue(application=filed, actor=regulator, findings="经营场所地址不实。",
                                                correct_by=dt.date(2024, 10, 18))
    with at(2024, 10, 22):
        corrected = services.application_correct_filing(application=Application.objects.get(pk=filed.pk),
                                                        actor=applicant_user, details="更正后的经营场所地址")
    assert corrected.status == Status.FILED
    assert due_and_late(corrected, Action.CORRECT_FILING) == (dt.date(2024, 10, 18), 2)


# --- the desk flags it --------------------------------------------------------------------------

def flag(event) -> str:
    return render_to_string("licensing/includes/event_late.html", {"event": event})


def test_the_timeline_flags_a_late_step_in_red_with_its_due_date(
        commitment_item, enterprise, applicant_user, officer, at):
    """Issue 11: "the desks flag it": 逾期N个工作日（应于YYYY年M月D日前）, in red (class "late")."""
    application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 10, 14)
    with at(2024, 10, 21):
        services.application_issue_notice(application=application, actor=officer)
    html = flag(event_of(application, Action.ISSUE_NOTICE))
    assert '<span class="late event-late">逾期2个工作日（应于2024年10月17日前）</span>' in html


def test_the_timeline_says_nothing_of_a_step_in_time(commitment_item, enterprise, applicant_user, officer, at):
    """Issue 11: only late steps are flagged; one in time shows as before."""
    application = submitted_online(commitment_item, enterprise, applicant_user, at, 2024, 10, 14)
    with at(2024, 10, 16):
        services.application_issue_notice(application=application, actor=officer)
    assert flag(event_of(application, Action.ISSUE_NOTICE)).strip() == ""
