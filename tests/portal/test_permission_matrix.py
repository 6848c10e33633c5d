"""The permission matrix (issue 4): every page and API endpoint × every role, and the answer each gets.

Each row is one URL name of the project with the request that exercises it and, for every
persona, the answer expected (portal/permissions.py says who may do what):
- the applicant side (the enterprise's two accounts and the window clerk, 一窗受理) views the
  application and takes the applicant's steps; the officer of the item's authority views it and
  takes the officer's steps (谁审批、谁负责); the item's regulator only reads (谁主管、谁监管); the
  admin reads everything and acts for no one (403);
- everyone else signed in is told the application does not exist (404), so its existence leaks
  to no one; anonymous visitors are sent to sign in (pages) or answered 401 (API);
- public pages and endpoints answer everyone alike.
An allowed request gets a fresh application in the state its step needs, so its answer is a
success; a refused one must change nothing. A URL name without a row fails
test_every_url_of_the_project_has_a_row, so a new endpoint cannot slip in unexamined.
"""
import json
import re

import pytest
from django.test import override_settings
from django.urls import include, path, reverse

from licensing import services
from licensing.constants import Channel, MaterialDue, MaterialStatus
from licensing.models import ApplicantMembership, Application, ApplicationEvent, MaterialSubmission
from notices.constants import DocumentKind
from licensing.web import public as views
from supervision.models import InboxRecord, Inspection, InspectionResult
from tests.factories import TEST_PASSWORD, commitment_application, pdf_file, second_factor_code
from tests.portal.matrix_rows import MATRIX, PERSONAS, UNKNOWN_ARGS, Probe, Redirect, api_keys
from tests.portal.permission_matrix import project_urls, rows_missing

pytestmark = pytest.mark.django_db


# --- the world a request acts on ------------------------------------------------------------

class World:
    """The personas and one application of `enterprise` (item 13, 告知承诺) in the state a probe needs."""

    def __init__(self, request, persona):
        self._request = request
        self.user = None if persona == "anonymous" else self.fixture(persona)
        self.application = None

    def fixture(self, name):
        return self._request.getfixturevalue(name)

    @property
    def enterprise(self):
        return self.fixture("enterprise")

    @property
    def item(self):
        return self.fixture("commitment_item")

    def prepare(self, state):
        if state is not None:
            self.application = BUILD[state](self)
        return self

    def document(self, kind=DocumentKind.DECISION):
        return self.application.documents.get(kind=kind)

    def handed_in_material(self):
        """A material handed in with the commitment (附件3 第四条)."""
        return self.item.materials.get(due=MaterialDue.AT_COMMITMENT)

    def later_material(self):
        """The material promised for after the decision (附件3 第四条), owed once approved."""
        return self.item.materials.get(due=MaterialDue.AFTER_DECISION)


def _submit(world, **kwargs):
    return services.application_submit(item=world.item, applicant=world.enterprise,
                                       actor=world.fixture("applicant_user"), channel=Channel.ONLINE, **kwargs)


def _through(world, until):
    return commitment_application(item=world.item, applicant=world.enterprise, actor=world.fixture("applicant_user"),
                                  officer=world.fixture("officer"), until=until, channel=Channel.ONLINE)


def _ready_to_commit(world):
    """Notice issued, and the materials due at application and commitment already handed in."""
    application = _through(world, "notice_issued")
    for submission in application.materials.filter(status=MaterialStatus.OWED).exclude(
            material__due=MaterialDue.AFTER_DECISION):
        services.material_submit(application=application, material_id=submission.material_id,
                                 upload=pdf_file(), actor=world.fixture("applicant_user"))
    return application


def _accepted(world):
    return services.application_accept(application=_submit(world, wants_commitment=False),
                                       actor=world.fixture("officer"))


BUILD = {
    "submitted": _submit,
    "notice_issued": lambda w: _through(w, "notice_issued"),
    "ready_to_commit": _ready_to_commit,
    "committed": lambda w: _through(w, "committed"),
    "approved": lambda w: _through(w, "approved"),
    "ordinary": lambda w: _submit(w, wants_commitment=False),
    "accepted": _accepted,
    "correction": lambda w: services.application_request_correction(
        application=_accepted(w), actor=w.fixture("officer"), reason="请补正场所平面图。"),
}


# --- asking and checking ----------------------------------------------------------------------

def request_for(key, probe: Probe, world: World):
    """The URL and the data, built before the snapshot (they may create what they name)."""
    return reverse(probe.url_name or key, args=probe.args(world)), probe.data(world)


def send(client, probe: Probe, url, data, **headers):
    if probe.method == "get":
        return client.get(url, data or {}, **headers)
    if probe.json:
        return client.post(url, json.dumps(data or {}), content_type="application/json", **headers)
    return client.post(url, data or {}, **headers)


def snapshot():
    """What a refused request must leave as it was: applications, their events, materials, account
    links, which records of the regulators' inboxes are signed for (issue 9), and the inspections:
    their states, inspectors and results (issue 10)."""
    return (sorted(Application.objects.values_list("number", "status", "route")),
            ApplicationEvent.objects.count(),
            MaterialSubmission.objects.filter(status=MaterialStatus.SUBMITTED).count(),
            sorted(ApplicantMembership.objects.values_list("pk", "status")),
            sorted(InboxRecord.objects.filter(acknowledged_at__isnull=False).values_list("pk", flat=True)),
            sorted(Inspection.objects.values_list("pk", "status", "assigned_at")),
            Inspection.inspectors.through.objects.count(), InspectionResult.objects.count())


def check_answer(response, answer):
    if isinstance(answer, Redirect):
        assert response.status_code == 302, _said(response)
        assert response["Location"].startswith(answer.to), response["Location"]
    else:
        assert response.status_code == answer, _said(response)


def _said(response):
    return f"{response.status_code}: {response.content[:300].decode(errors='replace')}"


CHINESE = re.compile(r"[\u4e00-\u9fff]")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def check_refusal_says_why(response):
    """A refusal with a body explains itself in Chinese, whatever language the browser asks for."""
    if response.status_code >= 400:
        assert CHINESE.search(response.content.decode(errors="replace")), _said(response)


def check_existence_not_revealed(client, key, probe: Probe, world: World, response, **headers):
    """A stranger's 404 is word for word the 404 of an application that does not exist."""
    unknown = UNKNOWN_ARGS.get(probe.args)
    if response.status_code != 404 or unknown is None:
        return
    url = reverse(probe.url_name or key, args=unknown(world))
    twin = send(client, probe, url, probe.data(world), **headers)
    assert twin.status_code == 404
    assert _page(twin) == _page(response)


def _page(response):
    return CSRF_TOKEN.sub("", response.content.decode(errors="replace"))


def refused(answer) -> bool:
    return answer in (400, 401, 403, 404, 405) or (isinstance(answer, Redirect) and answer.refusal)


def check_effects(response, probe: Probe, world: World, persona, before):
    answer = probe.answers[persona]
    if refused(answer):
        assert snapshot() == before, "a refused request changed something"
        return
    if probe.moves_to:  # an allowed step is done, not merely let through
        world.application.refresh_from_db()
        assert world.application.status == probe.moves_to
        assert snapshot() != before
    if probe.lists is not None and response.status_code == 200:
        shown = world.application.number in response.content.decode()
        assert shown == (persona in probe.lists), f"{persona} {'sees' if shown else 'misses'} the application"


def run(client, key, index, persona, world, **headers):
    probe = MATRIX[key][index]
    world.prepare(probe.state)
    url, data = request_for(key, probe, world)
    before = snapshot()
    response = send(client, probe, url, data, **headers)
    check_answer(response, probe.answers[persona])
    check_refusal_says_why(response)
    check_effects(response, probe, world, persona, before)
    check_existence_not_revealed(client, key, probe, world, response, **headers)
    return response


def _cases(keys):
    return [pytest.param(key, index, persona, id=f"{key}-{probe.method}-{persona}")
            for key in keys for index, probe in enumerate(MATRIX[key]) for persona in PERSONAS]


# --- the matrix -------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "index", "persona"), _cases(MATRIX))
def test_each_persona_gets_the_answer_the_rules_give(request, client, login, key, index, persona):
    """Signed in the way the portal requires (staff with their second factor); the API by session."""
    world = World(request, persona)
    if world.user is not None:
        login(world.user)
    run(client, key, index, persona, world)


@pytest.mark.parametrize(("key", "index", "persona"), _cases(api_keys()))
def test_the_api_gives_a_token_holder_the_same_answer(request, client, key, index, persona):
    """The mobile app and other systems sign in with a token (staff send their second factor for it)."""
    world = World(request, persona)
    headers = {}
    if world.user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {token_for(client, world.user)}"
    run(client, key, index, persona, world, **headers)


def token_for(client, user) -> str:
    credentials = {"username": user.username, "password": TEST_PASSWORD}
    if user.is_staff_role:
        credentials["otp"] = second_factor_code(user)
    response = client.post(reverse("auth-token"), credentials, content_type="application/json")
    assert response.status_code == 200, _said(response)
    return response.json()["token"]


# --- the matrix covers the project --------------------------------------------------------------

def test_every_url_of_the_project_has_a_row():
    assert [str(url) for url in rows_missing(MATRIX)] == []


def test_no_row_is_left_for_a_url_that_is_gone():
    assert sorted(set(MATRIX) - {url.key for url in project_urls()}) == []


def test_every_request_of_the_matrix_answers_for_every_persona():
    for key, probes in MATRIX.items():
        for probe in probes:
            assert set(probe.answers) == set(PERSONAS), key


urlpatterns = [  # this module doubles as a URLconf: the project's URLs plus one new page
    path("", include("portal.urls")),
    path("brand-new/", views.home, name="brand-new-page"),
]


def test_a_new_endpoint_without_a_row_fails_the_matrix():
    with override_settings(ROOT_URLCONF=__name__):
        assert [url.key for url in rows_missing(MATRIX)] == ["brand-new-page"]
