"""The second factor (issue 8): binding an authenticator needs the password again, passing the
factor gives the session a new key, users list and remove their own devices, admins reset a
user's — each removal and reset an audit row naming who did it."""
import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from time_machine import travel

from portal import services_otp
from portal.exceptions import NotAllowed
from portal.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def authenticator_for(user, name="身份验证器"):
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def backup_codes_for(user, count=3):
    device = StaticDevice.objects.create(user=user, name="备用验证码", confirmed=True)
    for _ in range(count):
        device.token_set.create(token=StaticToken.random_token())
    return device


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


# --- (a) binding an authenticator needs the password again ---------------------------------------
def test_a_signed_in_session_alone_is_shown_no_secret_and_can_bind_nothing(login, applicant_user):
    client = login(applicant_user)
    page = client.get(reverse("otp-setup")).content.decode()
    assert "再次输入当前账号的登录密码" in page and "otpauth://" not in page and "<svg" not in page
    assert not TOTPDevice.objects.filter(user=applicant_user).exists()

    client.post(reverse("otp-setup"), {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=applicant_user, confirmed=True).exists()


def test_the_password_again_opens_the_binding_and_the_code_completes_it(login, applicant_user):
    client = login(applicant_user)
    response = client.post(reverse("otp-setup"), {"password": TEST_PASSWORD, "next": reverse("my-applications")})
    assert response.status_code == 302 and response.url.startswith(reverse("otp-setup"))
    assert "otpauth://totp/" in client.get(response.url).content.decode()
    device = TOTPDevice.objects.get(user=applicant_user, confirmed=False)

    done = client.post(reverse("otp-setup"), {"code": code_of(device), "next": reverse("my-applications")})
    assert done.status_code == 302 and done.url == reverse("my-applications")
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_password_binds_nothing_and_is_a_failed_sign_in(login, applicant_user):
    client = login(applicant_user)
    response = client.post(reverse("otp-setup"), {"password": "not-my-password"})
    assert response.status_code == 200 and "密码不正确" in response.content.decode()
    assert "otpauth://" not in client.get(reverse("otp-setup")).content.decode()
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor == applicant_user and failed.details["username"] == applicant_user.username


def test_guessing_the_password_on_the_binding_page_ends_in_the_lockout(login, applicant_user):
    client = login(applicant_user)
    answers = [client.post(reverse("otp-setup"), {"password": f"guess-{n}"}).status_code
               for n in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[-1] == 429
    assert client.post(reverse("otp-setup"), {"password": TEST_PASSWORD}).status_code == 429
    assert "otpauth://" not in client.get(reverse("otp-setup")).content.decode()


def test_the_password_given_again_holds_for_ten_minutes(login, applicant_user):
    client = login(applicant_user)
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})
    with travel(timezone.now() + dt.timedelta(minutes=11)):
        page = client.get(reverse("otp-setup")).content.decode()
    assert "otpauth://" not in page and "登录密码" in page


def test_a_new_clerk_gives_the_password_again_then_binds_and_reaches_the_desk(client, clerk):
    sign_in(client, clerk)
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    client.post(reverse("otp-setup"), {"code": code_of(device)})
    assert client.get(reverse("window-desk")).status_code == 200


# --- (b) a new session key once the second factor is passed --------------------------------------
def test_passing_the_code_gives_the_session_a_new_key(client, officer):
    device = authenticator_for(officer)
    sign_in(client, officer)
    before = client.session.session_key
    client.post(reverse("otp-verify"), {"code": code_of(device)})
    assert client.get(reverse("officer-desk")).status_code == 200
    assert client.session.session_key != before
    assert not SessionStore().exists(before)


def test_binding_an_authenticator_gives_the_session_a_new_key(client, clerk):
    sign_in(client, clerk)
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})
    client.get(reverse("otp-setup"))
    before = client.session.session_key
    client.post(reverse("otp-setup"), {"code": code_of(TOTPDevice.objects.get(user=clerk))})
    assert client.get(reverse("window-desk")).status_code == 200
    assert client.session.session_key != before and not SessionStore().exists(before)


def test_after_the_code_a_next_that_is_not_a_path_on_this_site_leads_home(client, officer):
    device = authenticator_for(officer)
    sign_in(client, officer)
    response = client.post(reverse("otp-verify"), {"code": code_of(device), "next": "\ufffd\ufffd"})
    assert response.status_code == 302 and response.url == reverse(settings.LOGIN_REDIRECT_URL)


# --- (c) one's own devices ---------------------------------------------------------------------
def test_the_devices_page_lists_the_users_authenticators_and_backup_codes(client, applicant_user):
    phone = authenticator_for(applicant_user, "我的手机")
    backup_codes_for(applicant_user, count=3)
    authenticator_for(UserFactory(), "别人的手机")
    sign_in(client, applicant_user)
    client.post(reverse("otp-verify"), {"code": code_of(phone)})
    page = client.get(reverse("otp-devices")).content.decode()
    assert "两步验证设备" in page and "我的手机" in page and "身份验证器" in page
    assert "备用验证码" in page and "剩余3个" in page and "别人的手机" not in page
    assert page.count(">删除</button>") == 2


def test_a_user_removes_one_of_their_devices_with_an_audit_row(client, applicant_user):
    phone = authenticator_for(applicant_user, "我的手机")
    old_phone = authenticator_for(applicant_user, "旧手机")
    sign_in(client, applicant_user)
    client.post(reverse("otp-verify"), {"code": code_of(phone)})
    response = client.post(reverse("otp-devices"), {"device": old_phone.persistent_id})
    assert response.status_code == 302 and response.url == reverse("otp-devices")
    assert list(TOTPDevice.objects.filter(user=applicant_user)) == [phone]
    row = AuditEvent.objects.get(action=AuditAction.OTP_DEVICE_REMOVED)
    assert row.actor == applicant_user and row.details["device"] == "旧手机" and row.details["left"] == 1


def test_no_one_removes_another_accounts_device(login, applicant_user, colleague):
    theirs = authenticator_for(colleague)
    response = login(applicant_user).post(reverse("otp-devices"), {"device": theirs.persistent_id})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OTP_DEVICE_REMOVED).exists()
    with pytest.raises(NotAllowed):
        services_otp.otp_device_remove(device=theirs, actor=applicant_user)


def test_an_applicant_who_removes_their_last_device_signs_in_with_the_password_again(client, applicant_user):
    phone = authenticator_for(applicant_user)
    sign_in(client, applicant_user)
    client.post(reverse("otp-verify"), {"code": code_of(phone)})
    client.post(reverse("otp-devices"), {"device": phone.persistent_id})
    client.post(reverse("logout"))
    assert sign_in(client, applicant_user).url == reverse(settings.LOGIN_REDIRECT_URL)


def test_staff_who_remove_their_last_device_are_sent_to_bind_a_new_one(client, officer):
    phone = authenticator_for(officer)
    sign_in(client, officer)
    client.post(reverse("otp-verify"), {"code": code_of(phone)})
    response = client.post(reverse("otp-devices"), {"device": phone.persistent_id})
    assert response.status_code == 302 and response.url.startswith(reverse("otp-setup"))
    desk = client.get(reverse("officer-desk"))
    assert desk.status_code == 302 and desk.url.startswith(reverse("otp-setup"))
    assert AuditEvent.objects.get(action=AuditAction.OTP_DEVICE_REMOVED).details["left"] == 0


# --- (d) admins reset a user's devices -----------------------------------------------------------
def test_an_admin_resets_a_users_devices_from_the_user_list(login, admin_user, officer):
    authenticator_for(officer)
    backup_codes_for(officer)
    response = login(admin_user).post(reverse("admin:portal_user_changelist"),
                                      {"action": "reset_second_factor", "_selected_action": [officer.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    row = AuditEvent.objects.get(action=AuditAction.OTP_DEVICES_RESET)
    assert row.actor == admin_user and row.object_id == str(officer.pk) and row.details["removed"] == 2


def test_after_a_reset_the_user_binds_a_new_authenticator_at_the_next_sign_in(client, admin_user, officer):
    authenticator_for(officer)
    services_otp.otp_devices_reset(user=officer, actor=admin_user)
    assert sign_in(client, officer).url.startswith(reverse("otp-setup"))


def test_only_an_admin_may_reset_devices(officer, regulator):
    authenticator_for(officer)
    with pytest.raises(NotAllowed):
        services_otp.otp_devices_reset(user=officer, actor=regulator)
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OTP_DEVICES_RESET).exists()


def test_the_admin_site_shows_no_ones_authenticator_secret(login, admin_user):
    client = login(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- (e) what the check costs (issue 13) ---------------------------------------------------------
def test_an_applicant_without_a_device_is_asked_both_kinds_of_device_in_one_statement(client, applicant_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, applicant_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("my-applications")).status_code == 200
    asked = [q["sql"] for q in queries if "otp_totp_totpdevice" in q["sql"] or "otp_static_staticdevice" in q["sql"]]
    assert len(asked) == 1 and "otp_totp_totpdevice" in asked[0] and "otp_static_staticdevice" in asked[0]


def test_a_session_past_its_second_factor_reads_only_the_device_it_passed_with(client, applicant_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    phone = authenticator_for(applicant_user)
    sign_in(client, applicant_user)
    client.post(reverse("otp-verify"), {"code": code_of(phone)})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("my-applications")).status_code == 200
    # the one device read is django-otp's of the device the session passed with, by its id
    device_reads = [q["sql"] for q in queries if "otp_totp_totpdevice" in q["sql"] or "otp_static_staticdevice" in q["sql"]]
    assert len(device_reads) == 1 and f'"otp_totp_totpdevice"."id" = {phone.pk}' in device_reads[0]


def test_an_authenticator_bound_in_another_browser_is_asked_for_at_this_sessions_next_page(client, applicant_user):
    sign_in(client, applicant_user)
    assert client.get(reverse("my-applications")).status_code == 200
    authenticator_for(applicant_user)  # bound elsewhere, while this session is signed in
    page = client.get(reverse("my-applications"))
    assert page.status_code == 302 and page.url.startswith(reverse("otp-verify"))


def test_backup_codes_alone_count_as_a_device(client, applicant_user):
    sign_in(client, applicant_user)
    backup_codes_for(applicant_user)
    page = client.get(reverse("my-applications"))
    assert page.status_code == 302 and page.url.startswith(reverse("otp-verify"))
