"""备案事项: the filings a regulator received and the corrections it ordered (issue 11).

钦政发〔2019〕20号 二（四）: "企业备案后，各有关监管部门要依法实施有效监管，对未按规定备案或备案信息不实的
企业，要明确监管规则，依法调查处理并采取措施予以纠正". 谁主管、谁监管: a filing is the regulator's whose
organisation the routing table named (Application.regulator), the same rule as its visibility
(applications.applications_visible_to). A fixed number of queries whatever the number of filings.
"""
from dataclasses import dataclass, field

from licensing.constants import Status
from licensing.models import Application
from licensing.selectors.applicants import public_name
from licensing.selectors.deadlines import is_overdue
from portal.paging import COUNT_CAP
from portal.permissions import is_regulator

RECENT_FILINGS = 20


@dataclass
class RegulatorFilings:
    """awaiting: ordered corrections, oldest correct-by date first (each with .applicant_name and
    .is_overdue); recent: the newest filings received (status FILED), at most RECENT_FILINGS of
    filed_count."""
    awaiting: list = field(default_factory=list)
    recent: list = field(default_factory=list)
    filed_count: int = 0
    filed_capped: bool = False  # more than COUNT_CAP filings: filed_count is the cap


def _shown(application, today):
    application.applicant_name = public_name(application.applicant)  # masked like the rest of the desk
    application.is_overdue = is_overdue(application.filing_correct_by, today)
    return application


def filings_of_regulator(user, today=None) -> RegulatorFilings:
    """The filings of the regulator's own organisation; nothing for anyone else. Three queries, each on
    its own partial index (application_filing_fix_idx, application_filed_idx), so that the desk costs
    the same however many applications the regulator oversees: the corrections ordered, the newest
    RECENT_FILINGS filings, and their count up to COUNT_CAP (`filed_capped` past it)."""
    if not (is_regulator.test(user) and user.is_active and user.organisation_id):
        return RegulatorFilings()
    own = Application.objects.filter(regulator_id=user.organisation_id).select_related("item", "applicant")
    found = RegulatorFilings()
    found.awaiting = [_shown(a, today) for a in own.filter(status=Status.FILING_CORRECTION)
                      .order_by("filing_correct_by", "id")]
    filed = own.filter(status=Status.FILED).order_by("-submitted_at", "-id")
    found.recent = [_shown(a, today) for a in filed[:RECENT_FILINGS]]
    counted = filed.order_by()[: COUNT_CAP + 1].count()
    found.filed_count, found.filed_capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    return found
