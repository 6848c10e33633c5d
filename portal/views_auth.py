"""Sign-in pages: password, then the second factor (TOTP) for staff and whoever enabled it."""
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit
from portal.models import AuditAction, AuditOutcome
from portal.security import is_verified, needs_second_factor, second_factor_throttled, verify_code

DEVICE_NAME = "身份验证器"
WRONG_CODE = "动态验证码不正确或已过期，请打开身份验证器查看最新的6位数字后重新输入。"
THROTTLED = "动态验证码错误次数过多，请稍等片刻再试。"


class CodeForm(forms.Form):
    code = forms.CharField(label="动态验证码", max_length=16, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class PortalLoginView(auth_views.LoginView):
    """The password step; staff continue to the code page (or to set one up)."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "expired": bool(self.request.GET.get("expired"))}

    def get_success_url(self):
        next_url = super().get_success_url()
        user = self.request.user
        if needs_second_factor(user):
            target = "otp-verify" if user_has_device(user) else "otp-setup"
            return f"{reverse(target)}?{urlencode({'next': next_url})}"
        return next_url


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_verify(request):
    user = request.user
    if is_verified(user) or not needs_second_factor(user):
        return redirect(_next_url(request))
    if not user_has_device(user):
        return redirect(f"{reverse('otp-setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = second_factor_throttled(user)  # a code sent while waiting is not even tried
        device = None if throttled else verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit.record(request, AuditAction.OTP_VERIFIED, user, AuditOutcome.SUCCESS, device=device.name)
            return redirect(_next_url(request))
        audit.record(request, AuditAction.OTP_FAILED, user, AuditOutcome.FAILED, throttled=throttled)
        form.add_error("code", THROTTLED if throttled else WRONG_CODE)
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_setup(request):
    """Binds an authenticator app. With a device already bound, only after passing it: the
    password alone must not be enough to add an attacker's device."""
    user = request.user
    if user_has_device(user) and not is_verified(user):
        return redirect(f"{reverse('otp-verify')}?{urlencode({'next': _next_url(request)})}")
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(request, AuditAction.OTP_DEVICE_CONFIRMED, user, AuditOutcome.SUCCESS)
            messages.success(request, "已绑定身份验证器，以后登录时需输入其中显示的动态验证码。")
            return redirect(_next_url(request))
        audit.record(request, AuditAction.OTP_FAILED, user, AuditOutcome.FAILED, step="setup")
        form.add_error("code", WRONG_CODE)
    return render(request, "registration/otp_setup.html", {
        "form": form, "next": _next_url(request), "uri": device.config_url,
        "secret": b32encode(device.bin_key).decode(), "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=4, title="扫描此二维码绑定身份验证器"),
        "forced": needs_second_factor(user) and not user_has_device(user),
    })


def _pending_device(user):
    """The unconfirmed device being set up: the same one across reloads of the page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=DEVICE_NAME)
