"""Who may do what with applicants and applications (registered from LicensingConfig.ready()).

Seeing an application is decided by one queryset (selectors.applications_visible_to), which the
lists of the pages and the API use too, so a list and a permission check cannot disagree.
"""
import rules

from licensing.selectors import application_decidable, application_visible
from licensing.selectors.applicants import claim_of, is_verified_for
from portal.permissions import is_admin, is_applicant_user, is_clerk, is_officer, is_regulator


@rules.predicate
def acts_for_applicant(user, target):
    """The user may act for the applicant of `target` (an Applicant or an Application).

    Any link, pending or verified, lets an account prepare applications for the applicant; on an
    application, a pending claim acts only if its own account filed it (a false claim must not
    withdraw or see what the enterprise's real accounts filed)."""
    if not user.is_authenticated or target is None:
        return False
    if hasattr(target, "applicant"):
        # On an application the applicant account's reach is the visibility rule itself
        # (selectors.applications_visible_to: a pending claim only what its account filed).
        return application_visible(user, target)
    return claim_of(user, target) is not None


@rules.predicate
def verified_for_applicant(user, target):
    """The account's link to the applicant of `target` is verified (at the window or by a verifier)."""
    if not user.is_authenticated or target is None:
        return False
    return is_verified_for(user, getattr(target, "applicant", target))


@rules.predicate
def may_see(user, application):
    return application_visible(user, application)


@rules.predicate
def officer_of_authority(user, application):
    """An approval officer of the organisation that takes the authority's next step: the first-review
    authority while it holds the application, then the decider (谁审批、谁负责; issue 11)."""
    return application_decidable(user, application)


@rules.predicate
def regulator_of(user, application):
    """The industry regulator the application's records go to (谁主管、谁监管)."""
    return (application is not None and user.is_authenticated and user.organisation_id is not None
            and application.regulator_id == user.organisation_id)


applicant_side = (is_applicant_user & acts_for_applicant) | is_clerk
officer_side = is_officer & officer_of_authority

rules.add_perm("licensing.view_application", may_see)
rules.add_perm("licensing.act_as_applicant", applicant_side)
rules.add_perm("licensing.act_as_officer", officer_side)
# 钦政发〔2019〕20号 二（四）: the regulator finds a filing untrue and orders it corrected.
rules.add_perm("licensing.act_as_regulator", is_regulator & regulator_of)
rules.add_perm("licensing.apply_for", applicant_side)
# Signing the 承诺书 has legal and credit consequences (附件3 第九条): an applicant account signs
# only once its link is verified; the clerk records what the applicant signed on paper.
rules.add_perm("licensing.sign_commitment", (is_applicant_user & verified_for_applicant) | is_clerk)
rules.add_perm("licensing.use_window_desk", is_clerk)
rules.add_perm("licensing.use_officer_desk", is_officer)
# The deciding officer needs to know whom the licence is for; the regulator and others see it masked.
rules.add_perm("licensing.view_applicant_identity", applicant_side | officer_side | is_admin)
# The applicant's own pages (我的办件, 办理主体, 在线申请): applicant accounts only; staff have their desks.
rules.add_perm("licensing.use_applicant_desk", is_applicant_user)
