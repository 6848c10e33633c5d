"""Who sees which application: one queryset (licensing.selectors.applications_visible_to) answers
for the permission "licensing.view_application", the API's list and detail, and the page.

Two enterprises each have applications in many states and of every reform mode; every persona
sees exactly the applications its role entitles it to (谁审批、谁负责 / 谁主管、谁监管).
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.constants import ReformMode, Route, Status
from licensing.models import Item
from licensing.selectors import applications_visible_to
from portal.constants import Role
from tests.factories import (
    route_item,
    TEST_PASSWORD, ApplicantFactory, ApplicationFactory, UserFactory, commitment_application, second_factor_code,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
PERSONAS = ["applicant_user", "colleague", "outsider", "clerk", "officer", "other_officer", "regulator",
            "other_regulator", "admin_user", "member_of_other", "anonymous", "inactive_member",
            "officer_without_organisation", "regulator_without_organisation", "inactive_clerk"]


@pytest.fixture
def member_of_other(db):
    return UserFactory(role=Role.APPLICANT, full_name="赵六")


@pytest.fixture
def other_enterprise(member_of_other):
    return ApplicantFactory(name="钦州市另一家有限公司", members=[member_of_other])


@pytest.fixture
def inactive_member(enterprise):
    """An account that acted for the enterprise and has since been deactivated."""
    user = UserFactory(role=Role.APPLICANT, full_name="离职员工", is_active=False)
    enterprise.members.add(user)
    return user


@pytest.fixture
def officer_without_organisation(db):
    return UserFactory(role=Role.OFFICER, organisation=None)


@pytest.fixture
def regulator_without_organisation(db):
    return UserFactory(role=Role.REGULATOR, organisation=None)


@pytest.fixture
def inactive_clerk(clerk):
    return UserFactory(role=Role.CLERK, organisation=clerk.organisation, is_active=False)


@pytest.fixture
def catalogue(commitment_item, other_regulator):
    """One item of each reform mode; the filing item is regulated by the other regulator."""
    filing = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(filing, other_regulator.organisation)
    filing.save()
    return {
        "commitment": commitment_item,
        "filing": filing,
        "cancel": Item.objects.filter(reform_mode=ReformMode.CANCEL).order_by("seq_no").first(),
        "optimise": Item.objects.filter(reform_mode=ReformMode.OPTIMISE).order_by("seq_no").first(),
    }


def _book_of(applicant, member, catalogue, officer, clerk) -> dict:
    item13 = dict(item=catalogue["commitment"], applicant=applicant, actor=member, officer=officer)
    return {
        "submitted": ApplicationFactory(**item13),
        "notice_issued": ApplicationFactory(notice_issued=True, **item13),
        "committed": ApplicationFactory(committed=True, **item13),
        "approved": ApplicationFactory(decided=True, **item13),
        "revoked": ApplicationFactory(revoked=True, **item13),
        "ordinary_accepted": ApplicationFactory(accepted=True, **item13),
        "at_window": commitment_application(item=catalogue["commitment"], applicant=applicant, actor=clerk,
                                            officer=officer, until="notice_issued"),
        "optimise_accepted": ApplicationFactory(item=catalogue["optimise"], accepted=True, applicant=applicant,
                                                actor=member),
        "filed": ApplicationFactory(item=catalogue["filing"], applicant=applicant, actor=member),
        "recorded": ApplicationFactory(item=catalogue["cancel"], applicant=applicant, actor=member),
    }


@pytest.fixture
def book(enterprise, other_enterprise, applicant_user, member_of_other, catalogue, officer, clerk):
    """{(enterprise key, state): application}: the same states for both enterprises."""
    books = {"ours": _book_of(enterprise, applicant_user, catalogue, officer, clerk),
             "theirs": _book_of(other_enterprise, member_of_other, catalogue, officer, clerk)}
    return {(who, state): application for who, rows in books.items() for state, application in rows.items()}


def persona(request, name):
    if name == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(name)


def test_the_book_holds_the_states_it_is_meant_to(book):
    """The fixture itself: each application reached the state (and route) its key names."""
    expected = {"submitted": Status.SUBMITTED, "notice_issued": Status.NOTICE_ISSUED, "committed": Status.COMMITTED,
                "approved": Status.APPROVED, "revoked": Status.REVOKED, "ordinary_accepted": Status.ACCEPTED,
                "at_window": Status.NOTICE_ISSUED, "optimise_accepted": Status.ACCEPTED, "filed": Status.FILED,
                "recorded": Status.RECORDED}
    assert {key: a.status for key, a in book.items()} == {key: expected[key[1]] for key in book}
    assert book["ours", "ordinary_accepted"].route == Route.ORDINARY
    assert len({a.pk for a in book.values()}) == 20


@pytest.mark.parametrize("name", PERSONAS)
def test_the_visible_queryset_and_the_view_permission_agree_for_every_persona(request, book, name):
    user = persona(request, name)
    everything = list(book.values())
    visible = list(applications_visible_to(user))
    assert len(visible) == len(set(visible)), "an application is listed twice"
    assert set(visible) == {a for a in everything if user.has_perm("licensing.view_application", a)}


def _keys(book, *, who=None, states=None, item=None):
    return {a for (w, s), a in book.items()
            if (who is None or w == who) and (states is None or s in states) and (item is None or a.item == item)}


def expected_for(name, book, catalogue) -> set:
    """What each persona should see, written out from the rules rather than from the queryset."""
    everything = set(book.values())
    item13 = _keys(book, item=catalogue["commitment"])
    return {
        "applicant_user": _keys(book, who="ours"),
        "colleague": _keys(book, who="ours"),
        "member_of_other": _keys(book, who="theirs"),
        "outsider": set(),
        "clerk": everything,
        "admin_user": everything,
        "officer": item13,                      # its authority implements item 13 only
        "other_officer": set(),
        "regulator": item13,                    # it regulates item 13
        "other_regulator": _keys(book, item=catalogue["filing"]),
        "anonymous": set(),
        "inactive_member": set(),
        "officer_without_organisation": set(),
        "regulator_without_organisation": set(),
        "inactive_clerk": set(),
    }[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_each_persona_sees_exactly_what_its_role_entitles_it_to(request, book, catalogue, name):
    user = persona(request, name)
    expected = expected_for(name, book, catalogue)
    assert {a.number for a in applications_visible_to(user)} == {a.number for a in expected}
    for application in book.values():
        assert user.has_perm("licensing.view_application", application) == (application in expected), (
            name, application.number, application.status)


def test_the_officer_sees_both_enterprises_item_13_in_every_state_but_nothing_of_other_items(book, officer):
    seen = {(a.applicant.name, a.status) for a in applications_visible_to(officer)}
    assert ("钦州市好客旅馆有限公司", Status.REVOKED) in seen and ("钦州市另一家有限公司", Status.COMMITTED) in seen
    assert not any(a.item.reform_mode != ReformMode.COMMITMENT for a in applications_visible_to(officer))


# --- the API lists exactly that set ---------------------------------------------------------

def token_client(user) -> APIClient:
    credentials = {"username": user.username, "password": TEST_PASSWORD}
    if user.is_staff_role:
        credentials["otp"] = second_factor_code(user)
    response = APIClient().post(f"{API}/auth/token/", credentials, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def listed(client) -> list[str]:
    response = client.get(f"{API}/applications/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])  # one page: 20 applications at most
    return [row["number"] for row in body["results"]]


@pytest.mark.parametrize("name", ["applicant_user", "member_of_other", "officer", "regulator", "other_regulator",
                                  "clerk", "outsider"])
def test_the_api_lists_exactly_what_the_persona_may_see_with_a_token(request, book, catalogue, name):
    user = request.getfixturevalue(name)
    numbers = listed(token_client(user))
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == {a.number for a in expected_for(name, book, catalogue)}


@pytest.mark.parametrize("name", ["colleague", "officer", "admin_user", "other_officer"])
def test_the_api_lists_exactly_what_the_persona_may_see_signed_in_on_the_site(request, login, book, catalogue, name):
    user = request.getfixturevalue(name)
    numbers = listed(login(user))
    assert set(numbers) == {a.number for a in expected_for(name, book, catalogue)}


@pytest.mark.parametrize("name", ["applicant_user", "officer", "regulator", "other_regulator"])
def test_the_api_detail_and_the_page_open_exactly_the_visible_applications(request, login, book, catalogue, name):
    user = request.getfixturevalue(name)
    client = login(user)
    expected = expected_for(name, book, catalogue)
    for application in book.values():
        api = client.get(f"{API}/applications/{application.number}/")
        page = client.get(reverse("web-application-detail", args=[application.number]))
        want = 200 if application in expected else 404
        assert (api.status_code, page.status_code) == (want, want), (name, application.number, application.status)
        if want == 200:
            assert api.json()["status"] == application.status


def test_the_api_list_filter_by_status_stays_within_what_the_persona_may_see(book, regulator):
    response = token_client(regulator).get(f"{API}/applications/", {"status": Status.ACCEPTED})
    assert response.status_code == 200
    assert {row["number"] for row in response.json()["results"]} == {
        book["ours", "ordinary_accepted"].number, book["theirs", "ordinary_accepted"].number}
