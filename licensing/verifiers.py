"""Identity verifiers: who confirms online that an account may act for an enterprise or a person.

An account's link to an applicant starts as a pending claim (licensing.models.ApplicantMembership):
knowing a 统一社会信用代码 proves nothing. The window verifies a claim after checking the papers;
a verifier does it online. 电子营业执照 (the enterprise's electronic licence, signed by its legal
representative) and the national identity services for persons plug in here later, one class
each, behind this one interface; settings.IDENTITY_VERIFIER names the one in use.

The portal ships only NullVerifier, which verifies nothing: until a real service is connected,
every claim is verified at the window.
"""
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

DEFAULT_VERIFIER = "licensing.verifiers.NullVerifier"


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    reason: str = ""  # why not, in Chinese, shown to the applicant


@runtime_checkable
class IdentityVerifier(Protocol):
    # Stored on the link as how it was verified (ApplicantMembership.verified_via); at most 32 characters.
    name: str

    def verify(self, applicant, user) -> VerificationResult:
        """Whether `user` (an applicant account) may act for `applicant`. Must not raise for a
        refusal; answer VerificationResult(False, reason)."""
        ...


class NullVerifier:
    """No online verification service is connected: nothing is verified online."""

    name = "none"
    online = False  # the pages offer no online verification with this one

    def verify(self, applicant, user) -> VerificationResult:
        return VerificationResult(False, gettext("暂未接入在线核验，请持营业执照或身份证件到政务服务中心窗口核验。"))


class UnifiedIdentityVerifier:
    """广西数字政务一体化平台 统一身份认证 (issue 16, licensing/oidc.py): at sign-in the provider vouched that
    the person acts for the enterprises with these 统一社会信用代码. It answers only for that sign-in (the
    pages cannot ask it later), so it is built with what the provider said, never from settings."""

    name = "统一身份认证"
    online = False

    def __init__(self, vouched_identifiers=()):
        self.vouched = frozenset(vouched_identifiers)

    def verify(self, applicant, user) -> VerificationResult:
        if applicant.identifier in self.vouched:
            return VerificationResult(True)
        return VerificationResult(False, gettext("统一身份认证未确认您与该申请人的关联，请到政务服务中心窗口核验。"))


def get_verifier() -> IdentityVerifier:
    """The verifier settings.IDENTITY_VERIFIER names (a dotted path to a class)."""
    return import_string(getattr(settings, "IDENTITY_VERIFIER", DEFAULT_VERIFIER))()


def verifies_online(verifier) -> bool:
    return getattr(verifier, "online", True)
