"""Signing in (issue 4): Argon2, strong passwords, lockout after repeated failures, staff's
second factor on the web and for API tokens, applicants free to enable it."""
import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.models import AuditAction, AuditEvent
from portal.settings import base as base_settings
from tests.factories import TEST_PASSWORD, second_factor_code

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def sign_in(client, user, password=TEST_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def authenticator_for(user):
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


# --- passwords ------------------------------------------------------------------------------
def test_passwords_are_stored_with_argon2id_outside_the_test_settings():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("a-long-pass-phrase", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$") and Argon2PasswordHasher().verify("a-long-pass-phrase", encoded)


@pytest.mark.parametrize("password", ["Short-pw-1", "password1234", "123456789012"])
def test_short_common_or_numeric_passwords_are_refused_with_a_chinese_reason(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert all(CHINESE.search(message) for message in refused.value.messages)


# --- lockout --------------------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, applicant_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, applicant_user, "wrong-password").status_code == 200
    locked = sign_in(client, applicant_user, "wrong-password")
    assert locked.status_code == 429 and "锁定30分钟" in locked.content.decode()

    right = sign_in(client, applicant_user)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_in_the_audit_trail(client, applicant_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, applicant_user, "wrong-password")
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, outcome="failed")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert failures.first().details["username"] == applicant_user.username
    locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.outcome == "denied" and locked.ip_address == "127.0.0.1"


def test_one_address_guessing_many_user_names_is_locked_out(client, applicant_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess-{n}", "password": "wrong-password"})
    assert sign_in(client, applicant_user).status_code == 429


def test_a_locked_user_name_is_locked_from_another_address_too(client, applicant_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, applicant_user, "wrong-password")
    assert sign_in(client, applicant_user, REMOTE_ADDR="10.20.30.40").status_code == 429


def test_the_api_token_endpoint_is_locked_out_with_a_chinese_429(applicant_user):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": applicant_user.username, "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": applicant_user.username, "password": TEST_PASSWORD},
                        format="json")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]


# --- the second factor on the web -----------------------------------------------------------
def test_a_clerk_with_only_a_password_cannot_open_the_window_desk(client, clerk):
    response = sign_in(client, clerk)
    assert response.status_code == 302 and response.url.startswith(reverse("otp-setup"))
    desk = client.get(reverse("window-desk"))
    assert desk.status_code == 302 and desk.url.startswith(reverse("otp-setup"))


def test_a_clerk_sets_up_an_authenticator_and_then_reaches_the_desk(client, clerk):
    sign_in(client, clerk)
    assert "工作人员账号须启用动态验证码" in client.get(reverse("otp-setup")).content.decode()
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})  # the password again first (issue 8)
    page = client.get(reverse("otp-setup"))
    html = page.content.decode()
    assert "<svg" in html and "otpauth://totp/" in html and "工作人员账号须启用动态验证码" in html
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)

    response = client.post(reverse("otp-setup"), {"code": code_of(device), "next": reverse("window-desk")})
    assert response.status_code == 302 and response.url == reverse("window-desk")
    assert client.get(reverse("window-desk")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OTP_DEVICE_CONFIRMED, actor=clerk).exists()


def test_an_officer_with_an_authenticator_must_enter_its_code(client, officer):
    device = authenticator_for(officer)
    response = sign_in(client, officer)
    assert response.url.startswith(reverse("otp-verify"))
    assert client.get(reverse("officer-desk")).url.startswith(reverse("otp-verify"))

    wrong = client.post(reverse("otp-verify"), {"code": "000000"})
    assert "动态验证码不正确" in wrong.content.decode()
    assert client.get(reverse("officer-desk")).status_code == 302

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2)):  # the back-off after a wrong code
        client.post(reverse("otp-verify"), {"code": code_of(device)})
        assert client.get(reverse("officer-desk")).status_code == 200
    assert list(AuditEvent.objects.filter(actor=officer, action__startswith="otp").values_list("action", "outcome")) \
        == [(AuditAction.OTP_VERIFIED, "success"), (AuditAction.OTP_FAILED, "failed")]


def test_a_code_sent_during_the_back_off_is_not_tried(client, officer):
    device = authenticator_for(officer)
    sign_in(client, officer)
    client.post(reverse("otp-verify"), {"code": "000000"})
    response = client.post(reverse("otp-verify"), {"code": code_of(device)})
    assert "错误次数过多" in response.content.decode()
    assert client.get(reverse("officer-desk")).status_code == 302


def test_a_password_alone_cannot_add_a_second_authenticator(client, regulator):
    authenticator_for(regulator)
    sign_in(client, regulator)
    response = client.get(reverse("otp-setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp-verify"))
    assert TOTPDevice.objects.filter(user=regulator).count() == 1


def test_the_admin_site_sends_an_unverified_admin_to_the_code_page(client, admin_user):
    authenticator_for(admin_user)
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("otp-verify"))


def test_the_api_refuses_an_unverified_staff_session(client, officer):
    client.force_login(officer)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 403 and "动态验证码" in response.json()["detail"]


def test_staff_signed_in_through_the_login_fixture_are_verified(login, clerk):
    assert login(clerk).get(reverse("window-desk")).status_code == 200


# --- applicants -----------------------------------------------------------------------------
def test_applicants_are_not_asked_for_a_second_factor(client, applicant_user):
    response = sign_in(client, applicant_user)
    assert response.status_code == 302 and response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("my-applications")).status_code == 200


def test_an_applicant_who_enabled_it_must_enter_the_code(client, applicant_user):
    device = authenticator_for(applicant_user)
    assert sign_in(client, applicant_user).url.startswith(reverse("otp-verify"))
    assert client.get(reverse("my-applications")).status_code == 302
    client.post(reverse("otp-verify"), {"code": code_of(device)})
    assert client.get(reverse("my-applications")).status_code == 200


def test_an_applicant_may_enable_the_second_factor(login, applicant_user):
    client = login(applicant_user)
    assert reverse("otp-devices") in client.get(reverse("home")).content.decode()
    assert reverse("otp-setup") in client.get(reverse("otp-devices")).content.decode()
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})
    page = client.get(reverse("otp-setup")).content.decode()
    assert "otpauth://totp/" in page and "工作人员账号须启用" not in page
    device = TOTPDevice.objects.get(user=applicant_user)
    client.post(reverse("otp-setup"), {"code": code_of(device)})
    device.refresh_from_db()
    assert device.confirmed


# --- API tokens -----------------------------------------------------------------------------
def token_request(user, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": TEST_PASSWORD, **extra},
                            format="json")


def test_an_applicant_gets_a_token_with_the_password(applicant_user):
    assert token_request(applicant_user).status_code == 200


def test_staff_get_no_token_with_a_password_alone(officer):
    response = token_request(officer)
    assert response.status_code == 400 and CHINESE.search(str(response.json()))
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_staff_get_a_token_with_the_password_and_a_code(officer):
    assert token_request(officer, otp=second_factor_code(officer)).status_code == 200


def test_staff_get_no_token_with_a_wrong_code(officer):
    second_factor_code(officer)
    assert token_request(officer, otp="12345678").status_code == 400
