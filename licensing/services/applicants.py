from django.core.exceptions import ValidationError
from django.db import transaction

from licensing.constants import ApplicantKind
from licensing.exceptions import InvalidInput, NotAllowed
from licensing.models import Applicant, ApplicantMembership
from licensing.validators import normalise, validate_id_number, validate_uscc

_VALIDATORS = {ApplicantKind.ENTERPRISE: validate_uscc, ApplicantKind.PERSON: validate_id_number}


@transaction.atomic
def applicant_register(*, kind: str, identifier: str, name: str, user=None, **details) -> Applicant:
    """Find or create the applicant by its identifier, after checking the check character.

    With `user`, that account may act for the applicant from now on.
    """
    if kind not in _VALIDATORS:
        raise InvalidInput("申请人类型无效。", field="kind")
    identifier = normalise(identifier)
    try:
        _VALIDATORS[kind](identifier)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="identifier")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写申请人名称或姓名。", field="name")
    applicant, created = Applicant.objects.get_or_create(
        identifier=identifier, defaults={"kind": kind, "name": name, **details})
    if not created and applicant.kind != kind:
        raise InvalidInput("该证件号码已登记为另一类申请人。", field="identifier")
    if user is not None and not created and not applicant.members.filter(pk=user.pk).exists():
        # Knowing a company's credit code must not be enough to act for it.
        raise NotAllowed("该申请人已由其他账号登记。请持营业执照或身份证件到政务服务中心窗口核验后办理授权。",
                         field="identifier")
    if user is not None:
        ApplicantMembership.objects.get_or_create(applicant=applicant, user=user)
    return applicant


@transaction.atomic
def applicant_authorise(*, applicant, user) -> None:
    """At the window, once the clerk has checked the licence (or ID card) and the authorisation:
    `user` may act for the applicant online. The one way to act for an applicant that someone
    else registered, which applicant_register refuses online."""
    ApplicantMembership.objects.get_or_create(applicant=applicant, user=user)
