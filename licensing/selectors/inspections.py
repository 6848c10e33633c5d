"""What the approving authority, the applicant and the public see of the regulator's check (issue 10).

The check itself is supervision's (附件3 第七条; 钦政发〔2019〕20号); licensing reads it here through
supervision.selectors only, one function per reading:

  inspection_label       the one wording of where the check stands, for every page and the API (the
                         public lookup's selectors.progress.inspection_progress shows it alone)
  inspection_summary     the application page's 事后核查 section: results, names, notes, documents
  revocation_request_of  the regulator's open request to revoke, beside the officer's revoke form
  revocation_requests_for the officer desk's queue of such requests to the officer's authority
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import Status
from licensing.i18n import local_date
from licensing.models import Application
from licensing.selectors.authorities import acting_q
from notices.constants import DocumentKind
from portal.permissions import is_officer
from supervision import selectors as supervision_selectors
from supervision.constants import InspectionStatus

# The documents a check issues, in the order they come (核查记录, 整改通知书, 复查记录).
INSPECTION_DOCUMENTS = (DocumentKind.INSPECTION_RECORD, DocumentKind.RECTIFICATION, DocumentKind.REINSPECTION_RECORD)
FULL_COVERAGE_NOTE = gettext_noop("本事项属于钦政发〔2019〕18号附件2序号4至19的事项，实行全覆盖例行检查："
                                  "每一个许可决定都由行业主管部门核查，不以抽查代替。")  # shown through gettext


def _date(day: dt.date) -> str:
    return local_date(day)


def inspection_label(inspection, application=None) -> str:
    """Where the check stands, in words safe for anyone (no names, no findings)."""
    application = application or inspection.application
    if inspection.status == InspectionStatus.RECTIFY and inspection.rectify_due:
        return _("限期整改（整改期限%(date)s）") % {"date": _date(inspection.rectify_due)}
    if inspection.status == InspectionStatus.FAILED:
        return _("承诺不实，许可已撤销") if application.status == Status.REVOKED else _("承诺不实，已提请撤销许可")
    if inspection.status == InspectionStatus.CANCELLED:
        return _("无需核查（许可已撤销）")
    return inspection.get_status_display()


@dataclass
class InspectionSummary:
    """The 事后核查 section of the application page. On-site files (photos) are not in it: the
    regulator reads them on its own pages."""

    inspection: object
    label: str
    full_coverage_note: str
    results: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    revocation_request: object = None


def inspection_summary(application, documents=None) -> InspectionSummary | None:
    """The check of this application for whoever may see its page; None when there is none.
    `documents`: the application's documents if the caller has them already."""
    inspection = supervision_selectors.inspection_of(application)
    if inspection is None:
        return None
    documents = application.documents.all() if documents is None else documents
    return InspectionSummary(
        inspection=inspection, label=inspection_label(inspection, application),
        full_coverage_note=_(FULL_COVERAGE_NOTE) if inspection.full_coverage else "",
        results=list(inspection.results.all()),
        documents=[d for d in documents if d.kind in INSPECTION_DOCUMENTS],
        revocation_request=revocation_request_of(application))


def revocation_request_of(application):
    """The regulator's request to revoke this decision that awaits the approving authority, or None."""
    return supervision_selectors.open_revocation_request(application)


def revocation_requests_for(user, *, legacy_items: list | None = None) -> QuerySet:
    """核查不实，提请撤销: the open requests to revoke what the officer's organisation approved, oldest first.
    `legacy_items`: as acting_q's, when the desk has looked them up already."""
    if not is_officer.test(user) or user.organisation_id is None:
        return supervision_selectors.revocation_requests_to(Application.objects.none()).none()
    # 谁审批、谁撤销: the organisation that decided, or was entrusted to decide, acts on the request.
    acted_on = Application.objects.filter(acting_q(user.organisation_id, legacy_items=legacy_items))
    return supervision_selectors.revocation_requests_to(acted_on)
