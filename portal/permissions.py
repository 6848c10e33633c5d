"""Who may do what, in one place (rules predicates). Views, the API and admin all ask here.

Permission names are `<app>.<verb>_<object>` and are checked with user.has_perm(name, obj).
"""
import rules

from portal.constants import Role


def _role(role):
    @rules.predicate(name=f"has_role_{role}")
    def check(user):
        return user.is_authenticated and user.is_active and user.role == role
    return check


is_applicant_user = _role(Role.APPLICANT)
is_clerk = _role(Role.CLERK)
is_officer = _role(Role.OFFICER)
is_regulator = _role(Role.REGULATOR)
is_admin = _role(Role.ADMIN)
is_staff_role = is_clerk | is_officer | is_regulator | is_admin


@rules.predicate
def acts_for_applicant(user, target):
    """The user may act for the applicant of `target` (an Applicant or an Application)."""
    if not user.is_authenticated or target is None:
        return False
    applicant = getattr(target, "applicant", target)
    return applicant.members.filter(pk=user.pk).exists()


@rules.predicate
def officer_of_authority(user, application):
    """An approval officer of one of the item's implementing authorities (谁审批、谁负责)."""
    if application is None or not user.is_authenticated or user.organisation_id is None:
        return False
    return application.item.authorities.filter(organisation_id=user.organisation_id).exists()


@rules.predicate
def regulator_of_item(user, application):
    """The industry regulator that receives the item's approval records (谁主管、谁监管)."""
    if application is None or not user.is_authenticated or user.organisation_id is None:
        return False
    return application.item.regulator_id == user.organisation_id


applicant_side = (is_applicant_user & acts_for_applicant) | is_clerk
officer_side = is_officer & officer_of_authority

rules.add_perm("licensing.view_application",
               applicant_side | officer_side | (is_regulator & regulator_of_item) | is_admin)
rules.add_perm("licensing.act_as_applicant", applicant_side)
rules.add_perm("licensing.act_as_officer", officer_side)
rules.add_perm("licensing.apply_for", applicant_side)
rules.add_perm("licensing.use_window_desk", is_clerk)
rules.add_perm("licensing.use_officer_desk", is_officer)
# The deciding officer needs to know whom the licence is for; the regulator and others see it masked.
rules.add_perm("licensing.view_applicant_identity", applicant_side | officer_side | is_admin)
# The applicant's own pages (我的办件, 办理主体, 在线申请): applicant accounts only; staff have their desks.
rules.add_perm("licensing.use_applicant_desk", is_applicant_user)
