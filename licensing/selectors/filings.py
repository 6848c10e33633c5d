"""备案事项: the filings a regulator received and the corrections it ordered (issue 11).

钦政发〔2019〕20号 二（四）: "企业备案后，各有关监管部门要依法实施有效监管，对未按规定备案或备案信息不实的
企业，要明确监管规则，依法调查处理并采取措施予以纠正". 谁主管、谁监管: a filing is the regulator's whose
organisation the routing table named (Application.regulator), the same rule as its visibility
(applications.applications_visible_to). One query whatever the number of filings.
"""
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from licensing.constants import Status
from licensing.models import Application
from licensing.selectors.applicants import public_name
from licensing.selectors.deadlines import is_overdue
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


def _shown(application, today):
    application.applicant_name = public_name(application.applicant)  # masked like the rest of the desk
    application.is_overdue = is_overdue(application.filing_correct_by, today)
    return application


def filings_of_regulator(user, today=None) -> RegulatorFilings:
    """The filings of the regulator's own organisation; nothing for anyone else."""
    if not (is_regulator.test(user) and user.is_active and user.organisation_id):
        return RegulatorFilings()
    found = RegulatorFilings()
    for application in _rows(user.organisation_id):
        if application.status == Status.FILING_CORRECTION:
            found.awaiting.append(_shown(application, today))
        else:
            found.recent.append(_shown(application, today))
            found.filed_count = application.of_status
    found.awaiting.sort(key=lambda a: (a.filing_correct_by, a.pk))
    return found


def _rows(organisation_id):
    """One query (the desk it shows on is held to a fixed number): every ordered correction, and the
    newest RECENT_FILINGS filings with the count of all (window functions, numbered per status)."""
    newest = (F("submitted_at").desc(), F("id").desc())
    return (Application.objects.filter(regulator_id=organisation_id,
                                       status__in=(Status.FILED, Status.FILING_CORRECTION))
            .select_related("item", "applicant")
            .annotate(nth=Window(RowNumber(), partition_by=F("status"), order_by=newest),
                      of_status=Window(Count("id"), partition_by=F("status")))
            .filter(Q(status=Status.FILING_CORRECTION) | Q(nth__lte=RECENT_FILINGS))
            .order_by(*newest))
