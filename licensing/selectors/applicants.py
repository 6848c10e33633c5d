"""How an applicant is shown: its public name, and its identifier in full or masked.

An enterprise's name is public (国家企业信用信息公示系统); a person's is personal data and shows
as the surname only. The identifier is shown in full only to those who may see whom a licence is
for ("licensing.view_applicant_identity": the applicant side and the deciding officer), and only on
the application itself: lists always mask it (issue 4).

Which accounts act for an applicant (its claims): a link starts pending, and only a verified one
signs a 承诺书 or sees the applications other accounts filed (licensing/rules.py).
"""
from django.conf import settings
from django.db.models import Q, QuerySet

from licensing.constants import ApplicantKind, ClaimStatus
from licensing.models import ApplicantMembership
from portal.i18n import supported
from portal.masking import mask_identifier, mask_person_name


def public_name(applicant) -> str:
    if applicant.kind == ApplicantKind.ENTERPRISE:
        return applicant.name
    return mask_person_name(applicant.name)


def is_enterprise(applicant) -> bool:
    return applicant.kind == ApplicantKind.ENTERPRISE


def enterprises_q(prefix: str = "") -> Q:
    """Enterprises only (a search of public lists must not find a person by part of a name); `prefix` for a
    relation ("applicant__")."""
    return Q(**{f"{prefix}kind": ApplicantKind.ENTERPRISE})


def public_identifier(applicant) -> str:
    """How an identifier shows in public (一公开, 信用公示): an enterprise's 统一社会信用代码 in full, a person's
    ID number masked."""
    return applicant.identifier if is_enterprise(applicant) else mask_identifier(applicant.identifier)


def may_see_identity(user, application) -> bool:
    return user.has_perm("licensing.view_applicant_identity", application)


def identifier_for(user, application, *, in_list: bool = False) -> str:
    identifier = application.applicant.identifier
    if not in_list and may_see_identity(user, application):
        return identifier
    return mask_identifier(identifier)


# --- claims: the accounts that act for an applicant ------------------------------------------

def claim_of(user, applicant) -> ApplicantMembership | None:
    """The link of `user` to `applicant`, pending or verified; None for none."""
    if not getattr(user, "is_authenticated", False) or applicant is None:
        return None
    return ApplicantMembership.objects.filter(user_id=user.pk, applicant_id=applicant.pk).first()


def is_verified_for(user, applicant) -> bool:
    claim = claim_of(user, applicant)
    return claim is not None and claim.is_verified


def claims_of_applicant(applicant) -> list:
    """Every account claiming the applicant, the verified first, for the window to settle."""
    return list(ApplicantMembership.objects.filter(applicant=applicant).select_related("user", "verified_by")
                .order_by("-status", "created_at", "pk"))  # "verified" sorts after "pending": descending


def claims_of_user(user) -> QuerySet:
    """办理主体: the applicants this account claims, with how far each claim is verified."""
    return ApplicantMembership.objects.filter(user=user).select_related("applicant").order_by("applicant__name")


def claims_in_conflict(claims) -> bool:
    """More than one account claims the applicant and one of them is not verified: the window
    checks the papers, verifies the true claim and removes the false one."""
    return len(claims) > 1 and any(c.status == ClaimStatus.PENDING for c in claims)


def applicant_ids_claimed_by(user, *, verified_only: bool) -> QuerySet:
    links = ApplicantMembership.objects.filter(user_id=user.pk)
    if verified_only:
        links = links.filter(status=ClaimStatus.VERIFIED)
    return links.values("applicant_id")


def verified_contacts(applicant_id) -> list[tuple[str, str]]:
    """(address, language) of each active account verified to act for the applicant that has an e-mail
    address, in the language the account chose (none chosen: the portal's), once per address whatever its
    case, sorted. A pending claim may be anybody who typed the 统一社会信用代码: it is never mailed."""
    links = (ApplicantMembership.objects.filter(applicant_id=applicant_id, status=ClaimStatus.VERIFIED,
                                                user__is_active=True)
             .exclude(user__email="").values_list("user__email", "user__language"))
    found = {}
    for email, language in sorted(links):
        found.setdefault(email.lower(), (email, supported(language) or settings.LANGUAGE_CODE))
    return sorted(found.values())
