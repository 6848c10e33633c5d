"""Sign-in through the region's unified identity service (issue 16): 广西数字政务一体化平台 统一身份认证, an
OpenID Connect provider, plugged into Django's authentication with mozilla-django-oidc (authorization
code flow with PKCE, id_token signed RS256 and checked against the provider's JWKS).

Off unless settings name the client and the provider's endpoints (oidc_enabled): then the routes answer
404, the login page shows no button, and the backend (always listed in AUTHENTICATION_BACKENDS, so that a
session it opened stays readable) answers None.

Who signs in. Applicants only: the account is found by the provider's stable subject identifier
(portal.ExternalIdentity, provider + `sub`), never by e-mail or name, which the person may change there.
The first sign-in creates an applicant account. Staff accounts never sign in this way: theirs is the
local sign-in with the second factor (等保 2.0: the portal checks its own staff).

The claims the portal reads (the stand-in provider's contract, tests/licensing/oidc_provider.py), from
the userinfo endpoint, whose `sub` must be the id_token's:
- `sub` (required): the person's stable identifier at the provider.
- `name`: the person's name (User.full_name); `email`: a contact address, never used to find the account.
- `uscc`: the 统一社会信用代码 of the enterprise the person signs in for (an 18-character code that must
  pass its check character, licensing/validators.py, or the sign-in is refused and nothing is stored).
- `ent_name`: that enterprise's name, as registered.
- `ent_verified`: JSON `true` when the provider vouches that the person acts for that enterprise (its
  legal representative, or an agent it authorised through the 电子营业执照). Only then is the account's
  link to the enterprise made and verified (licensing.verifiers.UnifiedIdentityVerifier, verified_via
  "统一身份认证", with the audit rows of licensing.services.applicants); anything else links nothing.
"""
import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from licensing.constants import ApplicantKind
from licensing.selectors.applicants import claim_of
from licensing.services.applicants import applicant_claim_verify_with, applicant_register
from licensing.validators import normalise, validate_uscc
from licensing.verifiers import UnifiedIdentityVerifier
from portal import audit
from portal.constants import Role
from portal.exceptions import ServiceError
from portal.models import AuditAction, ExternalIdentity

logger = logging.getLogger(__name__)

REQUIRED_SETTINGS = ("OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT",
                     "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT")
REFUSAL = "_unified_sign_in_refusal"  # the backend tells the callback view why, on the request
NOT_CONFIGURED = gettext_lazy("本平台未接入统一身份认证，请使用用户名和密码登录。")
SIGN_IN_FAILED = gettext_lazy("通过广西统一身份认证登录未成功，请重新登录，或使用用户名和密码登录。")
STAFF_REFUSED = gettext_lazy("工作人员账号不能通过统一身份认证登录，请使用用户名、密码和动态验证码登录。")
INACTIVE_REFUSED = gettext_lazy("该账号已停用，不能登录。如有疑问，请联系政务服务中心。")
BAD_USCC = gettext_lazy("统一身份认证提供的统一社会信用代码未通过校验，未能登录。请到政务服务中心窗口核验企业信息。")
BAD_ENTERPRISE = gettext_lazy("统一身份认证提供的企业信息不完整或有误，未能登录。请到政务服务中心窗口核验企业信息。")
# What can go wrong with the other side: unreachable, an error answer, a token that does not verify, JSON
# that is not what the contract says. Each ends at the login page with a message, never a 500.
SIGN_IN_FAILURES = (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, ValueError, KeyError,
                    TypeError, AttributeError)


def oidc_enabled() -> bool:
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def provider_name() -> str:
    return getattr(settings, "OIDC_PROVIDER_NAME", "") or "gxzw"


def sign_in_context(request) -> dict:
    """Template context processor: whether the login page offers the unified sign-in."""
    return {"unified_sign_in": oidc_enabled()}


class SignInRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- the sign-in itself --------------------------------------------------------------------------------

@transaction.atomic
def external_identity_sign_in(*, provider: str, claims: dict):
    """The account for the person the provider signed in (found by `sub`, created on the first sign-in),
    its enterprise link verified when the provider vouches for it. Refusals raise SignInRefused, and
    roll back everything (an account created a moment ago included)."""
    subject = str(claims["sub"])
    enterprise = _vouched_enterprise(claims)  # checked first: a bad code stores nothing
    link = ExternalIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    if link is None:
        link = _first_sign_in(provider, subject, claims)
    user = link.user
    _check_may_sign_in(user)
    _update_person(user, claims)
    ExternalIdentity.objects.filter(pk=link.pk).update(last_sign_in_at=timezone.now())
    if enterprise is not None:
        _verify_enterprise(user, *enterprise)
    return user


def _vouched_enterprise(claims) -> tuple[str, str] | None:
    """(统一社会信用代码, name) the provider vouches the person acts for; None when it vouches for none."""
    uscc = claims.get("uscc")
    if uscc in (None, ""):
        return None
    try:
        validate_uscc(str(uscc))
    except ValidationError as exc:
        raise SignInRefused(BAD_USCC) from exc
    if claims.get("ent_verified") is not True:
        return None
    return normalise(str(uscc)), str(claims.get("ent_name") or "").strip()


def _check_may_sign_in(user):
    if user.is_staff_role or user.is_staff or user.is_superuser:
        raise SignInRefused(STAFF_REFUSED)
    if not user.is_active:
        raise SignInRefused(INACTIVE_REFUSED)


def _first_sign_in(provider, subject, claims) -> ExternalIdentity:
    """A new applicant account and its link. Two callbacks of one person at once: the unique link lets one
    create it; the other finds it."""
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(_username(provider, subject), role=Role.APPLICANT)
            link = ExternalIdentity.objects.create(provider=provider, subject=subject, user=user,
                                                   linked_at=timezone.now())
    except IntegrityError:
        return ExternalIdentity.objects.select_related("user").get(provider=provider, subject=subject)
    audit.write(AuditAction.ACCOUNT_REGISTER, actor=user, obj=user, details={"via": UnifiedIdentityVerifier.name})
    return link


def _username(provider, subject) -> str:
    """Derived from the link, not from a name the person chose there: no clash with a local account's
    name, nothing personal in it, and the same on every server. (No password: the account signs in
    through the provider, or sets one through the password reset.)"""
    return "gx_" + hashlib.sha256(f"{provider}:{subject}".encode()).hexdigest()[:20]


def _update_person(user, claims):
    """The provider is the source of the person's name and address: kept as it says (never used to sign in)."""
    changed = {}
    name = str(claims.get("name") or "").strip()[:64]
    if name and name != user.full_name:
        changed["full_name"] = name
    email = str(claims.get("email") or "").strip()
    if email and email != user.email and _is_email(email):
        changed["email"] = email
    if changed:
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=list(changed))


def _is_email(value) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


def _verify_enterprise(user, uscc, name):
    """Registers the enterprise if new, links the account (the existing services, with their audit rows),
    and verifies the link through the unified identity service's verifier."""
    try:
        applicant = applicant_register(kind=ApplicantKind.ENTERPRISE, identifier=uscc, name=name,
                                       actor=user, user=user)
    except ServiceError as exc:
        raise SignInRefused(BAD_ENTERPRISE) from exc
    applicant_claim_verify_with(claim=claim_of(user, applicant), verifier=UnifiedIdentityVerifier([uscc]),
                                actor=user)


# --- the Django authentication backend --------------------------------------------------------------------

class UnifiedIdentityBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with the portal's rules for who the person is (above)."""

    def __init__(self, *args, **kwargs):
        # Django builds every listed backend for every sign-in: while the service is off this one must
        # build without its settings, and answer nothing.
        self.UserModel = get_user_model()
        self.enabled = oidc_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only the callback's call (it passes the nonce) is ours: a password sign-in never reaches the provider.
        if not self.enabled or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)  # a deactivated account's session ends (the library's does not)

    def verify_token(self, token, **kwargs):
        """The library checks the signature, the algorithm and the nonce; the audience, the issuer and the
        expiry are checked here (OpenID Connect Core 3.1.3.7)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences or "exp" not in payload or not payload.get("sub"):
            raise SuspiciousOperation("id_token: wrong audience, no expiry or no subject")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("id_token: wrong issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or str(claims.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about another subject")  # OpenID Connect Core 5.3.2
        return claims

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return external_identity_sign_in(provider=provider_name(), claims=claims)
        except SignInRefused as exc:
            setattr(self.request, REFUSAL, exc.message)
            raise SuspiciousOperation(f"unified sign-in refused: {exc}") from exc


# --- the two routes (licensing/urls_oidc.py, through mozilla_django_oidc.urls) -----------------------------

class _OnlyWhenConfigured:
    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404(NOT_CONFIGURED)
        return super().dispatch(request, *args, **kwargs)


class SignInView(_OnlyWhenConfigured, OIDCAuthenticationRequestView):
    """The button: off to the provider, with state, nonce and PKCE kept in the session."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library reads its settings here, which may be absent (off)

    def dispatch(self, request, *args, **kwargs):
        self.OIDC_OP_AUTH_ENDPOINT = getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", "")
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")
        return super().dispatch(request, *args, **kwargs)


class CallbackView(_OnlyWhenConfigured, OIDCAuthenticationCallbackView):
    """The provider sends the person back here; any failure ends at the login page with a message."""

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        try:
            return super().get(request)
        except SIGN_IN_FAILURES:
            logger.warning("unified identity sign-in failed", exc_info=True)
            return self.login_failure()

    def login_failure(self):
        messages.error(self.request, getattr(self.request, REFUSAL, None) or SIGN_IN_FAILED)
        return HttpResponseRedirect(self.failure_url)
