"""Notify and commit, online and at the window (附件3 告知承诺指引; 钦政发〔2019〕20号 pilot rules).

Item 13 (旅馆业特种行业许可证核发) as the `commitment_item` fixture: an admin filled in its legal
basis and conditions, and it has three materials, due at application, at commitment, and
20 working days after the decision.
"""
import datetime as dt

import pytest

from licensing import services
from licensing.constants import Channel, CommitmentKind, MaterialDue, MaterialStatus, Route, Status
from portal.exceptions import Conflict, InvalidInput
from licensing.models import Application, Commitment, Item, Licence
from notices.constants import DocumentKind
from supervision.constants import InspectionStatus
from supervision.models import Inspection
from tests.clock import SHANGHAI
from tests.factories import commitment_application, files_owed_at_commitment, pdf_file

pytestmark = pytest.mark.django_db

ALL_SEVEN = [True] * 7


def fresh(application):
    return Application.objects.get(pk=application.pk)


def kinds_of_documents(application):
    return list(application.documents.values_list("kind", flat=True))


def commit(application, actor, *, kind=CommitmentKind.ALREADY_MEETS, confirmations=ALL_SEVEN, meet_by=None,
           files=None):
    return services.application_commit(
        application=application, actor=actor, kind=kind, confirmations=confirmations, signatory="张三",
        meet_by=meet_by, files=files_owed_at_commitment(application) if files is None else files)


def material_id(item, due):
    return item.materials.get(due=due).pk


def nothing_changed_since(application, status, events):
    now = fresh(application)
    return (now.status == status and now.events.count() == events
            and not Commitment.objects.filter(application=application).exists())


@pytest.fixture
def incomplete_item():
    """Item 14, a commitment item whose admin has entered only its legal basis so far."""
    item = Item.objects.get(seq_no=14)
    item.legal_basis = "《旅馆业治安管理办法》第四条"
    item.save()
    return item


@pytest.fixture
def notice_issued(commitment_item, enterprise, applicant_user, officer, at):
    """An online application whose notice was issued on 2024-10-10; the commitment is due 2024-10-14."""
    with at(2024, 9, 30):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    with at(2024, 10, 10):
        return services.application_issue_notice(application=application, actor=officer)


# --- online, across National Day 2024 -----------------------------------------------------------


def test_an_online_application_is_owed_its_notice_within_3_working_days(commitment_item, enterprise,
                                                                        applicant_user, at):
    with at(2024, 9, 30):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert (application.route, application.status) == (Route.COMMITMENT, Status.SUBMITTED)
    # 附件3 第三条: within 3 working days; 1-7 October are off, so 8, 9 and 10 October count.
    assert application.notice_due == dt.date(2024, 10, 10)
    assert not application.documents.exists()
    assert application.materials.filter(status=MaterialStatus.OWED).count() == 3


def test_the_notice_gives_3_working_days_to_commit_counting_a_make_up_saturday(notice_issued, officer):
    assert notice_issued.status == Status.NOTICE_ISSUED
    assert notice_issued.notice_issued_at == dt.datetime(2024, 10, 10, 10, tzinfo=SHANGHAI)
    # 11 October, Saturday 12 October (调休上班) and Monday 14 October.
    assert notice_issued.commitment_due == dt.date(2024, 10, 14)
    assert kinds_of_documents(notice_issued) == [DocumentKind.NOTICE]


def test_the_commitment_with_its_materials_is_decided_the_same_day(notice_issued, commitment_item,
                                                                   applicant_user, officer, regulator, at):
    with at(2024, 10, 14, 9):
        committed = commit(notice_issued, applicant_user)
        assert committed.status == Status.COMMITTED
        assert committed.decision_due == dt.date(2024, 10, 14)  # 附件3 第五条: 当场作出决定
        assert committed.commitment.confirmations and len(committed.commitment.confirmations) == 7
        decided = services.application_decide(application=committed, actor=officer)
    assert decided.status == Status.APPROVED
    assert decided.decided_at == dt.datetime(2024, 10, 14, 9, tzinfo=SHANGHAI)
    assert decided.licence.may_operate_from == dt.date(2024, 10, 14)
    assert kinds_of_documents(decided) == [DocumentKind.NOTICE, DocumentKind.COMMITMENT, DocumentKind.LICENCE,
                                           DocumentKind.DECISION]  # the licence, issue 12
    later = decided.materials.get(material__due=MaterialDue.AFTER_DECISION)
    assert later.due_date == dt.date(2024, 11, 11)  # 20 working days after 14 October
    assert later.status == MaterialStatus.OWED
    assert set(decided.materials.exclude(pk=later.pk).values_list("status", flat=True)) == {MaterialStatus.SUBMITTED}
    # 附件3 第七条: the regulator checks the commitment within 2 months of the decision; they end on
    # Saturday 14 December, so on Monday 16 December (民法典 第二百零三条: a period ending on a rest day
    # ends on the next working day).
    assert decided.inspection_due == dt.date(2024, 12, 16)
    inspection = Inspection.objects.get(application=decided)
    assert (inspection.due_date, inspection.regulator, inspection.status) == (
        dt.date(2024, 12, 16), regulator.organisation, InspectionStatus.PENDING)


def test_a_decision_on_new_year_s_eve_counts_materials_across_spring_festival_2025(
        commitment_item, enterprise, clerk, officer, at):
    with at(2024, 12, 31):
        decided = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    later = decided.materials.get(material__due=MaterialDue.AFTER_DECISION)
    # 20 working days: 2-27 January has 19 (Sunday 26 January is a make-up day), 28 January to
    # 4 February are off, so the 20th is 5 February.
    assert later.due_date == dt.date(2025, 2, 5)
    # Two calendar months from 31 December end on the last day of February (a Friday, a working day).
    assert decided.inspection_due == dt.date(2025, 2, 28)
    assert Inspection.objects.get(application=decided).due_date == dt.date(2025, 2, 28)
    assert not decided.deadlines_provisional


def test_a_commitment_on_the_last_evening_is_in_time(notice_issued, applicant_user, at):
    with at(2024, 10, 14, 23, 30):
        assert commit(notice_issued, applicant_user).status == Status.COMMITTED


def test_a_commitment_after_its_due_date_is_refused(notice_issued, applicant_user, at):
    with at(2024, 10, 15, 8):
        with pytest.raises(Conflict) as exc:
            commit(notice_issued, applicant_user)
    assert exc.value.message == "承诺书递交期限（2024年10月14日）已过，本次申请已不能再作出承诺。"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


# --- at the window (一窗受理) ---------------------------------------------------------------------


def test_at_the_window_the_notice_is_handed_over_on_the_spot(commitment_item, enterprise, clerk, at):
    with at(2024, 9, 30, 15):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                                  channel=Channel.WINDOW)
    assert application.status == Status.NOTICE_ISSUED
    assert application.notice_due == dt.date(2024, 9, 30)
    assert application.notice_issued_at == dt.datetime(2024, 9, 30, 15, tzinfo=SHANGHAI)
    assert application.commitment_due == dt.date(2024, 10, 10)
    assert kinds_of_documents(application) == [DocumentKind.NOTICE]
    assert list(application.events.values_list("action", "actor")) == [("submit", clerk.pk),
                                                                         ("issue_notice", clerk.pk)]


def test_at_the_window_an_incomplete_item_says_what_the_admin_must_fill_in_and_creates_nothing(
        incomplete_item, enterprise, clerk):
    with pytest.raises(Conflict) as exc:
        services.application_submit(item=incomplete_item, applicant=enterprise, actor=clerk, channel=Channel.WINDOW)
    assert exc.value.message == (
        f"事项“{incomplete_item.name}”的告知内容不完整，请管理员先在事项目录中补充："
        "许可条件（条件、标准和技术要求）；申请材料（名称、提交方式和期限）。")
    assert not Application.objects.exists()
    # Not even a number was used up.
    assert services.application_submit(item=incomplete_item, applicant=enterprise, actor=clerk,
                                       wants_commitment=False).number.endswith("-000001")


def test_online_an_incomplete_item_is_received_but_its_notice_cannot_be_issued(
        incomplete_item, enterprise, applicant_user, officer):
    application = services.application_submit(item=incomplete_item, applicant=enterprise, actor=applicant_user)
    assert application.status == Status.SUBMITTED
    with pytest.raises(Conflict) as exc:
        services.application_issue_notice(application=application, actor=officer)
    assert "请管理员先在事项目录中补充：许可条件（条件、标准和技术要求）；申请材料（名称、提交方式和期限）" in exc.value.message
    assert "法律依据" not in exc.value.message
    assert fresh(application).status == Status.SUBMITTED
    assert not application.documents.exists()


# --- what the commitment must contain -----------------------------------------------------------


def test_a_commitment_to_meet_the_conditions_later_licenses_without_permission_to_operate(
        notice_issued, applicant_user, officer, at):
    with at(2024, 10, 14):
        committed = commit(notice_issued, applicant_user, kind=CommitmentKind.WILL_MEET, meet_by=dt.date(2024, 12, 1))
        decided = services.application_decide(application=committed, actor=officer)
    assert decided.commitment.meet_by == dt.date(2024, 12, 1)
    # Pilot rules: "will meet by a date" may operate only after meeting the conditions.
    assert decided.licence.may_operate_from is None


@pytest.mark.parametrize("meet_by", [None, dt.date(2024, 10, 14), dt.date(2024, 10, 1)])
def test_a_commitment_to_meet_the_conditions_later_needs_a_future_date(notice_issued, applicant_user, meet_by, at):
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, kind=CommitmentKind.WILL_MEET, meet_by=meet_by)
    assert exc.value.message == "承诺在约定期限内具备条件的，须填写今天以后的日期。"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


def test_already_meeting_the_conditions_takes_no_date(notice_issued, applicant_user, at):
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, meet_by=dt.date(2024, 12, 1))
    assert exc.value.field == "meet_by"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


@pytest.mark.parametrize("confirmations", [[True] * 6, [True] * 6 + [False], [], None])
def test_all_seven_confirmations_are_required(notice_issued, applicant_user, confirmations, at):
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, confirmations=confirmations)
    assert exc.value.message == "承诺书的7项确认内容须逐项确认后方可提交。"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


def test_a_commitment_without_the_material_due_with_it_is_refused_and_changes_nothing(
        notice_issued, commitment_item, applicant_user, at):
    only_the_form = {material_id(commitment_item, MaterialDue.AT_APPLICATION): pdf_file("申请书.pdf")}
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, files=only_the_form)
    assert exc.value.message == "递交承诺书时须一并提交此材料：承诺书附件。"
    assert exc.value.field == f"files.{material_id(commitment_item, MaterialDue.AT_COMMITMENT)}"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)
    # The form that came with it was not kept either: the whole step is undone.
    assert set(notice_issued.materials.values_list("status", flat=True)) == {MaterialStatus.OWED}
    assert kinds_of_documents(notice_issued) == [DocumentKind.NOTICE]


def test_a_material_that_is_not_a_pdf_or_image_is_refused(notice_issued, commitment_item, applicant_user,
                                                          not_a_pdf, at):
    files = files_owed_at_commitment(notice_issued)
    files[material_id(commitment_item, MaterialDue.AT_COMMITMENT)] = not_a_pdf
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, files=files)
    assert "不是PDF、JPG或PNG文件" in exc.value.message
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


def test_a_material_of_another_item_is_refused(notice_issued, applicant_user, at):
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            commit(notice_issued, applicant_user, files={999999: pdf_file()})
    assert exc.value.message == "该事项没有这项材料。"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


def test_a_commitment_needs_a_signatory(notice_issued, applicant_user, at):
    with at(2024, 10, 14):
        with pytest.raises(InvalidInput) as exc:
            services.application_commit(application=notice_issued, actor=applicant_user,
                                        kind=CommitmentKind.ALREADY_MEETS, confirmations=ALL_SEVEN, signatory=" ",
                                        files=files_owed_at_commitment(notice_issued))
    assert exc.value.message == "请填写签署人。"
    assert nothing_changed_since(notice_issued, Status.NOTICE_ISSUED, 2)


def test_a_commitment_cannot_be_decided_before_it_is_signed(notice_issued, officer):
    with pytest.raises(Conflict):
        services.application_decide(application=notice_issued, actor=officer)
    assert not Licence.objects.exists()
    assert not Inspection.objects.exists()
