"""Details of issue 8: staff without an organisation see no application; a window clerk acting on an
application filed online only records what the applicant hands over in person, and its event says so."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import services
from licensing.constants import Action, Channel, Status
from licensing.models import Application, Item
from licensing.selectors import applications_visible_to
from portal.constants import Role
from tests.factories import TEST_PASSWORD, ApplicationFactory, UserFactory, files_owed_at_commitment, pdf_file, second_factor_code

pytestmark = pytest.mark.django_db

ON_BEHALF = "窗口工作人员代为录入申请人当面递交的"


# --- staff without an organisation ----------------------------------------------------------------
@pytest.fixture
def applications(commitment_item, enterprise, applicant_user, officer):
    """Item 13 in several states, and an item that has no regulator at all."""
    orphan = Item.objects.get(seq_no=66)  # only the 市行政审批局 approves it, and no route names a regulator
    common = dict(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    return [ApplicationFactory(**common), ApplicationFactory(committed=True, **common),
            ApplicationFactory(decided=True, **common), ApplicationFactory(revoked=True, **common),
            ApplicationFactory(item=orphan, accepted=True, applicant=enterprise, actor=applicant_user)]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REGULATOR])
def test_staff_without_an_organisation_see_no_application_anywhere(login, applications, role):
    user = UserFactory(role=role, organisation=None)
    assert not applications_visible_to(user).exists()
    client = login(user)
    listed = client.get("/api/v1/applications/")
    assert listed.status_code == 200 and listed.json()["results"] == []
    for application in applications:
        assert not user.has_perm("licensing.view_application", application)
        assert client.get(f"/api/v1/applications/{application.number}/").status_code == 404
        assert client.get(reverse("web-application-detail", args=[application.number])).status_code == 404
    if role == Role.OFFICER:
        desk = client.get(reverse("officer-desk")).content.decode()
        assert not [a.number for a in applications if a.number in desk]


def test_an_officer_without_an_organisation_decides_nothing(login, applications):
    user = UserFactory(role=Role.OFFICER, organisation=None)
    committed = applications[1]
    response = login(user).post(reverse("web-application-decide", args=[committed.number]))
    assert response.status_code == 404
    committed.refresh_from_db()
    assert committed.status == Status.COMMITTED


# --- the clerk on an online application -----------------------------------------------------------
@pytest.fixture
def online(commitment_item, enterprise, applicant_user, officer):
    def make(**state):
        application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, **state)
        assert application.channel == Channel.ONLINE
        return application
    return make


def last_event(application, action):
    return application.events.filter(action=action).latest("at", "id")


def test_a_clerk_recording_the_commitment_of_an_online_application_says_it_was_handed_over(online, clerk, login):
    application = online(notice_issued=True)
    services.application_commit(application=application, actor=clerk, kind="already_meets",
                                confirmations=[True] * 7, signatory="李经理",
                                files=files_owed_at_commitment(application))
    event = last_event(application, Action.COMMIT)
    assert event.actor == clerk
    assert event.reason.startswith(ON_BEHALF + "签署的告知承诺书")
    page = login(clerk).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert ON_BEHALF + "签署的告知承诺书" in page


@pytest.mark.parametrize("step,state,action,words", [
    ("choose_ordinary", dict(notice_issued=True), Action.CHOOSE_ORDINARY, "不作承诺、转一般程序办理的意见。申请人不愿作出承诺，转一般程序办理。"),
    ("withdraw", dict(), Action.WITHDRAW, "撤回申请的意见。申请人撤回申请。"),
    ("resubmit", dict(correction=True), Action.RESUBMIT, "补正材料。申请人已补正材料。"),
])
def test_each_applicant_side_step_a_clerk_takes_on_an_online_application_says_so(online, clerk, step, state, action,
                                                                                 words):
    application = online(**state)
    getattr(services, f"application_{step}")(application=application, actor=clerk)
    assert last_event(application, action).reason == ON_BEHALF + words


def test_a_material_a_clerk_hands_in_for_an_online_application_names_it(online, clerk):
    application = online()
    owed = application.materials.select_related("material").first()
    services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(), actor=clerk)
    event = last_event(application, Action.SUBMIT_MATERIAL)
    assert event.reason == f"{ON_BEHALF}材料“{owed.material.name}”。"


def test_the_applicant_itself_and_the_clerk_at_the_window_leave_the_reason_as_it_was(online, applicant_user, clerk,
                                                                                      commitment_item, enterprise):
    application = online()
    services.application_withdraw(application=application, actor=applicant_user)
    assert last_event(application, Action.WITHDRAW).reason == "申请人撤回申请。"
    at_window = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=clerk, channel=Channel.WINDOW)
    services.application_withdraw(application=at_window, actor=clerk)
    assert last_event(at_window, Action.WITHDRAW).reason == "申请人撤回申请。"


def test_the_api_records_the_same_for_a_clerk(online, clerk):
    application = online()
    token = APIClient().post("/api/v1/auth/token/", {"username": clerk.username, "password": TEST_PASSWORD,
                                                     "otp": second_factor_code(clerk)}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = client.post(f"/api/v1/applications/{application.number}/withdraw/", {}, format="json")
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    assert last_event(application, Action.WITHDRAW).reason.startswith(ON_BEHALF + "撤回申请的意见")
