"""Every write names its actor (issue 4, 安全审计): registering an applicant, binding an account at
the window, handing in and replacing materials, credit records and their repair, issuing an API
token. The beat job is the one writer with no person behind it: its rows name nobody.
"""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import services
from licensing.constants import ApplicantKind, MaterialDue, Status
from licensing.models import Applicant, ApplicationEvent
from licensing.tasks import revoke_for_overdue_materials
from portal.models import AuditAction, AuditEvent
from supervision.constants import CreditReason
from supervision.models import CreditRecord, CreditRepairRule
from supervision.services import credit_record_create, credit_record_repair
from tests.factories import (
    TEST_PASSWORD, ApplicantFactory, ApplicationFactory, commitment_application, pdf_file, second_factor_code,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def rows(action, obj=None):
    qs = AuditEvent.objects.filter(action=action).order_by("at", "id")
    if obj is not None:
        qs = qs.filter(object_id=str(obj.pk), object_type=f"{obj._meta.app_label}.{obj._meta.model_name}")
    return list(qs)


# --- registering an applicant, binding an account ----------------------------------------------

def test_registering_an_applicant_online_names_the_account_that_did_it(login, applicant_user):
    uscc = valid_uscc("audit-1")
    response = login(applicant_user).post(reverse("my-applicants"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": uscc, "name": "钦州市审计测试有限公司"})
    assert response.status_code == 302, response.content.decode()
    applicant = Applicant.objects.get(identifier=uscc)
    [registered] = rows(AuditAction.APPLICANT_REGISTER, applicant)
    assert (registered.actor, registered.role, registered.outcome) == (applicant_user, "applicant", "success")
    # the account that registered it may act for it from now on: that is a binding, by the same account
    [bound] = rows(AuditAction.ACCOUNT_BIND, applicant)
    assert bound.actor == applicant_user and bound.details["account"] == applicant_user.username
    assert uscc not in registered.object_repr + str(registered.details)  # identifiers are masked in the trail


def test_registering_an_applicant_already_registered_by_the_same_account_writes_nothing_more(login, applicant_user):
    uscc = valid_uscc("audit-2")
    client = login(applicant_user)
    form = {"kind": ApplicantKind.ENTERPRISE, "identifier": uscc, "name": "钦州市审计测试有限公司"}
    client.post(reverse("my-applicants"), form)
    client.post(reverse("my-applicants"), form)
    applicant = Applicant.objects.get(identifier=uscc)
    assert len(rows(AuditAction.APPLICANT_REGISTER, applicant)) == 1
    assert len(rows(AuditAction.ACCOUNT_BIND, applicant)) == 1


def test_the_service_names_the_clerk_who_registers_at_the_window_and_binds_nobody(clerk):
    applicant = services.applicant_register(kind=ApplicantKind.ENTERPRISE, identifier=valid_uscc("audit-3"),
                                            name="窗口登记有限公司", actor=clerk)
    [registered] = rows(AuditAction.APPLICANT_REGISTER, applicant)
    assert (registered.actor, registered.role) == (clerk, "clerk")
    assert rows(AuditAction.ACCOUNT_BIND, applicant) == []


def test_a_refused_registration_writes_no_audit_row(login, applicant_user, colleague):
    taken = ApplicantFactory(members=[colleague])
    response = login(applicant_user).post(reverse("my-applicants"), {  # an enterprise's code as a person's
        "kind": ApplicantKind.PERSON, "identifier": taken.identifier, "name": taken.name})
    assert response.status_code in (400, 403, 409)
    assert rows(AuditAction.APPLICANT_REGISTER) == [] and rows(AuditAction.ACCOUNT_BIND) == []


def test_binding_an_account_at_the_window_names_the_clerk_and_the_account(login, clerk, enterprise, outsider):
    response = login(clerk).post(reverse("window-bind-account", args=[enterprise.pk]), {"username": outsider.username})
    assert response.status_code == 302, response.content.decode()
    assert enterprise.members.filter(pk=outsider.pk).exists()
    [bound] = rows(AuditAction.ACCOUNT_BIND, enterprise)
    assert (bound.actor, bound.role, bound.details["account"]) == (clerk, "clerk", outsider.username)
    assert bound.details["path"] == reverse("window-bind-account", args=[enterprise.pk])


def test_binding_the_same_account_twice_writes_one_row(login, clerk, enterprise, outsider):
    client = login(clerk)
    for _ in range(2):
        client.post(reverse("window-bind-account", args=[enterprise.pk]), {"username": outsider.username})
    assert len(rows(AuditAction.ACCOUNT_BIND, enterprise)) == 1


def test_binding_an_account_that_does_not_exist_writes_no_row(login, clerk, enterprise):
    response = login(clerk).post(reverse("window-bind-account", args=[enterprise.pk]), {"username": "nobody-here"})
    assert response.status_code == 400
    assert rows(AuditAction.ACCOUNT_BIND) == []


# --- materials ---------------------------------------------------------------------------------

@pytest.fixture
def submitted(commitment_item, enterprise, applicant_user, officer):
    """Item 13 filed online by applicant_user: its 申请书 may be handed in on its own."""
    return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)


def application_form(application):
    return application.materials.select_related("material").get(material__due=MaterialDue.AT_APPLICATION)


def test_handing_in_and_replacing_a_material_names_each_actor(client, login, submitted, applicant_user, colleague):
    owed = application_form(submitted)
    url = reverse("web-application-material-upload", args=[submitted.number, owed.material_id])
    assert login(applicant_user).post(url, {"file": pdf_file("申请书.pdf")}).status_code == 302
    client.logout()
    assert login(colleague).post(url, {"file": pdf_file("申请书-修改.pdf")}).status_code == 302

    events = list(ApplicationEvent.objects.filter(application=submitted, action__in=["submit_material",
                                                                                      "replace_material"]))
    assert [(e.action, e.actor, e.reason) for e in events] == [
        ("submit_material", applicant_user, "申请书"), ("replace_material", colleague, "申请书")]
    assert all(e.from_status == e.to_status == Status.SUBMITTED for e in events)  # not a state change
    trail = rows(AuditAction.MATERIAL_SUBMIT, submitted)
    assert [(r.actor, r.details["event"]) for r in trail] == [
        (applicant_user, "submit_material"), (colleague, "replace_material")]
    assert not [r for r in rows(AuditAction.STATE_CHANGE, submitted) if r.details["event"].endswith("_material")]


def test_a_material_handed_in_through_the_api_by_the_clerk_names_the_clerk(login, submitted, clerk):
    owed = application_form(submitted)
    response = login(clerk).post(f"{API}/applications/{submitted.number}/materials/{owed.material_id}/",
                                 {"file": pdf_file()})
    assert response.status_code == 200, response.content
    event = ApplicationEvent.objects.get(application=submitted, action="submit_material")
    assert event.actor == clerk
    [row] = rows(AuditAction.MATERIAL_SUBMIT, submitted)
    assert (row.actor, row.role) == (clerk, "clerk")


def test_a_refused_material_writes_no_event_and_no_row(login, submitted, applicant_user, not_a_pdf):
    owed = application_form(submitted)
    url = reverse("web-application-material-upload", args=[submitted.number, owed.material_id])
    assert login(applicant_user).post(url, {"file": not_a_pdf}).status_code == 400
    assert not ApplicationEvent.objects.filter(application=submitted, action__endswith="_material").exists()
    assert rows(AuditAction.MATERIAL_SUBMIT) == []


def test_the_materials_handed_in_with_the_commitment_name_who_signed(commitment_item, enterprise, applicant_user,
                                                                      officer):
    application = ApplicationFactory(committed=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    trail = rows(AuditAction.MATERIAL_SUBMIT, application)
    assert len(trail) == 2 and {r.actor for r in trail} == {applicant_user}


# --- credit records ----------------------------------------------------------------------------

@pytest.fixture
def decided(commitment_item, enterprise, clerk, officer, at):
    """Decided at the window on 2024-10-14; its 安全设施说明 is due 2024-11-11 (20 working days)."""
    with at(2024, 10, 14):
        return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)


def test_a_credit_record_names_who_recorded_it_once(decided, enterprise, regulator):
    record = credit_record_create(applicant=enterprise, application=decided, reason=CreditReason.FALSE_COMMITMENT,
                                  actor=regulator, details="核查发现承诺不实")
    again = credit_record_create(applicant=enterprise, application=decided, reason=CreditReason.FALSE_COMMITMENT,
                                 actor=regulator, details="核查发现承诺不实")
    assert again == record and record.recorded_by == regulator
    [row] = rows(AuditAction.CREDIT_RECORD, record)
    assert (row.actor, row.role, row.details["application"]) == (regulator, "regulator", decided.number)


def test_credit_records_without_an_application_are_each_the_applicants_own(enterprise, regulator, other_regulator):
    """Two applicants put in the 诚信档案 on the same ground, neither through an application: two records."""
    other = ApplicantFactory()
    first = credit_record_create(applicant=enterprise, reason=CreditReason.FALSE_COMMITMENT, actor=regulator)
    second = credit_record_create(applicant=other, reason=CreditReason.FALSE_COMMITMENT, actor=other_regulator)
    assert (first.applicant, second.applicant) == (enterprise, other)
    assert [r.actor for r in rows(AuditAction.CREDIT_RECORD)] == [regulator, other_regulator]


def test_revoking_with_a_credit_record_on_the_page_names_the_officer(login, decided, officer):
    response = login(officer).post(reverse("web-application-revoke", args=[decided.number]), {
        "reason": "核查发现承诺内容不实。", "credit_reason": CreditReason.FALSE_COMMITMENT})
    assert response.status_code == 302, response.content.decode()
    record = CreditRecord.objects.get(application=decided)
    assert record.recorded_by == officer
    [row] = rows(AuditAction.CREDIT_RECORD, record)
    assert (row.actor, row.role) == (officer, "officer")
    revoked = [r for r in rows(AuditAction.STATE_CHANGE, decided) if r.details["event"] == "revoke"]
    assert [r.actor for r in revoked] == [officer]


def test_the_overdue_materials_job_records_credit_in_nobodys_name_once(decided, at):
    with at(2024, 11, 12, 2):
        assert revoke_for_overdue_materials.run() == [decided.number]
        assert revoke_for_overdue_materials.run() == []
    record = CreditRecord.objects.get(application=decided)
    assert record.recorded_by is None and record.reason == CreditReason.MISSING_MATERIALS
    [row] = rows(AuditAction.CREDIT_RECORD, record)
    assert (row.actor, row.actor_display, row.role, row.ip_address) == (None, "", "", None)
    [revoked] = [r for r in rows(AuditAction.STATE_CHANGE, decided) if r.details["event"] == "revoke"]
    assert revoked.actor is None
    event = ApplicationEvent.objects.get(application=decided, action="revoke")
    assert event.actor is None


@pytest.fixture
def repair_open():
    """An admin opened repair of this kind of record (the default, 附件3 第九条, allows none)."""
    CreditRepairRule.objects.update_or_create(reason=CreditReason.MISSING_MATERIALS, defaults={
        "repairable": True, "after_months": 0, "basis": "某信用修复办法第五条（测试）"})


@pytest.mark.usefixtures("repair_open")
def test_repairing_credit_names_who_repaired_it_once(decided, enterprise, admin_user):
    record = credit_record_create(applicant=enterprise, application=decided, reason=CreditReason.MISSING_MATERIALS,
                                  actor=None)
    credit_record_repair(record=record, actor=admin_user, note="已补交材料，准予修复")
    credit_record_repair(record=record, actor=admin_user, note="再次修复")
    [row] = rows(AuditAction.CREDIT_REPAIR, record)
    assert (row.actor, row.role, row.details["note"]) == (admin_user, "admin", "已补交材料，准予修复")


def test_a_repair_without_a_reason_is_refused_and_writes_no_row(decided, enterprise, admin_user):
    from portal.exceptions import InvalidInput

    record = credit_record_create(applicant=enterprise, application=decided, reason=CreditReason.MISSING_MATERIALS,
                                  actor=None)
    with pytest.raises(InvalidInput):
        credit_record_repair(record=record, actor=admin_user, note="  ")
    assert rows(AuditAction.CREDIT_REPAIR) == []


@pytest.mark.usefixtures("repair_open")
def test_repairing_in_the_admin_names_the_admin(login, decided, enterprise, admin_user):
    record = credit_record_create(applicant=enterprise, application=decided, reason=CreditReason.MISSING_MATERIALS,
                                  actor=None)
    login(admin_user).post(reverse("admin:supervision_creditrecord_changelist"),
                           {"action": "repair", "_selected_action": [record.pk]})
    [row] = rows(AuditAction.CREDIT_REPAIR, record)
    assert row.actor == admin_user


# --- API tokens --------------------------------------------------------------------------------

def ask_for_token(user, **extra):
    return APIClient().post(f"{API}/auth/token/", {"username": user.username, "password": TEST_PASSWORD, **extra},
                            format="json")


def test_issuing_a_token_is_recorded_once_while_it_lives(applicant_user, at):
    with at(2024, 10, 14, 9):
        first = ask_for_token(applicant_user)
    with at(2024, 10, 14, 15):
        second = ask_for_token(applicant_user)
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] == second.json()["token"]
    [row] = rows(AuditAction.TOKEN_ISSUE)
    assert (row.actor, row.role, row.object_id) == (applicant_user, "applicant", str(applicant_user.pk))
    assert row.details["path"] == f"{API}/auth/token/"


def test_a_token_issued_after_the_old_one_expired_is_recorded_again(applicant_user, at):
    with at(2024, 10, 14, 9):
        first = ask_for_token(applicant_user).json()["token"]
    with at(2024, 10, 15, 9):  # 24 hours later: past the 12-hour lifetime
        second = ask_for_token(applicant_user).json()["token"]
    assert first != second
    assert [r.actor for r in rows(AuditAction.TOKEN_ISSUE)] == [applicant_user, applicant_user]


def test_a_token_for_staff_is_recorded_with_its_role(officer):
    assert ask_for_token(officer, otp=second_factor_code(officer)).status_code == 200
    [row] = rows(AuditAction.TOKEN_ISSUE)
    assert (row.actor, row.role) == (officer, "officer")


def test_a_refused_token_request_issues_no_token_row(applicant_user, officer):
    wrong = APIClient().post(f"{API}/auth/token/", {"username": applicant_user.username, "password": "wrong"},
                             format="json")
    no_otp = ask_for_token(officer)
    assert wrong.status_code == no_otp.status_code == 400
    assert rows(AuditAction.TOKEN_ISSUE) == []
