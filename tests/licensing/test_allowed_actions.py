"""What a user may do next (licensing.selectors.application_allowed_actions): the list the API's
detail returns as `allowed_actions` and the buttons the application page draws.

For each state that matters and each persona: the exact list; the page has a form for each
listed step and for no other; every listed step goes through when posted to the API, and every
step not listed is refused (403 or 409) with nothing changed.

Issue 11 adds the two stages of 谁审批、谁负责 (item 75: "自治区公安厅审批、市人民政府公安部门审核、
县区人民政府公安部门审查"; the persona `officer` is the county police, item 13's authority, which
examines item 75 first), the receipt of a notice sent by post, the conditions met by a date, and
a filing found untrue by its regulator.
"""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.constants import TRANSITIONS, Action, Channel, CommitmentKind, MaterialDue, ReformMode, Side, Status
from licensing.models import Application, Item
from licensing.selectors import application_allowed_actions
from tests.factories import ApplicationFactory, commitment_application, pdf_file, route_item

pytestmark = pytest.mark.django_db

API = "/api/v1"

# Every step a person takes (the lapse is the beat job's, nobody's button).
STEPS = [str(action) for action, t in TRANSITIONS.items() if t.side != Side.SYSTEM]

# How each state is reached: ApplicationFactory options for item 13 of `enterprise`, acted by
# applicant_user online and decided by `officer` (None: a case built differently below).
STATES = {
    "submitted": {},
    "notice_issued": {"notice_issued": True},
    "committed": {"committed": True},
    "approved": {"decided": True},
    "revoked": {"revoked": True},
    "lapsed": {"lapsed": True},
    "ordinary_submitted": {"ordinary": True},
    "accepted": {"accepted": True},
    "correction": {"correction": True},
    "ordinary_approved": {"approved": True},
    "rejected": {"rejected": True},
    "withdrawn": {"withdrawn": True},
    "window_notice_issued": None,
    "filed": None,
    "recorded": None,
    # issue 11
    "mail_notice_issued": {"notice_issued": True, "channel": Channel.MAIL},
    "will_meet_approved": None,
    "conditions_declared": None,
    "first_review": None,
    "forwarded": None,
    "regulated_filed": None,
    "filing_correction": None,
}

APPLICANT_SIDE = {
    "submitted": ["choose_ordinary", "withdraw"],
    "notice_issued": ["commit", "choose_ordinary", "withdraw"],
    "window_notice_issued": ["commit", "choose_ordinary", "withdraw"],
    "ordinary_submitted": ["withdraw"],
    "accepted": ["withdraw"],
    "correction": ["resubmit", "withdraw"],
    "mail_notice_issued": ["commit", "choose_ordinary", "withdraw"],
    "will_meet_approved": ["declare_conditions"],
    "first_review": ["withdraw"],
    "forwarded": ["withdraw"],
    "filing_correction": ["correct_filing"],
}
OFFICER_SIDE = {
    "submitted": ["issue_notice"],
    "committed": ["decide"],
    "approved": ["revoke"],
    "ordinary_approved": ["revoke"],
    "ordinary_submitted": ["accept"],
    "accepted": ["request_correction", "approve", "reject"],
    "mail_notice_issued": ["record_notice_receipt"],
    "will_meet_approved": ["revoke"],
    "conditions_declared": ["revoke", "confirm_conditions"],
    # The first-review authority forwards (or asks for corrections); it never approves or rejects.
    "first_review": ["forward", "request_correction"],
    "forwarded": [],
}
REGULATOR_SIDE = {"regulated_filed": ["mark_filing_untrue"]}
SIDES = {"applicant_user": APPLICANT_SIDE, "colleague": APPLICANT_SIDE, "clerk": APPLICANT_SIDE,
         "officer": OFFICER_SIDE, "regulator": REGULATOR_SIDE, "admin_user": {}}
VISIBLE = list(SIDES)
INVISIBLE = ["outsider", "other_officer", "other_regulator"]


# Items of other authorities: regulated by nobody here, or (the routed filing) by `regulator`.
HIDDEN_FROM = {"filed": {"officer", "regulator"}, "recorded": {"officer", "regulator"},
               "regulated_filed": {"officer"}, "filing_correction": {"officer"}}


def sees(state, name) -> bool:
    return name in VISIBLE and name not in HIDDEN_FROM.get(state, ())


def expected(state, name) -> list[str]:
    return SIDES.get(name, {}).get(state, [])


# 好差评 (issue 15): the applicant's own accounts rate an application once it has ended (closed, and a filing not
# waiting for its correction); the window clerk does not rate for the applicant. Not a transition: no step below.
ENDED = {"approved", "revoked", "lapsed", "ordinary_approved", "rejected", "withdrawn", "filed", "recorded",
         "will_meet_approved", "conditions_declared", "regulated_filed"}


def listed(state, name) -> list[str]:
    """The whole list: the steps, then "rate" where the account may rate."""
    rates = state in ENDED and name in ("applicant_user", "colleague")
    return expected(state, name) + (["rate"] if rates else [])


def _in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def _will_meet(world):
    """Licensed on a commitment to meet the conditions by a date, everything owed handed in (钦政发〔2019〕20号)."""
    application = commitment_application(item=world.commitment_item, applicant=world.enterprise,
                                         actor=world.applicant_user, officer=world.officer, channel="online",
                                         kind=CommitmentKind.WILL_MEET, meet_by=_in_days(30))
    for owed in application.materials.filter(status="owed"):
        services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(),
                                 actor=world.applicant_user)
    return application


def _declared(world):
    return services.application_declare_conditions(application=_will_meet(world), actor=world.applicant_user)


def _first_review(world):
    """Item 75 accepted by the county police, which examines first (审查), for the city (审核) and the region."""
    item = Item.objects.get(code="QZ-075")
    route_item(item, world.regulator.organisation)
    application = ApplicationFactory(item=item, applicant=world.enterprise, actor=world.applicant_user,
                                     officer=world.officer, until="accepted")
    assert application.reviewing == world.officer.organisation
    return application


def _forwarded(world):
    return services.application_forward(application=_first_review(world), actor=world.officer, opinion="agree")


def _regulated_filing(world):
    item = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(item, world.regulator.organisation)
    return ApplicationFactory(item=item, applicant=world.enterprise, actor=world.applicant_user)


def _filing_correction(world):
    return services.application_mark_filing_untrue(
        application=_regulated_filing(world), actor=world.regulator, findings="经营场所与备案不符。",
        correct_by=_in_days(10))


BUILT = {"will_meet_approved": _will_meet, "conditions_declared": _declared, "first_review": _first_review,
         "forwarded": _forwarded, "regulated_filed": _regulated_filing, "filing_correction": _filing_correction}


class _World:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@pytest.fixture
def build(request, commitment_item, enterprise, applicant_user, officer, clerk):
    def make(state) -> Application:
        options = STATES[state]
        if state in BUILT:
            return BUILT[state](_World(request))
        if state == "window_notice_issued":
            return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                          until="notice_issued")
        if state in ("filed", "recorded"):
            mode = ReformMode.FILING if state == "filed" else ReformMode.CANCEL
            item = Item.objects.filter(reform_mode=mode).order_by("seq_no").first()
            return ApplicationFactory(item=item, applicant=enterprise, actor=applicant_user)
        actor = clerk if options.get("channel") == Channel.MAIL else applicant_user
        return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=actor, officer=officer,
                                  **options)
    return make


def test_the_states_are_the_ones_named(build):
    reached = {state: build(state).status for state in STATES}
    assert reached == {
        "submitted": Status.SUBMITTED, "notice_issued": Status.NOTICE_ISSUED, "committed": Status.COMMITTED,
        "approved": Status.APPROVED, "revoked": Status.REVOKED, "lapsed": Status.LAPSED,
        "ordinary_submitted": Status.SUBMITTED, "accepted": Status.ACCEPTED, "correction": Status.CORRECTION,
        "ordinary_approved": Status.APPROVED, "rejected": Status.REJECTED, "withdrawn": Status.WITHDRAWN,
        "window_notice_issued": Status.NOTICE_ISSUED, "filed": Status.FILED, "recorded": Status.RECORDED,
        "mail_notice_issued": Status.NOTICE_ISSUED, "will_meet_approved": Status.APPROVED,
        "conditions_declared": Status.APPROVED, "first_review": Status.ACCEPTED, "forwarded": Status.ACCEPTED,
        "regulated_filed": Status.FILED, "filing_correction": Status.FILING_CORRECTION}


# --- the list -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", VISIBLE)
@pytest.mark.parametrize("state", list(STATES))
def test_the_selector_and_the_api_detail_give_the_exact_list(request, login, build, state, name):
    application = build(state)
    user = request.getfixturevalue(name)
    assert application_allowed_actions(application, user) == listed(state, name)
    response = login(user).get(f"{API}/applications/{application.number}/")
    if not sees(state, name):
        assert response.status_code == 404
        return
    assert response.status_code == 200, response.content
    assert response.json()["allowed_actions"] == listed(state, name)


@pytest.mark.parametrize("name", INVISIBLE)
@pytest.mark.parametrize("state", ["submitted", "notice_issued", "committed", "approved", "accepted"])
def test_those_who_may_not_see_the_application_may_do_nothing_with_it(request, login, build, state, name):
    application = build(state)
    user = request.getfixturevalue(name)
    assert application_allowed_actions(application, user) == []
    assert login(user).get(f"{API}/applications/{application.number}/").status_code == 404


def test_the_api_detail_list_follows_the_application_as_it_moves(login, build, officer, applicant_user):
    application = build("submitted")
    as_officer = login(officer)
    assert as_officer.get(f"{API}/applications/{application.number}/").json()["allowed_actions"] == ["issue_notice"]
    response = as_officer.post(f"{API}/applications/{application.number}/issue-notice/", {}, content_type="application/json")
    assert response.json()["allowed_actions"] == []  # the answer to the step is the officer's new list


# --- the page draws the same list -------------------------------------------------------------

def form_posting_to(html: str, action: str, number: str) -> bool:
    url = reverse(f"web-application-{action.replace('_', '-')}", args=[number])
    return f'action="{url}"' in html


@pytest.mark.parametrize("name", VISIBLE)
@pytest.mark.parametrize("state", list(STATES))
def test_the_page_has_a_form_for_each_allowed_step_and_for_no_other(request, login, build, state, name):
    application = build(state)
    response = login(request.getfixturevalue(name)).get(reverse("web-application-detail", args=[application.number]))
    assert response.status_code == (200 if sees(state, name) else 404)
    html = response.content.decode()
    offered = [step for step in STEPS if form_posting_to(html, step, application.number)]
    assert offered == [step for step in STEPS if step in expected(state, name)]


# --- every listed step goes through; every other one is refused -------------------------------

REASON = {"reason": "测试用理由。"}
BODIES = {"request_correction": REASON, "reject": REASON, "revoke": REASON, "withdraw": REASON,
          "commit": {"kind": "already_meets", "confirmations": [True] * 7, "signatory": "张三"},
          "forward": {"opinion": "agree", "comments": "材料齐全，符合条件。"},
          "record_notice_receipt": {"received_on": str(timezone.localdate())},
          "mark_filing_untrue": {"findings": "经营场所与备案不符。", "correct_by": str(_in_days(10))},
          "correct_filing": {"details": "经营场所：钦州市钦南区某路1号。"}}


def moved_to(step, before):
    """Where the step leaves the application: its target, or where it was for a step that keeps the
    state (the first-review's forward, the notice's receipt, the conditions)."""
    return TRANSITIONS[Action(step)].target or before


def hand_in_owed_for_commitment(client, application):
    owed = application.materials.filter(material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT],
                                        status="owed")
    for submission in owed:
        response = client.post(f"{API}/applications/{application.number}/materials/{submission.material_id}/",
                               {"file": pdf_file()})
        assert response.status_code == 200, response.content


def post_step(client, application, step):
    return client.post(f"{API}/applications/{application.number}/{step.replace('_', '-')}/", BODIES.get(step, {}),
                       content_type="application/json")


ALLOWED = [(state, name, step) for name in VISIBLE for state in STATES for step in expected(state, name)]


@pytest.mark.parametrize(("state", "name", "step"), ALLOWED)
def test_every_step_the_list_offers_goes_through_the_api(request, login, build, state, name, step):
    application = build(state)
    client = login(request.getfixturevalue(name))
    if step == "commit":
        hand_in_owed_for_commitment(client, application)
    before = application.status
    response = post_step(client, application, step)
    assert response.status_code == 200, (state, name, step, response.content.decode())
    application.refresh_from_db()
    assert application.status == moved_to(step, before)
    assert application.events.last().action == step


@pytest.mark.parametrize("name", VISIBLE)
@pytest.mark.parametrize("state", list(STATES))
def test_every_step_the_list_does_not_offer_is_refused_with_nothing_changed(request, login, build, state, name):
    application = build(state)
    client = login(request.getfixturevalue(name))
    before = (application.status, application.route, application.events.count(), application.documents.count())
    for step in STEPS:
        if step in expected(state, name):
            continue
        response = post_step(client, application, step)
        refusals = (403, 409) if sees(state, name) else (404,)
        assert response.status_code in refusals, (state, name, step, response.status_code, response.content.decode())
        application.refresh_from_db()
        assert (application.status, application.route, application.events.count(),
                application.documents.count()) == before, (state, name, step)


def page_form_data(application, step) -> dict:
    """What the page's form for `step` sends when filled in."""
    if step != "commit":
        return BODIES.get(step, {})
    owed = application.materials.filter(material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT],
                                        status="owed")
    return {"kind": "already_meets", "signatory": "张三", **{f"confirm_{n}": "on" for n in range(1, 8)},
            **{f"material_{s.material_id}": pdf_file() for s in owed}}


@pytest.mark.parametrize(("state", "name", "step"), ALLOWED)
def test_every_step_the_page_offers_goes_through_when_its_form_is_posted(request, login, build, state, name, step):
    application = build(state)
    client = login(request.getfixturevalue(name))
    url = reverse(f"web-application-{step.replace('_', '-')}", args=[application.number])
    before = application.status
    response = client.post(url, page_form_data(application, step))
    assert response.status_code == 302, (state, name, step, response.status_code)
    application.refresh_from_db()
    assert application.status == moved_to(step, before)
    assert application.events.last().action == step


def test_an_inactive_member_of_the_applicant_is_offered_nothing(build, enterprise):
    from portal.constants import Role
    from tests.factories import UserFactory

    application = build("notice_issued")
    former = UserFactory(role=Role.APPLICANT, is_active=False)
    enterprise.members.add(former)
    assert application_allowed_actions(application, former) == []
