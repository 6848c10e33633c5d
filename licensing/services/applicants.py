"""Who applies: registering an applicant, finding the one a request names, and which accounts act for it.

An account's link to an applicant (its claim) starts pending: typing a 统一社会信用代码 proves
nothing, so several accounts may claim one enterprise. A pending claim prepares applications; it
signs no 承诺书 until it is verified, at the window once the papers are checked or online by the
verifier settings.IDENTITY_VERIFIER names (licensing/verifiers.py). The window settles a
conflict: it verifies the true claim and removes the false one, each with an audit row.
"""
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _, gettext_lazy

from licensing.constants import VERIFIED_AT_WINDOW, ApplicantKind, Channel, ClaimStatus
from licensing.models import Applicant, ApplicantMembership
from licensing.selectors.applicants import claim_of
from licensing.validators import normalise, validate_id_number, validate_uscc
from licensing.verifiers import VerificationResult, get_verifier, verifies_online
from portal import audit
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction

logger = logging.getLogger(__name__)

_VALIDATORS = {ApplicantKind.ENTERPRISE: validate_uscc, ApplicantKind.PERSON: validate_id_number}
WINDOW_DESK = "licensing.use_window_desk"
APPLY_NOT_ALLOWED = gettext_lazy("您不能代该申请人提交申请：账号未关联该申请人。")
NO_SUCH_ACCOUNT = gettext_lazy("没有这个网上办事账号，请核对申请人注册时使用的用户名。")
GO_TO_THE_WINDOW = gettext_lazy("请持营业执照（个人持居民身份证）原件，以及代办人的授权委托书，到政务服务中心窗口核验，"
                                "核验后即可在网上签署承诺书。")
CLAIM_PENDING = format_lazy("{}{}", gettext_lazy(
    "账号与该申请人的关联尚未核验：核验前可以登记、提交申请和上传材料，但不能签署承诺书。"), GO_TO_THE_WINDOW)
UNVERIFIED_SIGNER = format_lazy("{}{}", gettext_lazy(
    "您的账号与该申请人的关联尚未核验，不能签署承诺书：承诺书具有法律效力，不实承诺将被撤销许可并记入诚信档案。"), GO_TO_THE_WINDOW)
VERIFIER_UNAVAILABLE = gettext_lazy("在线核验服务暂时不可用，请稍后再试，或到政务服务中心窗口核验。")


def _check_applicant(kind, identifier, name) -> Problems:
    problems = Problems()
    if kind not in _VALIDATORS:
        problems.add("kind", _("申请人类型无效。"))
    else:
        try:
            _VALIDATORS[kind](identifier)
        except ValidationError as exc:
            problems.add("identifier", exc.messages[0])
    # issue 16 (可以通过信息共享获取的信息，一律不得再要求企业提供): an applicant already known, such as one the business
    # registry sent, is found by its valid code and keeps its name; only a new one must be named.
    if not name and (problems or not Applicant.objects.filter(identifier=identifier).exists()):
        problems.add("name", _("请填写申请人名称或姓名。"))
    return problems


@transaction.atomic
def applicant_register(*, kind: str, identifier: str, name: str, actor, user=None, **details) -> Applicant:
    """Find or create the applicant by its identifier, after checking the check character.

    `actor` is who registers it (the applicant's own account, or the clerk at the window); with
    `user`, that account claims the applicant: a pending claim, even if other accounts claim it
    too (the window settles which is true), which the configured verifier may verify at once.
    """
    identifier, name = normalise(identifier), (name or "").strip()
    _check_applicant(kind, identifier, name).raise_if_any()
    applicant, created = Applicant.objects.get_or_create(
        identifier=identifier, defaults={"kind": kind, "name": name, **details})
    if not created and applicant.kind != kind:
        raise InvalidInput(_("该证件号码已登记为另一类申请人。"), field="identifier")
    if created:
        audit.write(AuditAction.APPLICANT_REGISTER, actor=actor, obj=applicant, details={"kind": kind})
    if user is not None:
        claim = _claim(applicant, user, actor)
        if not claim.is_verified:
            _verify_with(get_verifier(), claim, actor)
    return applicant


def _claim(applicant, user, actor) -> ApplicantMembership:
    claim, created = ApplicantMembership.objects.get_or_create(applicant=applicant, user=user)
    if created:
        audit.write(AuditAction.ACCOUNT_BIND, actor=actor, obj=applicant,
                    details={"account": user.username, "status": claim.status})
    return claim


def _mark_verified(claim, *, actor, via: str, by=None) -> bool:
    """Pending → verified, once (a conditional UPDATE: two clerks clicking at once write one row)."""
    done = ApplicantMembership.objects.filter(pk=claim.pk, status=ClaimStatus.PENDING).update(
        status=ClaimStatus.VERIFIED, verified_at=timezone.now(), verified_by=by, verified_via=via)
    if done:
        claim.refresh_from_db()
        audit.write(AuditAction.CLAIM_VERIFY, actor=actor, obj=claim.applicant,
                    details={"account": claim.user.username, "via": via})
    return bool(done)


def _verify_with(verifier, claim, actor) -> VerificationResult:
    try:
        result = verifier.verify(claim.applicant, claim.user)
    except Exception:  # a remote service down must not lose the claim or the registration
        logger.exception("identity verifier %s failed", getattr(verifier, "name", verifier))
        return VerificationResult(False, VERIFIER_UNAVAILABLE)
    if result.verified:
        _mark_verified(claim, actor=actor, via=verifier.name)
    return result


@transaction.atomic
def applicant_claim_verify_online(*, claim, actor) -> VerificationResult:
    """The account asks the configured verifier (电子营业执照, identity services) to verify its own claim."""
    verifier = get_verifier()
    if actor.pk != claim.user_id or not verifies_online(verifier):
        raise NotAllowed(_("暂不能在线核验，请到政务服务中心窗口核验。"))
    if claim.is_verified:
        raise Conflict(_("该关联已核验。"))
    return _verify_with(verifier, claim, actor)


@transaction.atomic
def applicant_claim_verify_with(*, claim, verifier, actor) -> VerificationResult:
    """An outside service vouched for the link while the person signed in through it (issue 16: 统一身份认证,
    licensing/oidc.py): its own verifier answers, whatever settings.IDENTITY_VERIFIER names, and the link
    records it as verified_via."""
    if claim.is_verified:
        return VerificationResult(True)
    return _verify_with(verifier, claim, actor)


def _check_window(actor):
    if not actor.has_perm(WINDOW_DESK):
        raise NotAllowed(_("只有窗口工作人员可以核验或删除账号与申请人的关联。"))


@transaction.atomic
def applicant_bind_account(*, applicant, username: str, actor):
    """At the window, once the clerk has checked the licence (or ID card) and the authorisation:
    the applicant account `username` acts for the applicant online, verified (a pending claim of
    that account becomes verified)."""
    account = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    if account is None or not account.has_perm("licensing.use_applicant_desk"):
        raise InvalidInput(NO_SUCH_ACCOUNT, field="username")
    claim = _claim(applicant, account, actor)
    _mark_verified(claim, actor=actor, via=VERIFIED_AT_WINDOW, by=actor)
    return account


@transaction.atomic
def applicant_claim_verify(*, claim, actor) -> ApplicantMembership:
    """At the window, papers checked: this account's claim is true."""
    _check_window(actor)
    if not _mark_verified(claim, actor=actor, via=VERIFIED_AT_WINDOW, by=actor):
        raise Conflict(_("账号 %(username)s 的关联已核验，无需再次核验。") % {"username": claim.user.username})
    return claim


@transaction.atomic
def applicant_claim_remove(*, claim, actor, reason: str = "") -> None:
    """At the window: the claim is false (or the account no longer acts for the applicant); it goes,
    with an audit row naming the clerk. The applications it filed stay with the applicant."""
    _check_window(actor)
    locked = ApplicantMembership.objects.select_for_update().filter(pk=claim.pk).select_related("user", "applicant").first()
    if locked is None:
        raise Conflict(_("该关联已被删除。"))
    locked.delete()
    audit.write(AuditAction.CLAIM_REMOVE, actor=actor, obj=locked.applicant, details={
        "account": locked.user.username, "status": locked.status, "reason": (reason or "").replace("\x00", "").strip()[:500]})


def applicant_for_submission(*, actor, identifier: str, new: dict | None = None) -> Applicant:
    """The applicant a submission names by identifier; with `new` ({kind, identifier, name}) one not yet
    known is registered. Online it is linked to the account (a pending claim, also of an applicant
other accounts registered); at the window (一窗受理) the clerk
    registers the applicant present without acting for it later. Errors name `applicant.<field>`."""
    at_window = actor.has_perm(WINDOW_DESK)
    applicant = Applicant.objects.filter(identifier=normalise(identifier)).first()
    # Online, naming an applicant in full claims it (pending) when this account has no link to it yet.
    claims = new is not None and not at_window and applicant is not None and claim_of(actor, applicant) is None
    if (applicant is None or claims) and new is not None:
        try:
            applicant = applicant_register(**new, actor=actor, user=None if at_window else actor)
        except (InvalidInput, NotAllowed) as exc:
            raise exc.renamed({name: f"applicant.{name}" if name else "applicant" for name in exc.errors})
    elif applicant is None and at_window:
        raise InvalidInput(_("没有登记该证件号码的申请人，请提供类型、证件号码和名称进行登记。"), field="applicant")
    if applicant is None or not actor.has_perm("licensing.apply_for", applicant):
        raise NotAllowed(APPLY_NOT_ALLOWED, field="applicant")
    return applicant


def submission_channel(*, actor, requested: str | None) -> str:
    """Applicants file online; only the window records window and mail applications (附件3 第三条)."""
    at_window = actor.has_perm(WINDOW_DESK)
    if requested is None:
        return Channel.WINDOW if at_window else Channel.ONLINE
    if at_window and requested == Channel.ONLINE:
        raise InvalidInput(_("窗口工作人员代为申请时，渠道应为窗口申请或信函、传真、电子邮件。"), field="channel")
    if not at_window and requested != Channel.ONLINE:
        raise NotAllowed(_("窗口申请和信函申请由窗口工作人员录入，网上申请请选择 online。"), field="channel")
    return requested
