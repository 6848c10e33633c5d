"""Who applies: registering an applicant, finding the one a request names, and which accounts act for it."""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from licensing.constants import ApplicantKind, Channel
from licensing.models import Applicant, ApplicantMembership
from licensing.validators import normalise, validate_id_number, validate_uscc
from portal import audit
from portal.exceptions import InvalidInput, NotAllowed, Problems
from portal.models import AuditAction

_VALIDATORS = {ApplicantKind.ENTERPRISE: validate_uscc, ApplicantKind.PERSON: validate_id_number}
WINDOW_DESK = "licensing.use_window_desk"
APPLY_NOT_ALLOWED = "您不能代该申请人提交申请：账号未关联该申请人。"
CLAIMED_ELSEWHERE = "该申请人已由其他账号登记。请持营业执照或身份证件到政务服务中心窗口核验后办理授权。"
NO_SUCH_ACCOUNT = "没有这个网上办事账号，请核对申请人注册时使用的用户名。"


def _check_applicant(kind, identifier, name) -> Problems:
    problems = Problems()
    if kind not in _VALIDATORS:
        problems.add("kind", "申请人类型无效。")
    else:
        try:
            _VALIDATORS[kind](identifier)
        except ValidationError as exc:
            problems.add("identifier", exc.messages[0])
    if not name:
        problems.add("name", "请填写申请人名称或姓名。")
    return problems


@transaction.atomic
def applicant_register(*, kind: str, identifier: str, name: str, actor, user=None, **details) -> Applicant:
    """Find or create the applicant by its identifier, after checking the check character.

    `actor` is who registers it (the applicant's own account, or the clerk at the window); with
    `user`, that account may act for the applicant from now on.
    """
    identifier, name = normalise(identifier), (name or "").strip()
    _check_applicant(kind, identifier, name).raise_if_any()
    applicant, created = Applicant.objects.get_or_create(
        identifier=identifier, defaults={"kind": kind, "name": name, **details})
    if not created and applicant.kind != kind:
        raise InvalidInput("该证件号码已登记为另一类申请人。", field="identifier")
    if user is not None and not created and not applicant.members.filter(pk=user.pk).exists():
        # Knowing a company's credit code must not be enough to act for it.
        raise NotAllowed(CLAIMED_ELSEWHERE, field="identifier")
    if created:
        audit.write(AuditAction.APPLICANT_REGISTER, actor=actor, obj=applicant, details={"kind": kind})
    if user is not None:
        _bind(applicant, user, actor)
    return applicant


def _bind(applicant, user, actor) -> None:
    _, created = ApplicantMembership.objects.get_or_create(applicant=applicant, user=user)
    if created:
        audit.write(AuditAction.ACCOUNT_BIND, actor=actor, obj=applicant, details={"account": user.username})


@transaction.atomic
def applicant_bind_account(*, applicant, username: str, actor):
    """At the window, once the clerk has checked the licence (or ID card) and the authorisation:
    the applicant account `username` may act for the applicant online. The one way to act for an
    applicant that someone else registered, which applicant_register refuses online."""
    account = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    if account is None or not account.has_perm("licensing.use_applicant_desk"):
        raise InvalidInput(NO_SUCH_ACCOUNT, field="username")
    _bind(applicant, account, actor)
    return account


def applicant_for_submission(*, actor, identifier: str, new: dict | None = None) -> Applicant:
    """The applicant a submission names by identifier; with `new` ({kind, identifier, name}) one not yet
    known is registered. Online it is linked to the account; at the window (一窗受理) the clerk
    registers the applicant present without acting for it later. Errors name `applicant.<field>`."""
    at_window = actor.has_perm(WINDOW_DESK)
    applicant = Applicant.objects.filter(identifier=normalise(identifier)).first()
    if applicant is None and new is not None:
        try:
            applicant = applicant_register(**new, actor=actor, user=None if at_window else actor)
        except (InvalidInput, NotAllowed) as exc:
            raise exc.renamed({name: f"applicant.{name}" if name else "applicant" for name in exc.errors})
    elif applicant is None and at_window:
        raise InvalidInput("没有登记该证件号码的申请人，请提供类型、证件号码和名称进行登记。", field="applicant")
    if applicant is None or not actor.has_perm("licensing.apply_for", applicant):
        raise NotAllowed(APPLY_NOT_ALLOWED, field="applicant")
    return applicant


def submission_channel(*, actor, requested: str | None) -> str:
    """Applicants file online; only the window records window and mail applications (附件3 第三条)."""
    at_window = actor.has_perm(WINDOW_DESK)
    if requested is None:
        return Channel.WINDOW if at_window else Channel.ONLINE
    if at_window and requested == Channel.ONLINE:
        raise InvalidInput("窗口工作人员代为申请时，渠道应为窗口申请或信函、传真、电子邮件。", field="channel")
    if not at_window and requested != Channel.ONLINE:
        raise NotAllowed("窗口申请和信函申请由窗口工作人员录入，网上申请请选择 online。", field="channel")
    return requested
