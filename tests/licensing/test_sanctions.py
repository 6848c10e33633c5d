"""Sanctions of notify and commit (附件3 告知承诺指引 第三、六、七、九条).

- Materials agreed for after the decision and not in by their date revoke it (第六条).
- Missing materials or a false commitment go into the 诚信档案, and from then on the applicant
  may not use notify and commit again (第九条) until its credit is repaired.
- A notice not answered with a commitment within 3 working days closes the application (第三条).
"""
import datetime as dt

import pytest

from licensing import services
from licensing.constants import Channel, MaterialDue, MaterialStatus, Route, Status
from portal.exceptions import Conflict, InvalidInput
from licensing.models import Application, ApplicationEvent, Item, Licence
from notices.constants import DocumentKind
from notices.models import Document
from supervision.constants import CreditReason, InspectionStatus
from supervision.models import CreditRecord
from tests.clock import SHANGHAI, at
from tests.factories import ApplicantFactory, commitment_application, files_owed_at_commitment, pdf_file

pytestmark = pytest.mark.django_db


def fresh(application):
    return Application.objects.get(pk=application.pk)


def later_material(application):
    return application.materials.select_related("material").get(material__due=MaterialDue.AFTER_DECISION)


@pytest.fixture
def approved(commitment_item, enterprise, clerk, officer):
    """Decided at the window on 2024-10-14; its 安全设施说明 is due 2024-11-11 (20 working days)."""
    with at(2024, 10, 14):
        application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk,
                                             officer=officer)
    assert later_material(application).due_date == dt.date(2024, 11, 11)
    return application


def revoke_overdue(year=2024, month=11, day=12):
    with at(year, month, day, 2):
        return services.applications_revoke_for_overdue_materials()


def submit_again(item, applicant, actor, **kwargs):
    with at(2024, 11, 13):
        return services.application_submit(item=item, applicant=applicant, actor=actor, **kwargs)


# --- late materials revoke the decision (第六条) ------------------------------------------------


def test_a_material_overdue_after_the_decision_revokes_it_with_a_credit_record(approved, enterprise):
    assert revoke_overdue() == [approved.number]
    application = fresh(approved)
    assert application.status == Status.REVOKED
    assert "安全设施说明" in application.closing_reason and "第六条" in application.closing_reason
    licence = Licence.objects.get(application=approved)
    assert licence.revoked_at == dt.datetime(2024, 11, 12, 2, tzinfo=SHANGHAI)
    assert "安全设施说明" in licence.revocation_reason
    assert application.documents.filter(kind=DocumentKind.REVOCATION).count() == 1
    record = CreditRecord.objects.get()
    assert (record.applicant, record.application, record.reason) == (
        enterprise, application, CreditReason.MISSING_MATERIALS)
    assert application.inspection.status == InspectionStatus.CANCELLED
    assert later_material(application).status == MaterialStatus.OVERDUE
    event = application.events.last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "revoke", Status.APPROVED, Status.REVOKED, None)


def test_a_material_is_still_in_time_on_its_due_date(approved):
    assert revoke_overdue(2024, 11, 11) == []
    assert fresh(approved).status == Status.APPROVED


def test_running_the_revocation_twice_revokes_once(approved):
    assert revoke_overdue() == [approved.number]
    assert revoke_overdue(2024, 11, 13) == []
    assert ApplicationEvent.objects.filter(application=approved, action="revoke").count() == 1
    assert Document.objects.filter(application=approved, kind=DocumentKind.REVOCATION).count() == 1
    assert CreditRecord.objects.count() == 1


def test_a_material_submitted_in_time_keeps_the_licence(approved, clerk):
    with at(2024, 11, 11, 17):
        services.material_submit(application=approved, material_id=later_material(approved).material_id,
                                 upload=pdf_file("安全设施说明.pdf"), actor=clerk)
    assert revoke_overdue() == []
    application = fresh(approved)
    assert application.status == Status.APPROVED
    assert application.licence.revoked_at is None
    assert application.inspection.status == InspectionStatus.PENDING
    assert not CreditRecord.objects.exists()


def test_an_overdue_material_can_no_longer_be_handed_in(approved, clerk):
    revoke_overdue()
    with pytest.raises(Conflict) as exc:
        services.material_submit(application=approved, material_id=later_material(approved).material_id,
                                 upload=pdf_file(), actor=clerk)
    assert exc.value.message == "材料“安全设施说明”已逾期，不能再提交。"


def test_a_material_handed_in_after_its_date_is_refused_even_before_the_job_runs(approved, clerk):
    with at(2024, 11, 12, 0, 30):
        with pytest.raises(Conflict) as exc:
            services.material_submit(application=approved, material_id=later_material(approved).material_id,
                                     upload=pdf_file(), actor=clerk)
    assert exc.value.message == "材料“安全设施说明”已逾期，不能再提交。"
    assert later_material(approved).status == MaterialStatus.OWED
    assert revoke_overdue() == [approved.number]


def test_only_approved_commitments_are_revoked(commitment_item, enterprise, clerk, officer):
    with at(2024, 10, 14):
        committed = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk,
                                           officer=officer, until=Status.COMMITTED)
    # Undecided, so no after-decision due date runs yet.
    assert revoke_overdue(2025, 6, 1) == []
    assert fresh(committed).status == Status.COMMITTED


# --- the credit record bars notify and commit (第九条) ------------------------------------------


def test_after_a_revocation_the_applicant_goes_the_ordinary_way_online(approved, commitment_item, enterprise,
                                                                       applicant_user):
    revoke_overdue()
    application = submit_again(commitment_item, enterprise, applicant_user)
    assert (application.route, application.status) == (Route.ORDINARY, Status.SUBMITTED)
    assert application.notice_due is None
    reason = application.events.get().reason
    assert "未按期提交材料或材料不符合要求" in reason
    assert "第九条" in reason and "按一般程序办理" in reason


def test_after_a_revocation_the_window_hands_over_no_notice(approved, commitment_item, enterprise, clerk):
    revoke_overdue()
    application = submit_again(commitment_item, enterprise, clerk, channel=Channel.WINDOW)
    assert (application.route, application.status) == (Route.ORDINARY, Status.SUBMITTED)
    assert "第九条" in application.events.get().reason
    assert not application.documents.exists()


def test_a_credit_record_made_while_another_notice_is_open_bars_that_commitment_too(
        approved, commitment_item, enterprise, clerk, applicant_user):
    with at(2024, 11, 11):
        pending = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=clerk,
                                         until=Status.NOTICE_ISSUED)
    revoke_overdue()
    with at(2024, 11, 12):
        with pytest.raises(Conflict) as exc:
            services.application_commit(application=pending, actor=applicant_user, kind="already_meets",
                                        confirmations=[True] * 7, signatory="张三",
                                        files=files_owed_at_commitment(pending))
        assert "第九条" in exc.value.message and "一般程序" in exc.value.message
        assert fresh(pending).status == Status.NOTICE_ISSUED
        chosen = services.application_choose_ordinary(application=pending, actor=applicant_user)
    assert (chosen.route, chosen.status) == (Route.ORDINARY, Status.SUBMITTED)


def test_a_barred_applicant_at_the_window_is_not_stopped_by_an_item_without_a_notice(
        approved, enterprise, clerk):
    revoke_overdue()
    no_notice_yet = Item.objects.get(seq_no=14)
    application = submit_again(no_notice_yet, enterprise, clerk, channel=Channel.WINDOW)
    assert application.route == Route.ORDINARY


def test_the_bar_applies_to_that_applicant_only(approved, commitment_item, applicant_user):
    revoke_overdue()
    other = ApplicantFactory(members=[applicant_user])
    assert submit_again(commitment_item, other, applicant_user).route == Route.COMMITMENT


def test_a_repaired_credit_record_no_longer_bars(approved, commitment_item, enterprise, applicant_user):
    revoke_overdue()
    # Credit repair is the supervision issue's page; here only its effect matters.
    CreditRecord.objects.update(repaired_at=dt.datetime(2024, 11, 12, 15, tzinfo=SHANGHAI))
    application = submit_again(commitment_item, enterprise, applicant_user)
    assert application.route == Route.COMMITMENT
    assert application.events.get().reason == ""


def test_an_ordinary_approval_promises_no_later_materials_and_is_never_revoked_for_them(
        approved, commitment_item, enterprise, applicant_user, officer):
    revoke_overdue()
    ordinary = submit_again(commitment_item, enterprise, applicant_user)
    with at(2024, 11, 13):
        ordinary = services.application_accept(application=ordinary, actor=officer)
        ordinary = services.application_approve(application=ordinary, actor=officer)
    # Deferred materials are a term of the commitment (附件3 第四条); the ordinary procedure has none.
    assert later_material(ordinary).due_date is None
    assert ordinary.inspection_due is None
    assert revoke_overdue(2025, 6, 1) == []
    assert fresh(ordinary).status == Status.APPROVED
    assert CreditRecord.objects.count() == 1


def test_an_officer_revoking_for_a_false_commitment_records_it_and_bars(approved, commitment_item, enterprise,
                                                                        applicant_user, officer):
    with at(2024, 10, 28):
        revoked = services.application_revoke(application=approved, actor=officer,
                                              reason="核查发现消防设施与承诺不符",
                                              credit_reason=CreditReason.FALSE_COMMITMENT)
    assert revoked.status == Status.REVOKED
    assert revoked.licence.revoked_at == dt.datetime(2024, 10, 28, 10, tzinfo=SHANGHAI)
    record = CreditRecord.objects.get()
    assert (record.reason, record.recorded_by) == (CreditReason.FALSE_COMMITMENT, officer)
    assert revoked.inspection.status == InspectionStatus.CANCELLED
    application = submit_again(commitment_item, enterprise, applicant_user)
    assert application.route == Route.ORDINARY
    assert "作出不实承诺" in application.events.get().reason


def test_an_officer_revoking_without_a_credit_reason_does_not_bar(approved, commitment_item, enterprise,
                                                                  applicant_user, officer):
    services.application_revoke(application=approved, actor=officer, reason="申请人申请注销")
    assert not CreditRecord.objects.exists()
    assert submit_again(commitment_item, enterprise, applicant_user).route == Route.COMMITMENT


def test_a_revocation_needs_a_reason_and_changes_nothing_without_one(approved, officer):
    with pytest.raises(InvalidInput) as exc:
        services.application_revoke(application=approved, actor=officer, reason=" ",
                                    credit_reason=CreditReason.FALSE_COMMITMENT)
    assert exc.value.message == "撤销许可须说明理由。"
    assert fresh(approved).status == Status.APPROVED
    assert fresh(approved).licence.revoked_at is None
    assert not CreditRecord.objects.exists()


# --- unanswered notices lapse (第三条) -----------------------------------------------------------


@pytest.fixture
def notified_before_national_day(commitment_item, enterprise, clerk):
    """Handed its notice at the window on Friday 2024-09-27: commit by 10-08 (9-29 is a make-up Sunday)."""
    with at(2024, 9, 27):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                                  channel=Channel.WINDOW)
    assert application.commitment_due == dt.date(2024, 10, 8)
    return application


def lapse_overdue(year, month, day, hour=1):
    with at(year, month, day, hour):
        return services.applications_lapse_overdue()


def test_the_holiday_does_not_eat_the_time_to_commit(notified_before_national_day):
    assert lapse_overdue(2024, 10, 7) == []
    assert lapse_overdue(2024, 10, 8, 23) == []
    assert fresh(notified_before_national_day).status == Status.NOTICE_ISSUED


def test_an_unanswered_notice_lapses_the_day_after_its_due_date(notified_before_national_day):
    assert lapse_overdue(2024, 10, 9) == [notified_before_national_day.number]
    application = fresh(notified_before_national_day)
    assert application.status == Status.LAPSED
    assert application.closed_at == dt.datetime(2024, 10, 9, 1, tzinfo=SHANGHAI)
    event = application.events.last()
    assert (event.action, event.from_status, event.actor) == ("lapse", Status.NOTICE_ISSUED, None)
    assert "3个工作日内未递交承诺书" in event.reason


def test_lapsing_twice_lapses_once(notified_before_national_day):
    assert lapse_overdue(2024, 10, 9) == [notified_before_national_day.number]
    assert lapse_overdue(2024, 10, 10) == []
    assert notified_before_national_day.events.filter(action="lapse").count() == 1


def test_a_lapsed_application_can_no_longer_be_committed(notified_before_national_day, applicant_user):
    lapse_overdue(2024, 10, 9)
    with pytest.raises(Conflict) as exc:
        services.application_commit(application=notified_before_national_day, actor=applicant_user,
                                    kind="already_meets", confirmations=[True] * 7, signatory="张三")
    assert exc.value.message == "办件当前状态为“逾期未承诺，已终止”，不能进行此操作。"


def test_a_committed_application_never_lapses(commitment_item, enterprise, clerk, officer):
    with at(2024, 9, 27):
        committed = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk,
                                           officer=officer, until=Status.COMMITTED)
    assert lapse_overdue(2024, 10, 9) == []
    assert fresh(committed).status == Status.COMMITTED
