"""Sign-in rules (issue 4; 等保 2.0 三级 身份鉴别, OWASP ASVS L2 V2/V3).

- Lockout: django-axes, 5 failures of a user name from any addresses, or 5 failures from one
  address against any user names (settings AXES_*); the answer is a 429 in Chinese
  (lockout_response). A success clears only that user name's failures from that address
  (LockoutHandler): never the failures against other accounts, which an attacker could
  otherwise wipe by signing in to their own account between guesses (issue 8).
- Second factor: staff (clerk, officer, regulator, admin) and anyone who enabled it must pass
  a TOTP code (django-otp) after the password. On the web, SecondFactorMiddleware sends them to
  the code page until they do, and to the set-up page if they have no device yet.
  The API issues no token on a password alone: a staff token request must carry `otp`, checked
  by PasswordBackend inside authenticate(), so a wrong or missing code counts as a failed
  sign-in (and towards the lockout) like a wrong password, and gets the same answer.
  Binding an authenticator asks for the password again, passing the factor gives the session
  a new key (portal/views_auth.py); devices are listed, removed and reset by portal/services_otp.py.
- Sessions: 30 minutes idle (SESSION_COOKIE_AGE, renewed at most once a minute by
  SessionRenewalMiddleware) and 12 hours at most from sign-in (SessionLifetimeMiddleware).
"""
import functools
import ipaddress
import json

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import match_token

from portal.constants import Role

SIGNED_IN_AT = "portal_signed_in_at"
RENEWED_AT = "portal_renewed_at"
STAFF_ROLES = {Role.CLERK, Role.OFFICER, Role.REGULATOR, Role.ADMIN}
LOCKED_OUT_MESSAGE = _("登录失败次数过多，该账号或本机地址已被锁定30分钟，请稍后再试；如需立即解锁，请联系系统管理员。")
OTP_REQUIRED_MESSAGE = _("工作人员须先完成动态验证码验证。")
API_PREFIX = "/api/"
USERNAME_MAX_LENGTH = 150  # portal.User.username, as Django's AbstractUser


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the entry the trusted proxies added to
    X-Forwarded-For (TRUSTED_PROXY_COUNT); anything else in that header is the client's word."""
    meta = getattr(request, "META", None) or {}
    address = meta.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with the message in Chinese (its zh-hans catalogue lacks this plural form); the portal's
    English catalogue has it (issue 15)."""

    def get_error_message(self):
        return ngettext("密码太短，至少需要%(min_length)d个字符。", "密码太短，至少需要%(min_length)d个字符。",
                        self.min_length) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext("密码至少需要%(min_length)d个字符，不能是常见密码，也不能全是数字。",
                        "密码至少需要%(min_length)d个字符，不能是常见密码，也不能全是数字。",
                        self.min_length) % {"min_length": self.min_length}


# --- who needs a second factor --------------------------------------------------------------
def is_staff_user(user):
    return user.is_authenticated and (user.role in STAFF_ROLES or user.is_staff or user.is_superuser)


def needs_second_factor(user):
    """Staff always; an applicant once they have enabled it (a confirmed device)."""
    return user.is_authenticated and (is_staff_user(user) or has_confirmed_device(user))


def has_confirmed_device(user) -> bool:
    """Whether `user` has a confirmed second-factor device, in one statement whatever the kinds of device:
    django-otp's user_has_device asks each kind's table in turn, two statements on every page of an
    applicant who has none (issue 13). The one reading of this rule: the middleware, the sign-in and
    the code pages all ask it here."""
    tables = _device_tables()
    if not user.is_authenticated or not tables:
        return False
    # The names are the device models' own, quoted; the values are parameters.
    quote = connection.ops.quote_name
    sql = " OR ".join(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(owner)} = %s AND {quote(confirmed)} = %s)"
                      for table, owner, confirmed in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [value for _ in tables for value in (user.pk, True)])  # nosec B608
        return bool(cursor.fetchone()[0])


@functools.cache
def _device_tables() -> tuple:
    """(table, user column, confirmed column) of each installed kind of device (django-otp's device_classes
    walks every model to find them)."""
    from django_otp import device_classes

    return tuple((model._meta.db_table, model._meta.get_field("user").column, model._meta.get_field("confirmed").column)
                 for model in device_classes())


def is_verified(user):
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def second_factor_throttled(user):
    """True while every device of the user is waiting out its back-off after wrong codes."""
    from django_otp import devices_for_user
    devices = list(devices_for_user(user))
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def verify_code(user, code):
    """The device that accepts `code` (TOTP or a backup code), or None. Devices throttle
    repeated failures themselves (OTP_*_THROTTLE_FACTOR)."""
    code = "".join(str(code or "").split())
    if not code.isalnum() or len(code) > 16:
        return None
    return match_token(user, code)


# --- lockout --------------------------------------------------------------------------------
class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a narrower reset on success (AXES_RESET_ON_SUCCESS).

    With AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"] axes resets every row matching
    the user name OR the address, so a success wipes the address's failures against every
    other account too. Here a success proves only that whoever is at this address knows this
    account's password: it clears that account's failures from that address, nothing else."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


# --- authentication backends ----------------------------------------------------------------
class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check. Without a request there is no address to lock and no HTTP
    sign-in to throttle (the test client's login(), the shell), so it stands aside."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """The password, and for the API the second factor in the same request (field `otp`)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not _is_api(request) or not needs_second_factor(user):
            return user
        if verify_code(user, _otp_from(request)) is None:
            # PermissionDenied stops authenticate() and is reported as a failed sign-in.
            raise PermissionDenied(OTP_REQUIRED_MESSAGE)
        return user


def _is_api(request):
    return request is not None and getattr(request, "path", "").startswith(API_PREFIX)


def _otp_from(request):
    data = getattr(request, "data", None)  # a DRF Request: JSON or form, already parsed
    if data is None:
        data = request.POST
        if not data and "json" in (getattr(request, "content_type", "") or ""):
            try:
                data = json.loads(request.body or b"{}")
            except Exception:  # unreadable or already-read body: no code given
                data = {}
    return data.get("otp", "") if hasattr(data, "get") else ""


def lockout_username(request, credentials=None):
    """The user name django-axes records and locks (AXES_USERNAME_CALLABLE): as given, cut to the
    longest a user name can be. Django's sign-in form passes any length on to authenticate(),
    and axes' varchar(255) column made a 2,000-character name a 500 on PostgreSQL (issue 8)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", None) or getattr(request, "POST", {})
        username = username.get("username") if hasattr(username, "get") else None
    return None if username is None else str(username)[:USERNAME_MAX_LENGTH]


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out attempt (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": LOCKED_OUT_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKED_OUT_MESSAGE}, status=429)


# --- middleware -----------------------------------------------------------------------------
class RequestSizeLimitMiddleware:
    """Refuses a request body over REQUEST_MAX_BYTES before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            message = _("提交的内容过大（上限%(limit)sMB），请减小文件后重试。") % {"limit": limit}
            return HttpResponse(message, status=413,
                                content_type="text/plain; charset=utf-8")
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="security_signed_in_at")
def _remember_sign_in_time(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        # signing in saves the session: its idle clock starts now (SessionRenewalMiddleware)
        request.session[SIGNED_IN_AT] = request.session[RENEWED_AT] = timezone.now().timestamp()


class SessionRenewalMiddleware:
    """Restarts a session's 30-minute idle clock (SESSION_COOKIE_AGE) when its last renewal is at least
    SESSION_RENEW_AFTER_SECONDS old, by marking it modified so that the session middleware saves it and
    sends its cookie again. In place of SESSION_SAVE_EVERY_REQUEST, which writes and commits the
    session's row on every request (issue 13); a request that has no session is left without one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified:
            now, renewed = timezone.now().timestamp(), session.get(RENEWED_AT, 0)
            # session_key again: reading a session that has expired in the database forgets its key
            if session.session_key and now - renewed >= settings.SESSION_RENEW_AFTER_SECONDS:
                session[RENEWED_AT] = now
        return response


class SessionLifetimeMiddleware:
    """Signs out a session 12 hours after sign-in however active it was (idle expiry is the
    session cookie's 30 minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request):
            from portal import audit
            from portal.models import AuditAction
            audit.record(request, AuditAction.SESSION_EXPIRED, request.user, "success", reason="12小时上限")
            logout(request)
            if not request.path.startswith(API_PREFIX):
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path(), 'expired': 1})}")
        return self.get_response(request)

    @staticmethod
    def _expired(request):
        now = timezone.now().timestamp()
        started = request.session.setdefault(SIGNED_IN_AT, now)
        return now - started > settings.SESSION_MAX_LIFETIME_SECONDS


class SecondFactorMiddleware:
    """Until a user who needs a second factor has passed it, the only pages open to them are
    the code pages and sign-out: every page redirects there, the API answers 403."""

    OPEN_URL_NAMES = ("otp-verify", "otp-setup", "logout", "login", "set-language")  # the switch: issue 15

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # verified first: a session past its second factor asks no device table at all
        if is_verified(user) or not needs_second_factor(user) or self._is_open(request):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": OTP_REQUIRED_MESSAGE}, status=403)
        target = "otp-verify" if has_confirmed_device(user) else "otp-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    def _is_open(self, request):
        open_paths = {reverse(name) for name in self.OPEN_URL_NAMES} | {reverse("admin:logout")}
        return request.path in open_paths
