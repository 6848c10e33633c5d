"""Issue 10, the services: the regulator assigns a check to two inspectors and records what they found;
a rectification sets a deadline in working days, a re-inspection comes after it, a failure asks the
approving authority to revoke, whose revocation writes the credit record and closes the request.
"""
import datetime as dt
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing import services as licensing_services
from licensing.models import Item
from notices.constants import DocumentKind
from notices.models import Document
from portal.constants import Role
from portal.exceptions import Conflict, InvalidInput, NotAllowed
from portal.models import AuditAction, AuditEvent
from supervision import services
from supervision.constants import FailureGround, InspectionStatus, RevocationRequestStatus
from supervision.models import CreditRecord, InspectionFile, InspectionResult, RevocationRequest
from tests.factories import ApplicationFactory, UserFactory, ready_commitment_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague_inspector(regulator):
    return UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="第二核查员")


@pytest.fixture
def inspection(at, commitment_item, enterprise, applicant_user, officer):
    with at(2024, 10, 14, 10):  # a Monday
        decided = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    return decided.inspection


@pytest.fixture
def assigned(inspection, regulator, colleague_inspector):
    return services.inspection_assign(inspection=inspection, inspectors=[regulator, colleague_inspector],
                                      actor=regulator)


def photo(name="现场.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0" + b"0" * 64, content_type="image/jpeg")


def test_a_decision_schedules_the_check_for_its_regulator_and_authority(inspection, regulator, officer):
    assert (inspection.regulator, inspection.authority, inspection.status) == (
        regulator.organisation, officer.organisation, InspectionStatus.PENDING)
    assert inspection.full_coverage is True  # item 13 is among items 4-19 (全覆盖例行检查)


def test_items_4_to_19_get_a_full_coverage_check(enterprise, applicant_user):
    item = ready_commitment_item(seq_no=4)
    decided = ApplicationFactory(decided=True, item=item, applicant=enterprise, actor=applicant_user)
    assert decided.inspection.full_coverage is True
    Item.objects.filter(pk=item.pk).update(seq_no=120)  # an item an admin numbered past the gazette's 4-19
    later = ApplicationFactory(decided=True, item=Item.objects.get(pk=item.pk), applicant=enterprise,
                               actor=applicant_user)
    assert later.inspection.full_coverage is False


def test_a_check_is_made_by_two_inspectors_of_the_regulators_own_organisation(inspection, regulator, other_regulator):
    with pytest.raises(InvalidInput) as one:
        services.inspection_assign(inspection=inspection, inspectors=[regulator], actor=regulator)
    assert "2名以上" in one.value.message and one.value.field == "inspectors"
    with pytest.raises(InvalidInput) as stranger:
        services.inspection_assign(inspection=inspection, inspectors=[regulator, other_regulator], actor=regulator)
    assert str(other_regulator) in stranger.value.message
    assert not inspection.inspectors.exists()


def test_only_the_routed_regulator_works_the_check(inspection, other_regulator, officer, colleague_inspector):
    for actor in (other_regulator, officer):
        with pytest.raises(NotAllowed):
            services.inspection_assign(inspection=inspection, inspectors=[other_regulator, colleague_inspector],
                                       actor=actor)


def test_assigning_is_audited_with_the_inspectors(assigned, regulator, colleague_inspector):
    event = AuditEvent.objects.get(action=AuditAction.INSPECTION_ASSIGN)
    assert event.actor == regulator
    assert set(event.details["inspectors"]) == {regulator.username, colleague_inspector.username}
    assert set(assigned.inspectors.all()) == {regulator, colleague_inspector}


def test_no_result_is_recorded_before_two_inspectors_are_assigned(inspection, regulator):
    with pytest.raises(Conflict) as refused:
        services.inspection_record_result(inspection=inspection, actor=regulator, outcome="conforms", note="属实")
    assert "指派" in refused.value.message
    assert not InspectionResult.objects.exists()


def test_a_check_that_conforms_closes_the_inspection_with_its_record(assigned, regulator, colleague_inspector, at):
    with at(2024, 11, 4, 15):
        result = services.inspection_record_result(inspection=assigned, actor=regulator, outcome="conforms",
                                                   note="经营场所、安全设施与承诺一致。")
    assigned.refresh_from_db()
    assert assigned.status == InspectionStatus.PASSED and assigned.closed_at is not None
    assert colleague_inspector.full_name in result.inspector_names
    record = Document.objects.get(application=assigned.application, kind=DocumentKind.INSPECTION_RECORD)
    assert "经营场所、安全设施与承诺一致" in record.html and regulator.organisation.name in record.html
    with pytest.raises(Conflict):  # closed: a second result is refused and nothing is added
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="conforms", note="again")
    assert InspectionResult.objects.count() == 1


def test_every_bad_field_of_a_result_is_named_at_once_and_nothing_is_written(assigned, regulator):
    fake = SimpleUploadedFile("伪装.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput) as refused:
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="rectify", note=" ",
                                          rectify_within_days="abc", files=[fake])
    assert set(refused.value.errors) == {"note", "rectify_within_days", "files"}
    with pytest.raises(InvalidInput) as unknown:
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="maybe", note="x")
    assert unknown.value.field == "outcome"
    assert not InspectionResult.objects.exists() and not InspectionFile.objects.exists()


@pytest.mark.parametrize("days", [0, 61, "-3"])
def test_a_rectification_deadline_is_between_1_and_60_working_days(assigned, regulator, days):
    with pytest.raises(InvalidInput) as refused:
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="rectify", note="整改",
                                          rectify_within_days=days)
    assert refused.value.field == "rectify_within_days"


def test_a_rectification_counts_its_deadline_in_working_days_and_notifies_the_applicant(assigned, regulator, at):
    with at(2024, 9, 27, 10):  # Friday before 国庆 2024: 9-29 (Sun) and 9-30 work, 10-1..7 off
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="rectify",
                                          note="消防通道被占用。", rectify_within_days=3, files=[photo()])
    assigned.refresh_from_db()
    assert (assigned.status, assigned.rectify_due) == (InspectionStatus.RECTIFY, dt.date(2024, 10, 8))
    notice = Document.objects.get(application=assigned.application, kind=DocumentKind.RECTIFICATION)
    assert "2024年10月8日" in notice.html and "消防通道被占用" in notice.html
    [stored] = InspectionFile.objects.all()
    assert stored.content_type == "image/jpeg" and stored.file.name.startswith("inspections/")
    assert default_storage.exists(stored.file.name)


def test_the_re_inspection_comes_after_the_deadline_and_a_failure_asks_the_authority_to_revoke(
        assigned, regulator, officer, at):
    with at(2024, 10, 21, 10):
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="rectify", note="缺灭火器",
                                          rectify_within_days=5)
    assigned.refresh_from_db()
    assert assigned.rectify_due == dt.date(2024, 10, 28)
    with at(2024, 10, 28, 16), pytest.raises(Conflict) as early:  # the deadline's own day: not yet
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="fails", note="未整改")
    assert "届满后" in early.value.message
    with at(2024, 10, 29, 9):
        result = services.inspection_record_result(inspection=assigned, actor=regulator, outcome="fails",
                                                   note="复查仍未配置灭火器。", ground=FailureGround.STILL_NONCONFORMING)
    assert result.is_reinspection
    request = RevocationRequest.objects.get()
    assert (request.application, request.ground, request.status) == (
        assigned.application, FailureGround.STILL_NONCONFORMING, RevocationRequestStatus.OPEN)
    assert Document.objects.filter(application=assigned.application, kind=DocumentKind.REINSPECTION_RECORD).exists()
    assert AuditEvent.objects.filter(action=AuditAction.REVOCATION_REQUEST, actor=regulator).count() == 1


def test_the_authoritys_revocation_closes_the_request_and_bars_the_applicant(assigned, regulator, officer, enterprise,
                                                                          applicant_user, commitment_item):
    services.inspection_record_result(inspection=assigned, actor=regulator, outcome="fails", note="承诺已具备条件，实际不具备。")
    licensing_services.application_revoke(application=assigned.application, actor=officer, reason="核查发现承诺不实")
    request = RevocationRequest.objects.get()
    assert (request.status, request.closed_by) == (RevocationRequestStatus.REVOKED, officer)
    assert CreditRecord.objects.get(application=assigned.application).reason == "false_commitment"
    assert services.revocation_request_close(application=assigned.application, actor=officer) is None  # twice: no change
    again = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert again.route == "ordinary"  # 附件3 第九条: no more notify-and-commit


def test_a_revocation_for_another_cause_cancels_the_open_check_and_no_result_can_follow(assigned, regulator, officer):
    licensing_services.application_revoke(application=assigned.application, actor=officer, reason="材料逾期未交")
    assigned.refresh_from_db()
    closed_at = assigned.closed_at
    services.inspection_cancel(application=assigned.application)  # twice: one effect
    assigned.refresh_from_db()
    assert (assigned.status, assigned.closed_at) == (InspectionStatus.CANCELLED, closed_at)
    with pytest.raises(Conflict):
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="fails", note="承诺不实")
    assert not RevocationRequest.objects.exists()


def stored_inspection_files() -> set:
    found = set()
    if default_storage.exists("inspections"):
        for year in default_storage.listdir("inspections")[0]:
            for month in default_storage.listdir(f"inspections/{year}")[0]:
                found |= {f"{year}/{month}/{name}" for name in default_storage.listdir(f"inspections/{year}/{month}")[1]}
    return found


def test_a_failed_result_leaves_no_file_behind(assigned, regulator, monkeypatch):
    before = stored_inspection_files()

    def broken(**kwargs):
        raise RuntimeError("documents down")

    monkeypatch.setattr("supervision.inspections.document_issue", broken)
    with pytest.raises(RuntimeError):
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="conforms", note="属实",
                                          files=[photo()])
    assert not InspectionFile.objects.exists()
    assert stored_inspection_files() == before



def test_still_not_conforming_is_a_ground_only_after_a_rectification(assigned, regulator):
    with pytest.raises(InvalidInput) as refused:
        services.inspection_record_result(inspection=assigned, actor=regulator, outcome="fails", note="不符",
                                          ground=FailureGround.STILL_NONCONFORMING)
    assert refused.value.field == "ground"
    assert not RevocationRequest.objects.exists()


def test_assigning_the_same_inspectors_again_changes_nothing(assigned, regulator, colleague_inspector):
    assigned_at = assigned.assigned_at
    again = services.inspection_assign(inspection=assigned, inspectors=[colleague_inspector, regulator], actor=regulator)
    assert again.assigned_at == assigned_at
    assert AuditEvent.objects.filter(action=AuditAction.INSPECTION_ASSIGN).count() == 1
