"""Issue 11's steps through the applications API (v1), with a token as the mobile app and other systems
use it: POST /api/v1/applications/{number}/<step>/, and what the application's detail now tells.

Refusals answer in the API's one shape ({"detail", "field", "errors"}), in Chinese, and change nothing:
400 for bad input (the field named), 409 for a step the application is not ready for, 403 for a user
who sees the application but may not take the step, 404 for one who may not see it.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from licensing import selectors, services
from licensing.constants import Action, ReviewOpinion, Status
from licensing.models import Application, ApplicationEvent, Item
from supervision.constants import CreditReason
from supervision.models import CreditRecord
from tests.factories import TEST_PASSWORD, commitment_application, pdf_file, second_factor_code
from tests.licensing.issue11_world import (
    CITY_POLICE, COUNTY_POLICE, REGION_POLICE, at_first_review, in_days, mailed_notice, officer_of, org,
    regulated_filing, submit, untrue_filing, will_meet_licence,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api():
    """A client holding a token of `user` (staff with their second factor, issue 4)."""
    def client_for(user):
        credentials = {"username": user.username, "password": TEST_PASSWORD}
        if user.is_staff_role:
            credentials["otp"] = second_factor_code(user)
        token = APIClient().post(f"{API}/auth/token/", credentials, format="json").json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client
    return client_for


def step(client, application, name, data=None):
    return client.post(f"{API}/applications/{application.number}/{name}/", data or {}, format="json")


def detail(client, application) -> dict:
    response = client.get(f"{API}/applications/{application.number}/")
    assert response.status_code == 200, response.content
    return response.json()


def refused(response, status, field=None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    if field is not None:
        assert body["field"] == field, body
    return body


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def brief(code) -> dict:
    organisation = org(code)
    return {"id": organisation.pk, "name": organisation.name}


# --- 谁审批、谁负责 ----------------------------------------------------------------------------------

def test_the_first_review_forwards_through_the_api_and_only_the_decider_approves(api, enterprise, applicant_user):
    """附件2 序号46 "自治区公安厅审批，市人民政府公安部门初审"; 行政许可法 第三十五条. The detail names the authority
    and the one examining; the city police forwards (not the region: 403), cannot approve meanwhile
    (409) nor after (403); its opinion is in `reviews`; the region approves in its own name."""
    city, region = officer_of("C02"), officer_of("R01")
    application = at_first_review(enterprise, applicant_user, city)
    as_city, as_region = api(city), api(region)

    shown = detail(as_city, application)
    assert (shown["authority"], shown["entrusted"], shown["reviewing"]) == (brief("R01"), None, brief("C02"))
    assert shown["allowed_actions"] == ["forward", "request_correction"]
    assert detail(as_region, application)["allowed_actions"] == []
    refused(step(as_region, application, "forward", {"opinion": "agree"}), 403)
    refused(step(as_city, application, "approve"), 409)

    forwarded = step(as_city, application, "forward", {"opinion": "agree", "comments": "材料齐全。"})
    assert forwarded.status_code == 200, forwarded.content
    body = forwarded.json()
    assert body["reviewing"] is None and body["allowed_actions"] == []
    [review] = body["reviews"]
    assert (review["organisation"], review["role"], review["opinion"], review["comments"]) == (
        brief("C02"), "preliminary", "agree", "材料齐全。")
    assert review["forwarded_at"] is not None
    refused(step(as_city, application, "approve"), 403)

    assert "approve" in detail(as_region, application)["allowed_actions"]
    approved = step(as_region, application, "approve")
    assert approved.status_code == 200 and approved.json()["status"] == Status.APPROVED


def test_item_75_goes_up_stage_by_stage_through_the_api(api, enterprise, applicant_user, officer):
    """附件2 序号75 "自治区公安厅审批，市人民政府公安部门审核，县区人民政府公安部门审查": the county (item 13's
    officer's organisation) examines, the city verifies, the region decides; each opinion is listed."""
    city, region = officer_of("C02"), officer_of("R01")
    application = services.application_accept(application=submit("QZ-075", enterprise, applicant_user),
                                              actor=officer)
    assert step(api(officer), application, "forward", {"opinion": "agree"}).json()["reviewing"] == brief("C02")
    body = step(api(city), application, "forward", {"opinion": "agree"}).json()
    assert body["reviewing"] is None
    assert [(r["organisation"]["name"], r["role"], r["opinion"]) for r in body["reviews"]] == [
        (COUNTY_POLICE, "examine", "agree"), (CITY_POLICE, "verify", "agree")]
    refused(step(api(officer), application, "approve"), 403)
    assert step(api(region), application, "approve").json()["authority"]["name"] == REGION_POLICE


def test_a_bad_opinion_is_a_400_on_its_field_and_nothing_moves(api, enterprise, applicant_user):
    """行政许可法 第三十五条 "初步审查意见": the opinion is 同意 or 不同意, and a 不同意 opinion gives its reasons."""
    city = officer_of("C02")
    application = at_first_review(enterprise, applicant_user, city)
    client = api(city)
    refused(step(client, application, "forward", {"opinion": "maybe"}), 400, "opinion")
    refused(step(client, application, "forward", {}), 400, "opinion")
    body = refused(step(client, application, "forward", {"opinion": ReviewOpinion.DISAGREE, "comments": ""}), 400,
                   "comments")
    assert body["detail"] == "不同意的初审意见须说明理由。"
    refused(step(client, application, "forward", {"opinion": "agree", "comments": "长" * 2001}), 400, "comments")
    assert fresh(application).reviewing == org("C02")
    assert not ApplicationEvent.objects.filter(application=application, action=Action.FORWARD).exists()


# --- choosing the decider when filing -----------------------------------------------------------------

def test_submitting_chooses_among_item_22s_deciders(api, clerk, enterprise):
    """附件2 序号22 "交通运输部或者自治区…、市行政审批局": one of them decides, chosen when filed; no choice, or
    a choice not among them, is a 400 on "authority" naming the ones that are (never the first by default)."""
    client = api(clerk)
    options = selectors.decider_options(Item.objects.get(code="QZ-022"))
    body = {"item": "QZ-022", "applicant": enterprise.identifier}

    wrong = refused(client.post(f"{API}/applications/", {**body, "authority": org("D03").pk}, format="json"), 400,
                    "authority")
    assert wrong["detail"].startswith("所选机关不是本事项的审批机关。可选：交通运输部、")
    refused(client.post(f"{API}/applications/", {**body, "authority": "交通运输部"}, format="json"), 400, "authority")
    refused(client.post(f"{API}/applications/", {**body, "authority": 10**30}, format="json"), 400, "authority")
    assert not Application.objects.exists()

    chosen = client.post(f"{API}/applications/", {**body, "authority": options[1].key}, format="json")
    assert chosen.status_code == 201, chosen.content
    assert (chosen.json()["authority"], chosen.json()["entrusted"]) == (brief("R10"), None)
    unchosen = refused(client.post(f"{API}/applications/", body, format="json"), 400, "authority")
    assert unchosen["detail"] == "请选择本事项的审批机关（交通运输部、自治区人民政府水路运输管理部门、市行政审批局）。"
    assert Application.objects.count() == 1


def test_submitting_to_an_entrusted_authority_names_both(api, clerk, enterprise):
    """附件2 序号21 "…或者其委托的市行政审批局": decided by the bureau in the name of 自治区文化和旅游厅
    (行政许可法 第二十四条): `authority` is the entruster, `entrusted` the bureau."""
    option = next(o for o in selectors.decider_options(Item.objects.get(code="QZ-021")) if o.entrusted)
    response = api(clerk).post(f"{API}/applications/", {"item": "QZ-021", "applicant": enterprise.identifier,
                                                        "authority": option.key}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["authority"], response.json()["entrusted"]) == (brief("R09"), brief("C01"))


# --- 附件3 第三条: receipt of a notice by post ---------------------------------------------------------

def test_the_receipt_of_a_notice_by_post_is_recorded_through_the_api(at, api, commitment_item, enterprise, clerk,
                                                                     officer):
    """附件3 第三条 "收到告知书后3个工作日内": until the 送达回证's date is entered the commitment's due date is
    not running (null); the clerk may not enter it (403); a date before the notice, in the future or not
    a date is a 400 on "received_on"; from 30 September 2024 the 3 working days end on 10 October."""
    with at(2024, 9, 27):
        application = mailed_notice(commitment_item, enterprise, clerk, officer)
    with at(2024, 10, 8):
        client = api(officer)
        shown = detail(client, application)
        assert shown["notice_received_at"] is None and shown["deadlines"]["commitment_due"] is None
        assert shown["allowed_actions"] == ["record_notice_receipt"]
        refused(step(api(clerk), application, "record-notice-receipt", {"received_on": "2024-09-30"}), 403)
        for bad in ("2024-09-26", "2024-10-09", "2024-13-01", "", None, 20240930):
            refused(step(client, application, "record-notice-receipt", {"received_on": bad}), 400, "received_on")
        assert fresh(application).notice_received_at is None

        body = step(client, application, "record-notice-receipt", {"received_on": "2024-09-30"}).json()
        assert body["deadlines"]["commitment_due"] == "2024-10-10"
        assert body["notice_received_at"].startswith("2024-09-30")
        assert body["allowed_actions"] == []
        refused(step(client, application, "record-notice-receipt", {"received_on": "2024-09-30"}), 409)


# --- late steps are recorded ----------------------------------------------------------------------------

def test_a_late_decision_is_made_and_its_event_says_how_late(at, api, commitment_item, enterprise, applicant_user,
                                                            officer):
    """附件3 第五条 decide "当场" once the commitment is in; a decision two working days later is still made,
    and its event records the due date and 2 working days late (issue 11: "Late steps are recorded, not
    hidden")."""
    with at(2024, 10, 14):
        application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                             officer=officer, until="committed", channel="online")
    with at(2024, 10, 16):
        body = step(api(officer), application, "decide").json()
    decided = next(e for e in body["events"] if e["action"] == "decide")
    assert (decided["due_date"], decided["late_working_days"]) == ("2024-10-14", 2)
    committed = next(e for e in body["events"] if e["action"] == "commit")
    assert committed["late_working_days"] is None


# --- 钦政发〔2019〕20号: conditions met by a date -----------------------------------------------------------

def test_declaring_and_confirming_the_conditions_through_the_api(api, commitment_item, enterprise, applicant_user,
                                                                 officer, regulator):
    """钦政发〔2019〕20号 "企业达到经营许可条件并按要求提交材料后，方可开展经营": the holder declares (409 while a
    material is owed), the authority confirms (the holder and the regulator may not: 403), and the
    licence then says from when the holder may operate."""
    application = will_meet_licence(commitment_item, enterprise, applicant_user, officer, hand_in=False)
    holder, authority = api(applicant_user), api(officer)
    shown = detail(holder, application)
    assert shown["conditions_due"] == in_days(30).isoformat() and shown["licence"]["may_operate_from"] is None
    assert shown["operating"]["may_operate"] is False and shown["operating"]["label"] == "未达到经营条件，不得开展经营"
    assert shown["allowed_actions"] == ["declare_conditions", "rate"]  # decided: 好差评 too (issue 15)
    assert "安全设施说明" in refused(step(holder, application, "declare-conditions"), 409)["detail"]
    refused(step(holder, application, "declare-conditions", {"note": "长" * 2001}), 400, "note")

    owed = application.materials.get(status="owed")
    assert holder.post(f"{API}/applications/{application.number}/materials/{owed.material_id}/",
                       {"file": pdf_file()}).status_code == 200
    refused(step(authority, application, "declare-conditions"), 403)
    declared = step(holder, application, "declare-conditions", {"note": "消防设施已安装。"}).json()
    assert declared["conditions_declared_at"] is not None and declared["conditions_met_at"] is None
    refused(step(holder, application, "confirm-conditions"), 403)
    refused(step(api(regulator), application, "confirm-conditions"), 403)

    confirmed = step(authority, application, "confirm-conditions").json()
    assert confirmed["conditions_met_at"] is not None
    assert confirmed["licence"]["may_operate_from"] == timezone.localdate().isoformat()
    assert confirmed["operating"]["may_operate"] is True
    assert confirmed["operating"]["may_operate_from"] == timezone.localdate().isoformat()
    # The date is the holder's, to declare by: its declaration answers it, in time here.
    event = next(e for e in confirmed["events"] if e["action"] == "declare_conditions")
    assert (event["due_date"], event["late_working_days"]) == (in_days(30).isoformat(), None)


# --- 钦政发〔2019〕20号 二（四）: filings found untrue ----------------------------------------------------------

def test_the_regulator_marks_a_filing_untrue_through_the_api(api, enterprise, applicant_user, regulator,
                                                            other_regulator, officer):
    """钦政发〔2019〕20号 二（四） "对…备案信息不实的企业…采取措施予以纠正": only the filing's regulator marks it (the
    filer: 403; another regulator and an officer of another authority: 404); findings and a date after
    today are required (400 on their fields); a false filing is a credit record."""
    application = regulated_filing(enterprise, applicant_user, regulator)
    findings = {"findings": "经营场所与备案不符。", "correct_by": in_days(10).isoformat(), "false_filing": True}
    assert detail(api(regulator), application)["allowed_actions"] == ["mark_filing_untrue"]
    refused(step(api(applicant_user), application, "mark-filing-untrue", findings), 403)
    refused(step(api(other_regulator), application, "mark-filing-untrue", findings), 404)
    refused(step(api(officer), application, "mark-filing-untrue", findings), 404)

    client = api(regulator)
    refused(step(client, application, "mark-filing-untrue", {**findings, "findings": " "}), 400, "findings")
    today = timezone.localdate().isoformat()
    refused(step(client, application, "mark-filing-untrue", {**findings, "correct_by": today}), 400, "correct_by")
    refused(step(client, application, "mark-filing-untrue", {**findings, "correct_by": "明天"}), 400, "correct_by")
    refused(step(client, application, "mark-filing-untrue", {**findings, "false_filing": "maybe"}), 400,
            "false_filing")
    assert fresh(application).status == Status.FILED and not CreditRecord.objects.exists()

    body = step(client, application, "mark-filing-untrue", findings).json()
    assert (body["status"], body["filing_correct_by"]) == (Status.FILING_CORRECTION, in_days(10).isoformat())
    assert CreditRecord.objects.get(applicant=enterprise).reason == CreditReason.FALSE_FILING
    refused(step(client, application, "mark-filing-untrue", findings), 409)  # already ordered corrected


def test_the_filer_corrects_its_filing_through_the_api(api, enterprise, applicant_user, regulator, clerk):
    """钦政发〔2019〕20号 二（四）: the filer (its account or the window for it) corrects the filing; empty
    details are a 400 on "details"; the regulator may not correct it for the filer (403)."""
    application = untrue_filing(enterprise, applicant_user, regulator)
    assert detail(api(applicant_user), application)["allowed_actions"] == ["correct_filing"]
    refused(step(api(regulator), application, "correct-filing", {"details": "改正。"}), 403)
    refused(step(api(applicant_user), application, "correct-filing", {"details": ""}), 400, "details")
    refused(step(api(applicant_user), application, "correct-filing", {}), 400, "details")
    assert fresh(application).status == Status.FILING_CORRECTION

    body = step(api(clerk), application, "correct-filing", {"details": "经营场所：钦州市钦南区某路1号。"}).json()
    assert (body["status"], body["details"], body["filing_correct_by"]) == (
        Status.FILED, "经营场所：钦州市钦南区某路1号。", None)
    refused(step(api(applicant_user), application, "correct-filing", {"details": "再改。"}), 409)
