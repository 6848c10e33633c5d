"""The read side of licensing: every rule that pages, the API, other apps and the jobs read.

catalogue     items, their authorities, search
applications  who may see which application, the lists and queues built on that, disclosure
deadlines     every deadline of an application and what is overdue
efficiency    steps taken on time and late, per authority and month (电子监察, issue 11)
actions       what a user may do next (the pages' buttons, the API's allowed_actions), which files are frozen
materials     materials handed in and every file of them (current and earlier)
progress      the public progress lookup by number and query code
inspections   what the authority, the applicant and the public see of the regulator's check (issue 10)
applicants    public names and identifier masking; the accounts claiming an applicant
authorities   who examines, who decides and in whose name: alternatives, first review, entrustment (issue 11)
routing       the approving authority of an application and the regulator its records go to (issue 9)
records       what an approval record tells the regulator (the payload's data)
filings       备案事项: the filings a regulator received and the corrections it ordered (issue 11)
supervised    监管对象库: the entities a regulator supervises, the draws' pool (issue 14)
scope         经营范围 → 许可事项: the items a business scope probably needs (issue 15; the finder, issue 16's intake)

notices and supervision read licensing through these (and licensing.constants) only.
"""
from .actions import (
    application_allowed_actions, commitment_awaits_verification, material_frozen_reason, materials_to_hand_in,
    transition_allowed,
)
from .applicants import (
    claim_of, claims_in_conflict, claims_of_applicant, claims_of_user, enterprises_q, identifier_for, is_enterprise,
    is_verified_for, may_see_identity, public_identifier, public_name,
)
from .applications import (
    OfficerQueues, application_decidable, application_for, application_visible, application_with_details,
    applications_of_applicant, applications_of_authority,
    applications_listed, applications_of_user, applications_visible_to, disclosed_commitments, document_links,
    officer_queues, read_materials,
    with_next_deadline,
)
from .authorities import (
    DeciderOption, acting_organisation_id, acting_q, decider_id, decider_option, decider_options, forward_to,
    issuer_of, pending_stages, review_chain,
)
from .catalogue import authorities_in_use, item_get, item_list
from .deadlines import (
    NOT_YET_RUNNING, PROVISIONAL_NOTE, Deadline, application_overdue, commitments_overdue, conditions_due_soon,
    conditions_overdue, deadlines, is_overdue, materials_due, materials_overdue, next_deadline, overdue_q,
)
from .efficiency import LATE_STEPS_LIMIT, STEP_KINDS, StepCount, late_steps, parse_month, step_efficiency, timed_steps
from .inspections import (
    INSPECTION_DOCUMENTS, InspectionSummary, inspection_label, inspection_summary,
    revocation_request_of, revocation_requests_for,
)
from .materials import application_materials, material_file
from .progress import (
    NOT_YET_OPERATING, InspectionProgress, OperatingStatus, application_progress, inspection_progress,
    normalise_number, operating_status,
)
from .records import approval_record_data
from .routing import authority_of, regulator_for

__all__ = [
    "DeciderOption", "acting_organisation_id", "acting_q", "decider_id", "decider_option", "decider_options",
    "forward_to", "issuer_of", "pending_stages",
    "review_chain",
    "approval_record_data", "authority_of", "regulator_for",
    "PROVISIONAL_NOTE", "Deadline", "OfficerQueues", "application_allowed_actions", "application_decidable", "application_for",
    "application_overdue", "application_progress", "application_visible", "application_with_details", "applications_of_applicant",
    "applications_listed", "applications_of_authority", "applications_of_user", "applications_visible_to", "authorities_in_use",
    "claim_of", "claims_in_conflict", "claims_of_applicant", "claims_of_user", "commitment_awaits_verification",
    "is_verified_for",
    "commitments_overdue", "deadlines", "disclosed_commitments", "identifier_for", "is_overdue", "item_get",
    "item_list", "application_materials", "material_file", "material_frozen_reason", "materials_due",
    "materials_overdue", "materials_to_hand_in", "may_see_identity",
    "next_deadline", "normalise_number", "officer_queues", "overdue_q", "public_name", "transition_allowed",
    "document_links", "read_materials", "with_next_deadline",
    "INSPECTION_DOCUMENTS", "InspectionProgress", "InspectionSummary", "inspection_label", "inspection_progress",
    "inspection_summary", "revocation_request_of", "revocation_requests_for",
    "NOT_YET_OPERATING", "NOT_YET_RUNNING", "OperatingStatus", "conditions_due_soon", "conditions_overdue",
    "operating_status",
]
__all__ += ["LATE_STEPS_LIMIT", "STEP_KINDS", "StepCount", "late_steps", "parse_month", "step_efficiency", "timed_steps"]
from .filings import RECENT_FILINGS, RegulatorFilings, filings_of_regulator  # noqa: E402  (issue 11: 备案事项)

__all__ += ["RECENT_FILINGS", "RegulatorFilings", "filings_of_regulator"]
from .supervised import (  # noqa: E402  (issue 14: 监管对象库)
    IN_FORCE, PoolEntry, PoolFilter, applicant_by_identifier, published_entity, revocable, supervised_applicants,
    supervised_applications, supervised_holdings, supervised_pool, supervised_search,
)

__all__ += ["enterprises_q", "is_enterprise", "public_identifier"]
__all__ += ["IN_FORCE", "PoolEntry", "PoolFilter", "applicant_by_identifier", "published_entity",
            "supervised_applicants", "supervised_applications", "supervised_holdings", "supervised_pool",
            "revocable", "supervised_search"]
from .scope import ScopeInvalid, ScopeMatch, items_for_scope  # noqa: E402  (issue 15: 经营范围查事项)

__all__ += ["ScopeInvalid", "ScopeMatch", "items_for_scope"]
