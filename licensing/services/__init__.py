"""Every write of licensing goes through here: views, API, admin actions and tasks call these.

The application's transitions (DOMAIN.md; 附件3 告知承诺指引; 钦政发〔2019〕20号; 钦政办〔2019〕72号):
each locks the application row, checks the move against TRANSITIONS (route and state), changes
it, writes an ApplicationEvent (with its audit row, naming the actor; None is the portal's own
beat job), and issues its documents in the same transaction, so two officers acting at once
cannot both succeed and nothing is half done. What must happen outside the database (a Celery
task, a delivery) is scheduled with transaction.on_commit, so a rollback sends nothing.
"""
from .applicants import (
    applicant_bind_account, applicant_claim_remove, applicant_claim_verify, applicant_claim_verify_online,
    applicant_for_submission, applicant_register, submission_channel,
)
from ._core import notice_missing_content
from .commitment import (
    application_choose_ordinary, application_commit, application_decide, application_issue_notice,
    application_lapse, application_record_notice_receipt, applications_lapse_overdue,
)
from .conditions import (
    application_confirm_conditions, application_declare_conditions, applications_revoke_for_unmet_conditions,
)
from .filings import application_correct_filing, application_mark_filing_untrue
from .materials import material_submit
from .review import (
    application_accept, application_approve, application_forward, application_reject, application_request_correction,
    application_resubmit, application_withdraw,
)
from .sanctions import application_revoke, applications_revoke_for_overdue_materials
from .submission import application_submit

__all__ = [
    "application_confirm_conditions", "application_correct_filing", "application_declare_conditions",
    "application_forward", "application_mark_filing_untrue", "application_record_notice_receipt",
    "applications_revoke_for_unmet_conditions",
    "application_accept", "application_approve", "application_choose_ordinary", "application_commit",
    "application_decide", "application_issue_notice", "application_lapse", "application_reject",
    "application_request_correction", "application_resubmit", "application_revoke", "application_submit",
    "application_withdraw", "applications_lapse_overdue", "applications_revoke_for_overdue_materials",
    "applicant_bind_account", "applicant_claim_remove", "applicant_claim_verify", "applicant_claim_verify_online",
    "applicant_for_submission", "applicant_register", "material_submit",
    "notice_missing_content", "submission_channel",
]
