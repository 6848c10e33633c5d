"""Every write of licensing goes through here: views, API, admin actions and tasks call these."""
from .applicants import applicant_authorise, applicant_register
from .applications import (
    application_accept, application_approve, application_choose_ordinary, application_commit,
    application_decide, application_issue_notice, application_lapse, application_reject,
    application_request_correction, application_resubmit, application_revoke, application_submit,
    application_withdraw, applications_lapse_overdue, applications_revoke_for_overdue_materials,
    material_submit, notice_missing_content,
)

__all__ = [
    "application_accept", "application_approve", "application_choose_ordinary", "application_commit",
    "application_decide", "application_issue_notice", "application_lapse", "application_reject",
    "application_request_correction", "application_resubmit", "application_revoke", "application_submit",
    "application_withdraw", "applications_lapse_overdue", "applications_revoke_for_overdue_materials",
    "applicant_authorise", "applicant_register", "material_submit", "notice_missing_content",
]
