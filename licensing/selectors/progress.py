"""公开办理进度 (钦政办〔2019〕72号): an application found by its number and query code, for anyone.

One lookup for the page and the API, so both accept the same input: the number and the code are
typed from paper or a text message, so case, spaces and padding do not matter. A wrong number and a
wrong code answer alike (None), and the comparison takes the same work either way, so the lookup
does not tell which numbers exist. The regulator's check shows as its status alone
(inspection_progress): no finding, no inspector's name. Whether the holder of a licence may operate
yet (operating_status) is shown here and on the public verification page alike. A filing found
untrue shows its correction date, not a 办结日期, until it is corrected (settled_on, correction_due).
"""
import datetime as dt
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import Status
from licensing.i18n import local_date
from licensing.models import Application
from licensing.selectors.applications import looks_like_number, materials_with_entries
from licensing.selectors.inspections import inspection_label
from supervision.constants import InspectionStatus

_NOWHERE = b"-" * 8


def normalise_number(raw: str | None) -> str:
    return "".join((raw or "").split()).upper()


def normalise_query_code(raw: str | None) -> str:
    return "".join((raw or "").split()).upper()


def application_progress(number: str | None, code: str | None) -> Application | None:
    """The application whose number and query code these are, or None."""
    number = normalise_number(number)
    application = None
    if looks_like_number(number):
        # The number is unique: no ORDER BY and no LIMIT to build and plan (first() adds both).
        found = list(Application.objects.select_related("item", "licence")
                     .prefetch_related(materials_with_entries(), "events", "inspections")
                     .filter(number=number).order_by())
        application = found[0] if found else None
    expected = application.query_code.encode() if application is not None else _NOWHERE
    matches = secrets.compare_digest(normalise_query_code(code).encode("utf-8", "replace"), expected)
    if application is None or not matches:
        return None
    application.settled_on, application.correct_by = settled_on(application), correction_due(application)
    return application


def awaiting_correction(application) -> bool:
    """A filing found untrue waits for its correction (钦政发〔2019〕20号 二（四）: 备案信息不实…予以纠正):
    not settled, whatever its closed_at says, until the filer corrects it."""
    return application.status == Status.FILING_CORRECTION


def settled_on(application) -> dt.date | None:
    """办结日期 as the public sees it: the day the application was closed, None while it is not settled."""
    if application.closed_at is None or awaiting_correction(application):
        return None
    return timezone.localdate(application.closed_at)


def correction_due(application) -> dt.date | None:
    """改正期限: the date the regulator set for correcting an untrue filing, while it waits."""
    return application.filing_correct_by if awaiting_correction(application) else None


@dataclass(frozen=True)
class InspectionProgress:
    """The public lookup's view of the check: status and dates only (钦政办〔2019〕72号)."""

    status: str
    label: str
    due_date: dt.date | None
    rectify_due: dt.date | None


def inspection_progress(application) -> InspectionProgress | None:
    """The check's status for the public progress page and API; None when the application has none."""
    inspection = getattr(application, "inspection", None)
    if inspection is None:
        return None
    return InspectionProgress(status=inspection.status, label=inspection_label(inspection, application),
                              due_date=inspection.due_date,
                              rectify_due=inspection.rectify_due if inspection.status == InspectionStatus.RECTIFY
                              else None)


# 钦政发〔2019〕20号: "企业达到经营许可条件并按要求提交材料后，方可开展经营".
NOT_YET_OPERATING = gettext_noop("未达到经营条件，不得开展经营")  # shown through gettext


@dataclass(frozen=True)
class OperatingStatus:
    """Whether the holder of a licence in force may operate, for the public pages (progress, verify)."""

    may_operate: bool
    may_operate_from: dt.date | None
    label: str
    note: str = ""


def operating_status(application) -> OperatingStatus | None:
    """From when the licence lets its holder operate; None without a licence in force (a revoked
    one is shown as revoked). A holder that committed to meet the conditions by a date may not
    operate until the authority confirms them met, which sets the licence's may_operate_from."""
    licence = getattr(application, "licence", None)
    if licence is None or licence.revoked_at is not None:
        return None
    if licence.may_operate_from is not None:
        return OperatingStatus(True, licence.may_operate_from,
                               _("可开展经营日期：%(date)s") % {"date": local_date(licence.may_operate_from)})
    return OperatingStatus(False, None, _(NOT_YET_OPERATING), note=_conditions_note(application))


def _conditions_note(application) -> str:
    if application.conditions_declared_at is not None:
        return _("持证人已申报达到经营许可条件，待审批机关确认")
    if application.conditions_due is not None:
        return _("持证人承诺于%(date)s前达到经营许可条件") % {"date": local_date(application.conditions_due)}
    return ""
