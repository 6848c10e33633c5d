"""How an applicant is shown: its public name, and its identifier in full or masked.

An enterprise's name is public (国家企业信用信息公示系统); a person's is personal data and shows
as the surname only. The identifier is shown in full only to those who may see whom a licence is
for ("licensing.view_applicant_identity": the applicant side and the deciding officer), and only on
the application itself: lists always mask it (issue 4).
"""
from licensing.constants import ApplicantKind
from portal.masking import mask_identifier, mask_person_name


def public_name(applicant) -> str:
    if applicant.kind == ApplicantKind.ENTERPRISE:
        return applicant.name
    return mask_person_name(applicant.name)


def may_see_identity(user, application) -> bool:
    return user.has_perm("licensing.view_applicant_identity", application)


def identifier_for(user, application, *, in_list: bool = False) -> str:
    identifier = application.applicant.identifier
    if not in_list and may_see_identity(user, application):
        return identifier
    return mask_identifier(identifier)
