"""Sign-in pages: password, then the second factor (TOTP) for staff and whoever enabled it;
binding an authenticator (the password again first), and the page of one's own devices."""
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit, services_otp
from portal.models import AuditAction, AuditOutcome
from portal.security import (has_confirmed_device, is_staff_user, is_verified, needs_second_factor,
                             second_factor_throttled, verify_code)

DEVICE_NAME = "身份验证器"  # stored in Chinese, found again by it (_pending_device); shown translated (services_otp)
WRONG_CODE = gettext_lazy("动态验证码不正确或已过期，请打开身份验证器查看最新的6位数字后重新输入。")
THROTTLED = gettext_lazy("动态验证码错误次数过多，请稍等片刻再试。")
WRONG_PASSWORD = gettext_lazy("密码不正确，请重新输入当前账号的登录密码。")
NO_SUCH_DEVICE = gettext_lazy("没有找到这个两步验证设备，可能已被删除。")
# Binding an authenticator needs the password again (issue 8): a session taken over without
# the password must not add an attacker's device. The confirmation holds this long.
PASSWORD_AGAIN_AT = "portal_otp_setup_password_at"
PASSWORD_AGAIN_SECONDS = 10 * 60


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("动态验证码"), max_length=16, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class PasswordAgainForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("登录密码"), strip=False, max_length=256, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password", "autofocus": True}))


class PortalLoginView(auth_views.LoginView):
    """The password step; staff continue to the code page (or to set one up)."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "expired": bool(self.request.GET.get("expired"))}

    def get_success_url(self):
        next_url = super().get_success_url()
        user = self.request.user
        if needs_second_factor(user):
            target = "otp-verify" if has_confirmed_device(user) else "otp-setup"
            return f"{reverse(target)}?{urlencode({'next': next_url})}"
        return next_url


def _next_url(request):
    """Where to go after the code: a path on this site, or home. Anything else (another host, a
    word that redirect() would take for a view name, control characters) is ignored."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and candidate.isprintable() and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_verify(request):
    user = request.user
    if is_verified(user) or not needs_second_factor(user):
        return redirect(_next_url(request))
    if not has_confirmed_device(user):
        return redirect(f"{reverse('otp-setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = second_factor_throttled(user)  # a code sent while waiting is not even tried
        device = None if throttled else verify_code(user, form.cleaned_data["code"])
        if device is not None:
            _pass_second_factor(request, device)
            audit.record(request, AuditAction.OTP_VERIFIED, user, AuditOutcome.SUCCESS, device=device.name)
            return redirect(_next_url(request))
        audit.record(request, AuditAction.OTP_FAILED, user, AuditOutcome.FAILED, throttled=throttled)
        form.add_error("code", THROTTLED if throttled else WRONG_CODE)
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code", "password")
@login_required
def otp_setup(request):
    """Binds an authenticator app, after the account's password is given again. With a device
    already bound, only after passing it too: a password alone must not add a second device."""
    user = request.user
    if has_confirmed_device(user) and not is_verified(user):
        return redirect(f"{reverse('otp-verify')}?{urlencode({'next': _next_url(request)})}")
    if not _password_given_again(request):
        return _ask_password_again(request)
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            device.confirmed = True
            device.save()
            request.session.pop(PASSWORD_AGAIN_AT, None)
            _pass_second_factor(request, device)
            audit.record(request, AuditAction.OTP_DEVICE_CONFIRMED, user, AuditOutcome.SUCCESS)
            messages.success(request, _("已绑定身份验证器，以后登录时需输入其中显示的动态验证码。"))
            return redirect(_next_url(request))
        audit.record(request, AuditAction.OTP_FAILED, user, AuditOutcome.FAILED, step="setup")
        form.add_error("code", WRONG_CODE)
    return render(request, "registration/otp_setup.html", {
        "form": form, "next": _next_url(request), "uri": device.config_url,
        "secret": b32encode(device.bin_key).decode(), "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=4, title=_("扫描此二维码绑定身份验证器")),
        "forced": _forced(user),
    })


def _forced(user):
    return needs_second_factor(user) and not has_confirmed_device(user)


def _pass_second_factor(request, device):
    """The session is now verified: a new session key, so a key learnt before is worth nothing."""
    request.session.cycle_key()
    otp_login(request, device)


def _password_given_again(request):
    given_at = request.session.get(PASSWORD_AGAIN_AT)
    return given_at is not None and 0 <= timezone.now().timestamp() - given_at <= PASSWORD_AGAIN_SECONDS


def _ask_password_again(request):
    """The password step of binding. It goes through authenticate(), so a wrong password is a
    failed sign-in: in the audit trail, and towards the lockout (a 429 once locked)."""
    user = request.user
    form = PasswordAgainForm(request.POST if request.method == "POST" and "password" in request.POST else None)
    if form.is_bound and form.is_valid():
        again = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        if again is not None and again.pk == user.pk:
            request.session[PASSWORD_AGAIN_AT] = timezone.now().timestamp()
            return redirect(f"{reverse('otp-setup')}?{urlencode({'next': _next_url(request)})}")
        form.add_error("password", WRONG_PASSWORD)
    return render(request, "registration/otp_setup_password.html", {
        "form": form, "next": _next_url(request), "forced": _forced(user)})


def _pending_device(user):
    """The unconfirmed device being set up: the same one across reloads of the page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=DEVICE_NAME)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def otp_devices(request):
    """两步验证设备: the user's own authenticators and backup codes, each with a remove button.
    A staff member who removes their last one is sent to bind a new one."""
    user = request.user
    if request.method == "POST":
        device = services_otp.otp_device_of(user, request.POST.get("device", ""))
        if device is None:
            raise Http404(NO_SUCH_DEVICE)
        left = services_otp.otp_device_remove(device=device, actor=user)
        if left == 0 and is_staff_user(user):
            messages.warning(request, _("已删除最后一个两步验证设备。工作人员账号须重新绑定身份验证器后才能继续使用。"))
            return redirect(f"{reverse('otp-setup')}?{urlencode({'next': reverse('otp-devices')})}")
        removed = _("已删除“%(device)s”。") % {"device": services_otp.device_label(device)}
        messages.success(request, removed + ("" if left else _("登录时不再需要动态验证码。")))
        return redirect("otp-devices")
    return render(request, "registration/otp_devices.html", {
        "devices": services_otp.otp_devices_of(user), "staff": is_staff_user(user)})
