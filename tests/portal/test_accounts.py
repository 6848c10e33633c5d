"""Accounts people expect (issue 8): applicants register themselves, everyone changes their password
and resets a forgotten one through a link that works once and for an hour, by mail."""
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail.backends.locmem import EmailBackend as MemoryMail
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal import services_accounts
from portal.constants import Role
from portal.exceptions import Conflict
from portal.models import AuditAction, AuditEvent, AuditOutcome, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qinzhou-Brand-New-2026"
LINK = re.compile(r"https?://testserver(/accounts/password/reset/\S+/)")


def registration(**changes):
    return {"username": "zhaoliu", "full_name": "赵六", "email": "zhaoliu@example.com",
            "new_password1": "Qinzhou-Zhaoliu-2026", "new_password2": "Qinzhou-Zhaoliu-2026", **changes}


def audit_rows(action):
    return list(AuditEvent.objects.filter(action=action))


def errors_of(response):
    """The messages shown beside the fields."""
    return re.findall(r'<p class="error" role="alert">([^<]+)</p>', response.content.decode())


# --- registering ------------------------------------------------------------------------------

def test_a_visitor_registers_as_an_applicant_and_goes_straight_on_to_their_applicants(client):
    response = client.post(reverse("register"), registration())

    assert response.status_code == 302 and response["Location"] == reverse("my-applicants")
    user = User.objects.get(username="zhaoliu")
    assert (user.role, user.full_name, user.email) == (Role.APPLICANT, "赵六", "zhaoliu@example.com")
    assert not user.is_staff and not user.is_superuser and user.check_password("Qinzhou-Zhaoliu-2026")
    page = client.get(reverse("my-applicants"))  # signed in already
    assert page.status_code == 200 and "办理主体" in page.content.decode()
    [row] = audit_rows(AuditAction.ACCOUNT_REGISTER)
    assert row.actor == user and row.object_id == str(user.pk)


def test_registering_cannot_ask_for_staff_rights(client):
    client.post(reverse("register"), registration(role=Role.ADMIN, is_staff="on", is_superuser="on"))

    user = User.objects.get(username="zhaoliu")
    assert user.role == Role.APPLICANT and not user.is_staff and not user.is_superuser


@pytest.mark.parametrize(("changes", "field_says"), [
    ({"new_password1": "Qz-short-1", "new_password2": "Qz-short-1"}, "密码太短，至少需要12个字符。"),
    ({"new_password1": "password1234", "new_password2": "password1234"}, "这个密码太常见了。"),
    ({"new_password2": "Qinzhou-Zhaoliu-2027"}, "两次输入的密码不一致，请重新输入。"),
    ({"username": "ZhangSan"}, services_accounts.USERNAME_TAKEN),
    ({"username": "张 三!"}, services_accounts.USERNAME_INVALID),
    ({"email": "not-an-address"}, "请填写有效的电子邮箱地址。"),
    ({"full_name": "  "}, "此项为必填项。"),
], ids=["short-password", "common-password", "mismatch", "taken-username", "bad-username", "bad-email",
        "no-name"])
def test_a_refused_registration_says_why_in_chinese_and_creates_nothing(client, changes, field_says):
    UserFactory(username="zhangsan")  # taken, whatever the case typed
    before = User.objects.count()

    response = client.post(reverse("register"), registration(**changes))

    assert response.status_code == 400
    assert field_says in errors_of(response)
    assert User.objects.count() == before
    assert audit_rows(AuditAction.ACCOUNT_REGISTER) == []
    assert client.get(reverse("my-applicants")).status_code == 302  # not signed in


def test_every_problem_of_a_registration_shows_at_once(client):
    UserFactory(username="zhangsan")
    response = client.post(reverse("register"), registration(username="zhangsan", new_password1="password1234",
                                                             new_password2="password1234"))
    assert {services_accounts.USERNAME_TAKEN, "这个密码太常见了。"} <= set(errors_of(response))


def test_someone_signed_in_is_not_offered_another_account(login, applicant_user):
    client = login(applicant_user)
    before = User.objects.count()

    response = client.post(reverse("register"), registration())

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert User.objects.count() == before


# --- changing the password ---------------------------------------------------------------------

def change(client, old=TEST_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(reverse("password-change"), {"old_password": old, "new_password1": new,
                                                     "new_password2": again or new})


def test_a_user_changes_their_password_stays_signed_in_and_their_other_sessions_end(client, login, applicant_user):
    elsewhere = Client()
    elsewhere.force_login(applicant_user)
    token = Token.objects.create(user=applicant_user)
    login(applicant_user)

    response = change(client)

    assert response.status_code == 302
    applicant_user.refresh_from_db()
    assert applicant_user.check_password(NEW_PASSWORD)
    assert client.get(reverse("my-applications")).status_code == 200
    assert elsewhere.get(reverse("my-applications")).status_code == 302  # sent to sign in again
    assert not Token.objects.filter(pk=token.pk).exists()
    [row] = audit_rows(AuditAction.PASSWORD_CHANGE)
    assert row.actor == applicant_user


def test_staff_change_their_password_too(login, officer):
    client = login(officer)
    assert change(client).status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("kwargs", "field_says"), [
    ({"old": "Not-My-Password-1"}, services_accounts.OLD_PASSWORD_WRONG),
    ({"new": "Qz-short-1"}, "密码太短，至少需要12个字符。"),
    ({"again": "Qinzhou-Brand-New-2027"}, "两次输入的密码不一致，请重新输入。"),
], ids=["wrong-old-password", "short-new-password", "mismatch"])
def test_a_refused_password_change_changes_nothing(login, applicant_user, kwargs, field_says):
    client = login(applicant_user)

    response = change(client, **kwargs)

    assert response.status_code == 400 and field_says in errors_of(response)
    applicant_user.refresh_from_db()
    assert applicant_user.check_password(TEST_PASSWORD)
    assert audit_rows(AuditAction.PASSWORD_CHANGE) == []


def test_changing_a_password_needs_signing_in(client):
    response = client.get(reverse("password-change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- resetting a forgotten password -----------------------------------------------------------

@pytest.fixture
def forgetful(db):
    return UserFactory(username="forgetful", email="forgetful@example.com", full_name="健忘")


@pytest.fixture
def ask_for_reset(client, django_capture_on_commit_callbacks):
    """Ask for a reset link, as a visitor; the mail leaves once the request's work is committed."""
    def ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password-reset"), {"email": email})
    return ask


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def reset_with(client, link, password=NEW_PASSWORD):
    """Open the link (it moves the token into the session), then set the password."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_a_forgotten_password_is_reset_once_through_the_mailed_link(client, forgetful, mailoutbox, ask_for_reset):
    response = ask_for_reset("Forgetful@Example.com")

    assert response.status_code == 302 and response["Location"] == reverse("password-reset-done")
    [message] = mailoutbox
    assert message.to == ["forgetful@example.com"] and "forgetful" in message.body
    link = link_in(message)
    done = reset_with(client, link)
    assert done.status_code == 302 and done["Location"] == reverse("login")
    forgetful.refresh_from_db()
    assert forgetful.check_password(NEW_PASSWORD)
    assert client.post(reverse("login"), {"username": "forgetful", "password": NEW_PASSWORD}).status_code == 302

    # The same link a second time: refused, and the password stays.
    again = reset_with(Client(), link, "Qinzhou-Someone-Else-1")
    assert again.status_code == 200 and "链接无效" in again.content.decode()
    forgetful.refresh_from_db()
    assert forgetful.check_password(NEW_PASSWORD)


def test_the_link_expires_after_password_reset_timeout(client, forgetful, mailoutbox, at, ask_for_reset):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    with at(2026, 3, 2, 9, 0):
        ask_for_reset(forgetful.email)
    link = link_in(mailoutbox[0])

    with at(2026, 3, 2, 10, 1):
        late = reset_with(client, link)
    assert late.status_code == 200 and "链接无效" in late.content.decode()
    forgetful.refresh_from_db()
    assert forgetful.check_password(TEST_PASSWORD)

    with at(2026, 3, 2, 9, 59):  # still within the hour
        assert reset_with(client, link).status_code == 302
    forgetful.refresh_from_db()
    assert forgetful.check_password(NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, forgetful, mailoutbox, ask_for_reset):
    known = ask_for_reset(forgetful.email)
    mailoutbox.clear()

    unknown = ask_for_reset("stranger@example.com")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mailoutbox == []
    rows = audit_rows(AuditAction.PASSWORD_RESET_REQUEST)
    assert [row.outcome for row in rows] == [AuditOutcome.FAILED, AuditOutcome.SUCCESS]  # newest first
    assert all("example.com" not in f"{row.details} {row.object_repr}" for row in rows)


def test_an_address_that_cannot_be_mailed_still_gets_the_same_answer(client, forgetful, ask_for_reset):
    with override_settings(EMAIL_BACKEND="tests.portal.test_accounts.BrokenMailServer"):
        response = ask_for_reset(forgetful.email)
    assert response.status_code == 302 and response["Location"] == reverse("password-reset-done")


class BrokenMailServer(MemoryMail):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_new_password_through_the_link_follows_the_rules(client, forgetful, mailoutbox, ask_for_reset):
    ask_for_reset(forgetful.email)
    link = link_in(mailoutbox[0])

    refused = reset_with(client, link, "password1234")

    assert refused.status_code == 400 and "这个密码太常见了。" in errors_of(refused)
    forgetful.refresh_from_db()
    assert forgetful.check_password(TEST_PASSWORD)
    assert reset_with(client, link).status_code == 302  # the link was not used up


def test_a_reset_signs_out_every_session_and_ends_api_tokens(client, forgetful, mailoutbox, ask_for_reset):
    elsewhere = Client()
    elsewhere.force_login(forgetful)
    token = Token.objects.create(user=forgetful)
    ask_for_reset(forgetful.email)

    reset_with(client, link_in(mailoutbox[0]))

    assert elsewhere.get(reverse("my-applications")).status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    [row] = audit_rows(AuditAction.PASSWORD_RESET)
    assert row.actor == forgetful


def test_one_link_submitted_twice_sets_the_password_once(forgetful):
    token = default_token_generator.make_token(forgetful)
    services_accounts.account_reset_password(user=forgetful, token=token, new_password=NEW_PASSWORD)

    with pytest.raises(Conflict):
        services_accounts.account_reset_password(user=forgetful, token=token, new_password="Qinzhou-Second-Try-1")
    forgetful.refresh_from_db()
    assert forgetful.check_password(NEW_PASSWORD)


# --- where people find these pages -----------------------------------------------------------

def test_the_sign_in_page_offers_registering_and_a_forgotten_password(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("register")}">注册<' in page
    assert f'href="{reverse("password-reset")}">忘记密码<' in page


@pytest.mark.parametrize("persona", ["applicant_user", "clerk", "officer", "admin_user"])
def test_every_signed_in_user_finds_change_password_in_the_header(request, login, persona):
    client = login(request.getfixturevalue(persona))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password-change")}">修改密码<' in page
