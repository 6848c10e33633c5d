"""The applications API v1 (issue 3), used the way the mobile app and other systems use it: with a token."""
import re
import secrets

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from licensing import services
from licensing.constants import ApplicantKind, MaterialDue, Status
from licensing.models import Applicant, ApplicantMembership, Application, Item, Material
from portal.constants import Role
from supervision.models import CreditRecord
from tests.factories import (
    TEST_PASSWORD, ApplicantFactory, ApplicationFactory, UserFactory, commitment_application, pdf_file, valid_id_number,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


TWO_FACTOR = "django_otp.plugins.otp_static" in settings.INSTALLED_APPS


def second_factor(user) -> dict:
    """Staff send a second factor with the password (issue 4): here a one-off backup code."""
    if not (TWO_FACTOR and user.is_staff_role):
        return {}
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(user=user, name="API测试备用码", defaults={"confirmed": True})
    code = secrets.token_hex(4)
    device.token_set.create(token=code)
    return {"otp": code}


def token_for(user) -> str:
    credentials = {"username": user.username, "password": TEST_PASSWORD, **second_factor(user)}
    response = APIClient().post(f"{API}/auth/token/", credentials, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api():
    """A client signed in with a token as `user` (anonymous without one)."""
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client
    return client_for


def post(client, path, data=None):
    return client.post(f"{API}/applications/{path}", data or {}, format="json")


def upload(client, number, material_name, file=None):
    material = Material.objects.get(item__applications__number=number, name=material_name)
    return client.post(f"{API}/applications/{number}/materials/{material.id}/", {"file": file or pdf_file()},
                       format="multipart")


def refused(response, status, field=None):
    """The refusal's Chinese message, after checking its status and shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert CHINESE.search(body["detail"]), body
    assert set(body) <= {"detail", "field", "errors"}
    if field:
        assert body.get("field") == field, body
    if "errors" in body:  # several at once: the first of them is detail and field
        assert body["errors"][body.get("field", "")][0] == body["detail"], body
    return body["detail"]


def state(application):
    """What a user would notice changing on an application."""
    application.refresh_from_db()
    return (application.status, application.route, application.events.count(), application.documents.count(),
            hasattr(application, "commitment"), sorted(application.materials.values_list("status", flat=True)))


COMMIT = {"kind": "already_meets", "confirmations": [True] * 7, "signatory": "张三"}


@pytest.fixture
def item_officer():
    """An approval officer of another item's authority (item 38, 市行政审批局)."""
    def officer_for(item):
        return UserFactory(role=Role.OFFICER, organisation=item.authorities.first().organisation, full_name="审批员乙")
    return officer_for


# --- tokens -----------------------------------------------------------------------------------


def first_decider(code) -> int:
    """The item's first deciding authority, whose officer `item_officer` makes: an item with alternative
    deciders (QZ-038: 自治区…、市行政审批局、县区…) names the one it is filed with (issue 11)."""
    return Item.objects.get(code=code).authorities.order_by("order").first().organisation_id

def test_the_right_password_gives_a_token_that_opens_the_api(api, applicant_user):
    assert api(applicant_user).get(f"{API}/applications/").status_code == 200


def test_a_wrong_password_is_refused_in_chinese_and_gives_no_token(applicant_user):
    response = APIClient().post(f"{API}/auth/token/", {"username": applicant_user.username, "password": "wrong"},
                                format="json")
    assert "用户名、密码或动态验证码不正确" in refused(response, 400)
    assert not Token.objects.filter(user=applicant_user).exists()


def test_a_missing_password_names_the_field(applicant_user):
    response = APIClient().post(f"{API}/auth/token/", {"username": applicant_user.username}, format="json")
    assert refused(response, 400, "password") == "请填写密码。"


@pytest.mark.skipif(not TWO_FACTOR, reason="the second factor (issue 4) is not installed")
def test_staff_get_no_token_on_a_password_alone(officer):
    response = APIClient().post(f"{API}/auth/token/", {"username": officer.username, "password": TEST_PASSWORD},
                                format="json")
    # The same answer as a wrong password (issue 8): no field tells which part was wrong.
    assert "动态验证码" in refused(response, 400)
    assert not Token.objects.filter(user=officer).exists()


def test_deleting_the_token_signs_the_app_out(api, applicant_user):
    client = api(applicant_user)
    assert client.delete(f"{API}/auth/token/").status_code == 204
    refused(client.get(f"{API}/applications/"), 401)


def test_without_a_token_the_api_answers_401_in_chinese(api):
    refused(api().get(f"{API}/applications/"), 401)
    refused(post(api(), "", {"item": "QZ-013", "applicant": valid_uscc(1)}), 401)


# --- the whole commitment journey -------------------------------------------------------------

def test_online_commitment_journey_across_national_day(api, applicant_user, enterprise, commitment_item, officer, at):
    applicant, desk = api(applicant_user), api(officer)
    with at(2024, 9, 30):
        response = post(applicant, "", {"item": "QZ-013", "applicant": enterprise.identifier})
        assert response.status_code == 201, response.content
        submitted = response.json()
        number = submitted["number"]
        assert (submitted["status"], submitted["route"], submitted["channel"]) == ("submitted", "commitment", "online")
        # 附件3 第三条: a remote application's notice within 3 working days; 10-01..07 are National Day
        assert submitted["deadlines"]["notice_due"] == "2024-10-10"
        assert submitted["applicant"]["identifier"] == enterprise.identifier
        assert len(submitted["query_code"]) == 8
        assert upload(applicant, number, "申请书").json()["status"] == "submitted"
    with at(2024, 10, 8):
        noticed = post(desk, f"{number}/issue-notice/").json()
        assert noticed["status"] == "notice_issued"
        assert noticed["deadlines"]["commitment_due"] == "2024-10-11"  # 3 working days after the notice
    with at(2024, 10, 11, 9):
        upload(applicant, number, "承诺书附件")
        committed = post(applicant, f"{number}/commit/", COMMIT).json()
        assert committed["status"] == "committed"
        assert committed["deadlines"]["decision_due"] == "2024-10-11"  # 附件3 第五条: decided on the spot
    with at(2024, 10, 11, 15):
        decided = post(desk, f"{number}/decide/").json()
    assert decided["status"] == "approved"
    assert decided["licence"]["may_operate_from"] == "2024-10-11"
    # 20 working days from 10-11, counting the make-up Saturday 10-12; inspection 2 calendar months on
    assert decided["deadlines"]["materials_due"] == "2024-11-07"
    assert decided["deadlines"]["inspection_due"] == "2024-12-11"
    assert decided["commitment"]["kind"] == "already_meets"
    assert {d["kind"] for d in decided["documents"]} == {"notice", "commitment", "licence", "decision"}  # issue 12
    assert [e["action"] for e in decided["events"]] == [
        "submit", "submit_material", "issue_notice", "submit_material", "commit", "decide"]
    assert decided["events"][-1]["actor"] == f"审批人员（{officer.organisation.name}）"
    assert decided["events"][4]["actor"] == "张三"
    assert decided["events"][1]["actor"] == "张三" and decided["events"][1]["reason"] == "申请书"
    with at(2024, 10, 20):
        upload(applicant, number, "安全设施说明")
        assert applicant.get(f"{API}/applications/{number}/").json()["deadlines"]["materials_due"] is None


def test_window_commitment_journey_across_spring_festival(api, clerk, commitment_item, officer, at):
    window, desk = api(clerk), api(officer)
    identifier = valid_id_number(7)
    with at(2025, 1, 24):
        response = post(window, "", {"item": "QZ-013", "channel": "window",
                                     "applicant": {"kind": "person", "identifier": identifier, "name": "陈六"}})
        assert response.status_code == 201, response.content
        app = response.json()
        # 一窗受理: the notice is handed over on the spot; the commitment is due 3 working days later,
        # counting the make-up Sunday 01-26 and skipping the Spring Festival (01-28..02-04)
        assert app["status"] == "notice_issued"
        assert app["deadlines"]["notice_due"] == "2025-01-24"
        assert app["deadlines"]["commitment_due"] == "2025-02-05"
        assert app["query_code"]  # the clerk hands it to the applicant present
        assert app["events"][0]["actor"] == f"窗口工作人员（{clerk.organisation.name}）"
    assert not ApplicantMembership.objects.filter(user=clerk).exists()
    number = app["number"]
    with at(2025, 2, 5, 9):
        upload(window, number, "申请书")
        upload(window, number, "承诺书附件")
        committed = post(window, f"{number}/commit/", {**COMMIT, "kind": "will_meet", "meet_by": "2025-03-31",
                                                        "signatory": "陈六"})
        assert committed.json()["deadlines"]["decision_due"] == "2025-02-05"
    with at(2025, 2, 5, 16):
        decided = post(desk, f"{number}/decide/").json()
    assert decided["status"] == "approved"
    # "will meet the conditions by a date": no operating before meeting them (钦政发〔2019〕20号)
    assert decided["licence"]["may_operate_from"] is None
    assert decided["commitment"]["meet_by"] == "2025-03-31"
    # 2 months from 5 February end on Saturday 5 April (清明, 4-6 April off): the next working day,
    # Monday 7 April (民法典 第二百零三条)
    assert decided["deadlines"]["inspection_due"] == "2025-04-07"


def test_an_applicant_registering_a_new_enterprise_may_act_for_it_from_then_on(api, outsider):
    identifier = valid_uscc(99)
    response = post(api(outsider), "", {"item": "QZ-001",
                                         "applicant": {"kind": "enterprise", "identifier": identifier, "name": "新公司"}})
    assert response.status_code == 201, response.content
    assert Applicant.objects.get(identifier=identifier).members.get() == outsider


def test_a_revoked_commitment_with_a_credit_record_sends_the_next_application_the_ordinary_way(
        api, applicant_user, enterprise, commitment_item, officer):
    app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    revoked = post(api(officer), f"{app.number}/revoke/", {"reason": "现场核查发现承诺不实", "credit_reason": "false_commitment"})
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["licence"]["revoked_at"] is not None
    assert CreditRecord.objects.filter(applicant=enterprise).count() == 1
    again = post(api(applicant_user), "", {"item": "QZ-013", "applicant": enterprise.identifier}).json()
    # 附件3 第九条: a recorded applicant may not use notify-and-commit again
    assert again["route"] == "ordinary"
    assert "诚信档案" in again["events"][0]["reason"]


def test_declining_to_commit_after_the_notice_goes_the_ordinary_way(api, applicant_user, colleague, enterprise,
                                                                     commitment_item, officer):
    app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                 until="notice_issued", channel="online")
    chosen = post(api(colleague), f"{app.number}/choose-ordinary/").json()
    assert (chosen["status"], chosen["route"]) == ("submitted", "ordinary")
    assert chosen["deadlines"]["commitment_due"] is None
    assert post(api(colleague), f"{app.number}/withdraw/", {"reason": "暂不开业"}).json()["status"] == "withdrawn"


# --- the other three modes ----------------------------------------------------------------------

def test_a_cancelled_item_is_recorded_at_once_with_its_receipt(api, applicant_user, enterprise):
    app = post(api(applicant_user), "", {"item": "QZ-001", "applicant": enterprise.identifier}).json()
    assert app["status"] == "recorded"
    assert app["reform_mode"] == "cancel"
    assert [d["kind"] for d in app["documents"]] == ["cancel_receipt"]


def test_a_filing_item_is_filed_at_once_with_its_receipt(api, applicant_user, enterprise):
    app = post(api(applicant_user), "", {"item": "QZ-003", "applicant": enterprise.identifier}).json()
    assert (app["status"], app["reform_mode"]) == ("filed", "filing")
    assert [d["kind"] for d in app["documents"]] == ["filing_receipt"]


def test_an_optimised_item_is_reviewed_with_its_clock_paused_by_a_correction(api, applicant_user, enterprise,
                                                                            item_officer, at):
    desk, applicant = api(item_officer(Item.objects.get(seq_no=38))), api(applicant_user)
    with at(2024, 9, 27):
        number = post(applicant, "", {"item": "QZ-038", "applicant": enterprise.identifier, "authority": first_decider("QZ-038")}).json()["number"]
        accepted = post(desk, f"{number}/accept/").json()
    # item 38: 20 → 15 working days, counting the make-up days 09-29 and 10-12
    assert accepted["deadlines"]["decision_due"] == "2024-10-23"
    with at(2024, 10, 9):
        corrected = post(desk, f"{number}/request-correction/", {"reason": "请补充从业人员名单"}).json()
        assert corrected["status"] == "correction"
    with at(2024, 10, 14):
        resumed = post(applicant, f"{number}/resubmit/").json()
    assert resumed["deadlines"]["decision_due"] == "2024-10-29"  # the 10 working days left, from 10-14
    with at(2024, 10, 24):
        assert applicant.get(f"{API}/progress/{number}/", {"code": resumed["query_code"]}).json()["overdue"] is False
        approved = post(desk, f"{number}/approve/").json()
    assert approved["status"] == "approved"
    assert approved["licence"]["number"]
    assert approved["deadlines"]["inspection_due"] is None  # no commitment to check


def test_an_optimised_item_may_be_rejected_with_a_reason(api, applicant_user, enterprise, item_officer):
    desk = api(item_officer(Item.objects.get(seq_no=38)))
    number = post(api(applicant_user), "", {"item": "QZ-038", "applicant": enterprise.identifier, "authority": first_decider("QZ-038")}).json()["number"]
    post(desk, f"{number}/accept/")
    rejected = post(desk, f"{number}/reject/", {"reason": "不符合从业人员条件"}).json()
    assert rejected["status"] == "rejected"
    assert rejected["closing_reason"] == "不符合从业人员条件"


# --- refusals change nothing --------------------------------------------------------------------

@pytest.fixture
def noticed(applicant_user, enterprise, officer):
    return ApplicationFactory(notice_issued=True, applicant=enterprise, actor=applicant_user, officer=officer)


@pytest.fixture
def committed(applicant_user, enterprise, commitment_item, officer):
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  until="committed")


@pytest.mark.parametrize("body, field, message", [
    ({**COMMIT, "confirmations": [True] * 6}, "confirmations", "7项确认"),
    ({**COMMIT, "confirmations": [True] * 6 + [False]}, "confirmations", "7项确认"),
    ({**COMMIT, "signatory": " "}, "signatory", "签署人"),
    ({**COMMIT, "kind": "maybe"}, "kind", "承诺类型"),
    ({**COMMIT, "kind": "will_meet"}, "meet_by", "今天以后"),
])
def test_a_bad_commitment_is_refused_with_its_field_and_changes_nothing(api, applicant_user, noticed, body, field,
                                                                       message):
    before = state(noticed)
    assert message in refused(post(api(applicant_user), f"{noticed.number}/commit/", body), 400, field)
    assert state(noticed) == before


def test_a_commitment_without_its_materials_names_each_missing_one(api, applicant_user, noticed, commitment_item):
    before = state(noticed)
    response = post(api(applicant_user), f"{noticed.number}/commit/", COMMIT)
    refused(response, 400)
    errors = response.json()["errors"]
    for material in commitment_item.materials.exclude(due=MaterialDue.AFTER_DECISION):
        assert material.name in errors[f"materials.{material.pk}"][0], errors
    assert state(noticed) == before


def test_a_commitment_wrong_in_several_ways_is_told_every_one_at_once(api, applicant_user, noticed):
    body = {**COMMIT, "confirmations": [True] * 6 + [False], "signatory": " "}
    response = post(api(applicant_user), f"{noticed.number}/commit/", body)
    refused(response, 400, "confirmations")
    errors = response.json()["errors"]
    assert {"confirmations", "signatory"} <= set(errors) and any(k.startswith("materials.") for k in errors)


def test_a_wrong_check_character_is_refused_and_registers_nobody(api, applicant_user):
    wrong = valid_uscc(5)[:17] + ("0" if valid_uscc(5)[17] != "0" else "1")
    body = {"item": "QZ-013", "applicant": {"kind": "enterprise", "identifier": wrong, "name": "错码公司"}}
    assert "校验位错误" in refused(post(api(applicant_user), "", body), 400, "applicant.identifier")
    assert not Applicant.objects.filter(identifier=wrong).exists()
    assert not Application.objects.exists()


def test_an_unknown_item_is_refused(api, applicant_user, enterprise):
    detail = refused(post(api(applicant_user), "", {"item": "QZ-999", "applicant": enterprise.identifier}), 400, "item")
    assert "QZ-999" in detail


def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(api, applicant_user, noticed, not_a_pdf):
    before = state(noticed)
    refused(upload(api(applicant_user), noticed.number, "申请书", not_a_pdf), 400, "file")
    assert state(noticed) == before


def test_a_rejection_without_a_reason_is_refused(api, applicant_user, enterprise, item_officer):
    desk = api(item_officer(Item.objects.get(seq_no=38)))
    number = post(api(applicant_user), "", {"item": "QZ-038", "applicant": enterprise.identifier, "authority": first_decider("QZ-038")}).json()["number"]
    post(desk, f"{number}/accept/")
    app = Application.objects.get(number=number)
    before = state(app)
    refused(post(desk, f"{number}/reject/", {"reason": "  "}), 400, "reason")
    refused(post(desk, f"{number}/reject/"), 400, "reason")
    assert state(app) == before


@pytest.mark.parametrize("who, action", [
    ("regulator", "decide"), ("applicant_user", "decide"), ("clerk", "decide"),
    ("officer", "withdraw"), ("regulator", "withdraw"),
])
def test_who_may_see_but_not_act_is_refused_with_403(request, api, committed, who, action):
    before = state(committed)
    refused(post(api(request.getfixturevalue(who)), f"{committed.number}/{action}/"), 403)
    assert state(committed) == before


def test_an_officer_cannot_file_applications(api, officer, enterprise):
    refused(post(api(officer), "", {"item": "QZ-013", "applicant": enterprise.identifier}), 403)
    assert not Application.objects.exists()


def test_nobody_files_for_an_enterprise_they_do_not_act_for(api, outsider, enterprise):
    refused(post(api(outsider), "", {"item": "QZ-013", "applicant": enterprise.identifier}), 403, "applicant")
    assert not enterprise.members.filter(pk=outsider.pk).exists()
    assert not Application.objects.exists()


def test_naming_an_enterprise_in_full_claims_it_pending_and_files_without_the_right_to_sign(
        api, outsider, applicant_user, enterprise, commitment_item):
    mine = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    client = api(outsider)
    given = {"kind": "enterprise", "identifier": enterprise.identifier, "name": enterprise.name}
    response = post(client, "", {"item": "QZ-013", "applicant": given})
    assert response.status_code == 201, response.content
    assert ApplicantMembership.objects.get(applicant=enterprise, user=outsider).status == "pending"
    listed = [a["number"] for a in client.get(f"{API}/applications/").json()["results"]]
    assert listed == [response.json()["number"]] and mine.number not in listed  # nothing the enterprise filed


def test_applicants_file_online_only(api, applicant_user, enterprise):
    body = {"item": "QZ-013", "applicant": enterprise.identifier, "channel": "window"}
    refused(post(api(applicant_user), "", body), 403, "channel")
    assert not Application.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "other_officer", "other_regulator"])
def test_those_who_may_not_see_an_application_get_404_whatever_they_try(request, api, committed, who):
    client, before = api(request.getfixturevalue(who)), state(committed)
    missing = refused(client.get(f"{API}/applications/QZ2099-999999/"), 404)
    assert refused(client.get(f"{API}/applications/{committed.number}/"), 404) == missing
    assert refused(post(client, f"{committed.number}/decide/"), 404) == missing
    assert refused(post(client, f"{committed.number}/withdraw/"), 404) == missing
    assert state(committed) == before


def test_deciding_twice_is_a_conflict(api, committed, officer):
    desk = api(officer)
    assert post(desk, f"{committed.number}/decide/").status_code == 200
    before = state(committed)
    assert "准予许可" in refused(post(desk, f"{committed.number}/decide/"), 409)
    assert state(committed) == before


def test_committing_before_the_notice_is_a_conflict(api, applicant_user, enterprise, commitment_item):
    number = post(api(applicant_user), "", {"item": "QZ-013", "applicant": enterprise.identifier}).json()["number"]
    app = Application.objects.get(number=number)
    upload(api(applicant_user), number, "申请书")
    upload(api(applicant_user), number, "承诺书附件")
    before = state(app)
    refused(post(api(applicant_user), f"{number}/commit/", COMMIT), 409)
    assert state(app) == before


def test_committing_after_the_three_working_days_is_a_conflict(api, applicant_user, enterprise, commitment_item,
                                                               officer, at):
    with at(2024, 10, 8):
        app = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, until="notice_issued", channel="online")
    with at(2024, 10, 14):  # due 10-11
        before = state(app)
        assert "已过" in refused(post(api(applicant_user), f"{app.number}/commit/", COMMIT), 409)
    assert state(app) == before


def test_a_window_application_for_an_item_without_notice_content_registers_nobody(api, clerk):
    identifier = valid_uscc(77)
    body = {"item": "QZ-004", "applicant": {"kind": "enterprise", "identifier": identifier, "name": "影院公司"}}
    assert "告知内容不完整" in refused(post(api(clerk), "", body), 409)
    assert not Applicant.objects.filter(identifier=identifier).exists()


def test_odd_input_is_refused_with_a_message_never_a_server_error(api, applicant_user, noticed):
    client = api(applicant_user)
    # A NUL byte in the address is refused before any lookup (issue 8: PostgreSQL cannot take it).
    assert "空字符" in refused(client.get(f"{API}/applications/QZ%00/"), 400)
    assert "空字符" in refused(api().get(f"{API}/progress/QZ%00/", {"code": "码\x00"}), 400)
    refused(client.post(f"{API}/applications/{noticed.number}/materials/{'9' * 30}/", {"file": pdf_file()},
                        format="multipart"), 400, "material_id")
    nul_signatory = post(client, f"{noticed.number}/commit/", {**COMMIT, "signatory": "张\x00"})
    assert "空字符" in refused(nul_signatory, 400, "signatory")
    refused(post(client, "", {"item": "QZ-013", "applicant": 123}), 400, "applicant")
    refused(post(client, "", ["not", "an", "object"]), 400)


# --- public progress ----------------------------------------------------------------------------

def test_progress_with_the_right_code_shows_status_and_dates_but_nobody_personal(api, committed):
    response = api().get(f"{API}/progress/{committed.number}/", {"code": committed.query_code.lower()})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["item"]["code"]) == ("committed", "QZ-013")
    assert body["deadlines"]["decision_due"] == committed.decision_due.isoformat()
    text = response.content.decode()
    for personal in (committed.applicant.name, committed.applicant.identifier, committed.applicant.identifier[-4:],
                     "张三", committed.query_code):
        assert personal not in text


def test_progress_with_a_wrong_code_or_number_says_the_same_404(api, committed):
    wrong_code = refused(api().get(f"{API}/progress/{committed.number}/", {"code": "WRONG123"}), 404)
    no_code = refused(api().get(f"{API}/progress/{committed.number}/"), 404)
    unknown = refused(api().get(f"{API}/progress/QZ2099-999999/", {"code": committed.query_code}), 404)
    assert wrong_code == no_code == unknown


# --- personal data -----------------------------------------------------------------------------

def test_the_regulator_sees_the_identifier_masked_and_staff_no_query_code(api, committed, officer, regulator):
    body = api(regulator).get(f"{API}/applications/{committed.number}/").json()
    assert body["applicant"]["identifier"] != committed.applicant.identifier
    assert body["applicant"]["identifier"][-4:] == committed.applicant.identifier[-4:]
    for user in (officer, regulator):
        assert api(user).get(f"{API}/applications/{committed.number}/").json()["query_code"] is None


def test_the_deciding_officer_sees_whom_the_licence_is_for(api, committed, officer):
    body = api(officer).get(f"{API}/applications/{committed.number}/").json()
    assert body["applicant"]["identifier"] == committed.applicant.identifier


@pytest.mark.parametrize("who", ["outsider", "other_officer", "other_regulator"])
def test_others_lists_hold_nothing_of_the_enterprise(request, api, committed, who):
    response = api(request.getfixturevalue(who)).get(f"{API}/applications/")
    assert response.json()["count"] == 0
    assert committed.applicant.name not in response.content.decode()


PERSONAS = ["applicant_user", "colleague", "outsider", "clerk", "officer", "other_officer", "regulator",
            "other_regulator", "admin_user"]


def test_every_list_holds_exactly_what_its_reader_may_view(request, api, committed, applicant_user, commitment_item):
    other = ApplicantFactory(kind=ApplicantKind.ENTERPRISE, members=[request.getfixturevalue("outsider")])
    services.application_submit(item=Item.objects.get(seq_no=38), applicant=other,
                                actor=request.getfixturevalue("outsider"))
    for who in PERSONAS:
        user = request.getfixturevalue(who)
        listed = {a["number"] for a in api(user).get(f"{API}/applications/").json()["results"]}
        allowed = {a.number for a in Application.objects.all() if user.has_perm("licensing.view_application", a)}
        assert listed == allowed, who


def test_the_list_filters_by_status_and_item(api, applicant_user, enterprise, committed):
    client = api(applicant_user)
    post(client, "", {"item": "QZ-001", "applicant": enterprise.identifier})
    by_status = client.get(f"{API}/applications/", {"status": "recorded"}).json()["results"]
    assert [a["item"]["code"] for a in by_status] == ["QZ-001"]
    by_item = client.get(f"{API}/applications/", {"item": "QZ-013"}).json()["results"]
    assert [a["number"] for a in by_item] == [committed.number]
    refused(client.get(f"{API}/applications/", {"status": "nonsense"}), 400, "status")


def test_the_applicant_sees_its_own_identifier_and_query_code(api, colleague, committed):
    body = api(colleague).get(f"{API}/applications/{committed.number}/").json()
    assert body["applicant"]["identifier"] == committed.applicant.identifier
    assert body["query_code"] == committed.query_code
    assert Status(body["status"]) == Status.COMMITTED


def test_repeated_wrong_passwords_lock_the_account_out_of_the_api_too(applicant_user):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(f"{API}/auth/token/", {"username": applicant_user.username, "password": "wrong"}, format="json")
    response = client.post(f"{API}/auth/token/", {"username": applicant_user.username, "password": TEST_PASSWORD},
                           format="json")
    refused(response, 429)
    assert not Token.objects.filter(user=applicant_user).exists()


def test_lists_mask_every_identifier_even_for_the_clerk(api, clerk, committed):
    rows = api(clerk).get(f"{API}/applications/").json()["results"]
    row = next(r for r in rows if r["number"] == committed.number)
    assert row["applicant"]["identifier"] == committed.applicant.masked_identifier
    assert committed.applicant.identifier not in str(rows)
