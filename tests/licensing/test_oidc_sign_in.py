"""Issue 16, one sign-in: applicants sign in through 广西统一身份认证 (licensing/oidc.py), here a real
OpenID Connect provider on 127.0.0.1 (oidc_provider.py). The browser is Django's test client; its visit to
the provider is a real HTTP request, and so are the portal's own calls to the token, jwks and userinfo
endpoints."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse

from licensing.constants import ClaimStatus
from licensing.models import Applicant, ApplicantMembership
from portal.constants import Role
from portal.models import AuditAction, AuditEvent, ExternalIdentity
from tests.factories import TEST_PASSWORD, ApplicantFactory, UserFactory, valid_uscc
from tests.licensing import oidc_provider

User = get_user_model()
ZHANG = {"sub": "gx-0001", "name": "张三", "email": "zhangsan@example.cn"}


@pytest.fixture(scope="module")
def running_provider():
    provider, server = oidc_provider.start()
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider(running_provider, settings, db):
    for name, value in running_provider.settings().items():
        setattr(settings, name, value)
    running_provider.person, running_provider.tamper = {}, False
    return running_provider


def go_to_provider(client):
    """The button, then the provider's authorize page (which approves at once): where it sends the browser."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302, start
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    return urlsplit(at_provider.headers["Location"])


def sign_in(client, provider, person):
    provider.person = person
    back = go_to_provider(client)
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return None if user_id is None else User.objects.get(pk=user_id)


def said_on_the_login_page(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == reverse("login")
    return client.get(reverse("login")).content.decode()


def enterprise_claims(uscc, *, vouched=True):
    return {**ZHANG, "uscc": uscc, "ent_name": "钦州市好客旅馆有限公司", "ent_verified": vouched}


def test_the_first_sign_in_creates_an_applicant_account_linked_by_sub(client, provider):
    response = sign_in(client, provider, ZHANG)

    assert response.status_code == 302 and response["Location"] == reverse("start")
    user = signed_in_user(client)
    assert (user.role, user.full_name, user.email) == (Role.APPLICANT, "张三", "zhangsan@example.cn")
    assert not user.has_usable_password() and user.username.startswith("gx_")
    link = ExternalIdentity.objects.get(user=user)
    assert (link.provider, link.subject) == ("gxzw", "gx-0001")
    assert link.linked_at and link.last_sign_in_at
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_REGISTER, details__via="统一身份认证").exists()


def test_the_next_sign_in_finds_the_account_by_sub_although_the_email_changed(client, provider):
    sign_in(client, provider, ZHANG)
    first = signed_in_user(client)
    client.logout()
    UserFactory(role=Role.APPLICANT, email="new@example.cn")  # a local account with the new address

    sign_in(client, provider, {**ZHANG, "email": "new@example.cn", "name": "张 三"})

    user = signed_in_user(client)
    assert user == first
    assert (user.email, user.full_name) == ("new@example.cn", "张 三")
    assert ExternalIdentity.objects.count() == 1


def test_a_local_account_with_the_same_email_is_never_signed_in_by_it(client, provider):
    local = UserFactory(role=Role.APPLICANT, email=ZHANG["email"])

    sign_in(client, provider, ZHANG)

    assert signed_in_user(client) != local


def test_a_vouched_enterprise_claim_verifies_the_link_and_the_applicant_may_act_for_it(client, provider):
    uscc = valid_uscc(901)

    sign_in(client, provider, enterprise_claims(uscc))

    user = signed_in_user(client)
    enterprise = Applicant.objects.get(identifier=uscc)
    claim = ApplicantMembership.objects.get(user=user, applicant=enterprise)
    assert (claim.status, claim.verified_via) == (ClaimStatus.VERIFIED, "统一身份认证")
    assert AuditEvent.objects.filter(action=AuditAction.CLAIM_VERIFY, details__via="统一身份认证").exists()
    assert user.has_perm("licensing.sign_commitment", enterprise)
    assert user.has_perm("licensing.apply_for", enterprise)


def test_it_verifies_the_link_to_an_enterprise_already_known(client, provider):
    enterprise = ApplicantFactory(identifier=valid_uscc(902), name="钦州市好客旅馆有限公司")

    sign_in(client, provider, enterprise_claims(enterprise.identifier))

    assert signed_in_user(client).has_perm("licensing.sign_commitment", enterprise)
    assert Applicant.objects.filter(identifier=enterprise.identifier).count() == 1


def test_an_enterprise_the_provider_does_not_vouch_for_is_not_linked(client, provider):
    sign_in(client, provider, enterprise_claims(valid_uscc(903), vouched=False))

    assert signed_in_user(client) is not None
    assert not ApplicantMembership.objects.exists() and not Applicant.objects.exists()


def test_a_code_that_fails_its_check_character_is_refused_and_nothing_is_stored(client, provider):
    good = valid_uscc(904)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    users = User.objects.count()

    response = sign_in(client, provider, enterprise_claims(bad))

    assert "统一社会信用代码未通过校验" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None
    assert User.objects.count() == users
    assert not ExternalIdentity.objects.exists() and not Applicant.objects.exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICER, Role.REGULATOR, Role.ADMIN])
def test_a_staff_account_cannot_sign_in_through_it(client, provider, role):
    staff = UserFactory(role=role)
    ExternalIdentity.objects.create(provider="gxzw", subject="gx-staff", user=staff, linked_at="2024-01-01T00:00Z")

    response = sign_in(client, provider, {"sub": "gx-staff", "name": "王五"})

    assert "工作人员账号不能通过统一身份认证登录" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None
    assert ExternalIdentity.objects.get(subject="gx-staff").last_sign_in_at is None


def test_a_deactivated_account_cannot_sign_in_through_it(client, provider):
    sign_in(client, provider, ZHANG)
    User.objects.filter(pk=signed_in_user(client).pk).update(is_active=False)
    client.logout()

    response = sign_in(client, provider, ZHANG)

    assert "该账号已停用" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None


def test_a_bad_state_ends_at_the_login_page_without_a_session(client, provider):
    provider.person = ZHANG
    back = go_to_provider(client)
    code = parse_qs(back.query)["code"][0]

    response = client.get(back.path, {"code": code, "state": "not-the-state-we-sent"})

    assert "登录未成功" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None and not ExternalIdentity.objects.exists()


def test_a_callback_without_a_sign_in_started_ends_at_the_login_page(client, provider):
    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})

    assert "登录未成功" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None


def test_a_tampered_id_token_ends_at_the_login_page_without_a_session(client, provider):
    provider.tamper = True

    response = sign_in(client, provider, ZHANG)

    assert "登录未成功" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None and not ExternalIdentity.objects.exists()


def test_a_wrong_client_secret_ends_at_the_login_page(client, provider, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"

    response = sign_in(client, provider, ZHANG)

    assert "登录未成功" in said_on_the_login_page(client, response)
    assert signed_in_user(client) is None


def test_a_provider_that_refuses_sends_the_person_back_to_the_login_page(client, provider):
    client.get(reverse("oidc_authentication_init"))

    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied", "state": "s"})

    assert "登录未成功" in said_on_the_login_page(client, response)


def test_the_login_page_offers_the_unified_sign_in_when_configured(client, provider):
    page = client.get(reverse("login")).content.decode()

    assert "通过广西统一身份认证登录" in page and reverse("oidc_authentication_init") in page


@pytest.mark.parametrize("configured", [True, False])
def test_local_sign_in_keeps_working(client, request, configured, applicant_user):
    if configured:
        request.getfixturevalue("provider")

    response = client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert signed_in_user(client) == applicant_user


def test_while_not_configured_there_is_no_button_and_the_routes_answer_404(client, db):
    page = client.get(reverse("login")).content.decode()

    assert "通过广西统一身份认证登录" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"}).status_code == 404
