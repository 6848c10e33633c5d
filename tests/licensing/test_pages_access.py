"""Who may open an application page and press its buttons (portal.permissions, asked by every view).

A user who may not see an application gets 404, as if it did not exist; a user who may see it
but not take a step gets 403; anonymous users are sent to sign in.
"""
import re

import pytest
from django.urls import reverse

from licensing.constants import Channel, Status
from licensing.models import Application
from tests.factories import commitment_application

pytestmark = pytest.mark.django_db

APPLICANT_STEPS = ["web-application-commit", "web-application-choose-ordinary", "web-application-withdraw",
                   "web-application-resubmit"]
OFFICER_STEPS = ["web-application-issue-notice", "web-application-decide", "web-application-accept",
                 "web-application-request-correction", "web-application-approve", "web-application-reject",
                 "web-application-revoke"]


@pytest.fixture
def application(commitment_item, enterprise, applicant_user, officer):
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  until="notice_issued", channel=Channel.ONLINE)


def detail(client, application):
    return client.get(reverse("web-application-detail", args=[application.number]))


def unchanged(application):
    return Application.objects.get(pk=application.pk).status == Status.NOTICE_ISSUED


def test_anonymous_users_are_sent_to_sign_in(client, application):
    response = detail(client, application)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    step = client.post(reverse("web-application-withdraw", args=[application.number]))
    assert step.status_code == 302 and unchanged(application)


@pytest.mark.parametrize("persona", ["applicant_user", "colleague", "clerk", "officer", "regulator", "admin_user"])
def test_the_people_of_the_application_may_open_it(request, login, application, persona):
    assert detail(login(request.getfixturevalue(persona)), application).status_code == 200


@pytest.mark.parametrize("persona", ["outsider", "other_officer", "other_regulator"])
def test_everyone_else_is_told_it_does_not_exist(request, login, application, persona):
    client = login(request.getfixturevalue(persona))
    assert detail(client, application).status_code == 404
    for name in APPLICANT_STEPS + OFFICER_STEPS:
        assert client.post(reverse(name, args=[application.number])).status_code == 404, name
    assert unchanged(application)


@pytest.mark.parametrize("persona", ["officer", "regulator", "admin_user"])
def test_only_the_applicant_side_takes_the_applicants_steps(request, login, application, persona):
    client = login(request.getfixturevalue(persona))
    for name in APPLICANT_STEPS:
        assert client.post(reverse(name, args=[application.number])).status_code == 403, name
    assert unchanged(application)


@pytest.mark.parametrize("persona", ["applicant_user", "clerk", "regulator", "admin_user"])
def test_only_the_authoritys_officers_take_the_officers_steps(request, login, application, persona):
    client = login(request.getfixturevalue(persona))
    for name in OFFICER_STEPS:
        assert client.post(reverse(name, args=[application.number])).status_code == 403, name
    assert unchanged(application)


def test_an_unknown_number_is_404(login, applicant_user):
    assert login(applicant_user).get(reverse("web-application-detail", args=["QZ1999-000001"])).status_code == 404


def test_staff_without_the_applicants_rights_see_the_identifier_masked(login, application, regulator, enterprise):
    html = detail(login(regulator), application).content.decode()
    assert enterprise.identifier not in html and enterprise.masked_identifier in html


def test_the_deciding_officer_sees_whom_the_licence_is_for(login, application, officer, enterprise):
    assert enterprise.identifier in detail(login(officer), application).content.decode()


def test_the_query_code_is_shown_to_the_applicant_side_only(login, application, applicant_user, clerk, officer):
    assert application.query_code in detail(login(applicant_user), application).content.decode()
    assert application.query_code in detail(login(clerk), application).content.decode()
    assert application.query_code not in detail(login(officer), application).content.decode()


def test_a_regulator_reads_the_application_without_any_button(login, application, regulator):
    html = detail(login(regulator), application).content.decode()
    assert "签署并递交承诺书" not in html and "审批操作" not in html and "撤回申请" not in html


@pytest.mark.parametrize("name", ["my-applications", "my-applicants", "window-desk", "officer-desk"])
def test_an_admin_reads_applications_but_has_no_desk(login, admin_user, name):
    assert login(admin_user).get(reverse(name)).status_code == 403


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")
SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="([^"]+)"')


def test_the_pages_carry_no_inline_script_or_style_for_the_strict_csp(client, login, application, applicant_user,
                                                                      clerk, officer, enterprise):
    pages = {
        None: [reverse("progress"), reverse("commitments")],
        applicant_user: [reverse("my-applications"), reverse("my-applicants"),
                         reverse("web-application-detail", args=[application.number])],
        clerk: [reverse("window-desk"), reverse("window-applicant", args=[enterprise.pk])],
        officer: [reverse("officer-desk"), reverse("web-application-detail", args=[application.number])],
    }
    for user, urls in pages.items():
        signed_in = login(user) if user else client
        for url in urls:
            response = signed_in.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            # Scripts only from the portal's own files (htmx and lists.js, issue 15): none written inline.
            assert not INLINE_SCRIPT.search(html) and 'style="' not in html and "<style" not in html, url
            assert all(src.startswith("/static/") for src in SCRIPT_SRC.findall(html)), url
