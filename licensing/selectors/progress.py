"""公开办理进度 (钦政办〔2019〕72号): an application found by its number and query code, for anyone.

One lookup for the page and the API, so both accept the same input: the number and the code are
typed from paper or a text message, so case, spaces and padding do not matter. A wrong number and a
wrong code answer alike (None), and the comparison takes the same work either way, so the lookup
does not tell which numbers exist. The regulator's check shows as its status alone
(inspection_progress): no finding, no inspector's name.
"""
import datetime as dt
import secrets
from dataclasses import dataclass

from licensing.models import Application
from licensing.selectors.applications import looks_like_number
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
        application = (Application.objects.select_related("item", "inspection")
                       .prefetch_related("materials", "events")
                       .filter(number=number).first())
    expected = application.query_code.encode() if application is not None else _NOWHERE
    matches = secrets.compare_digest(normalise_query_code(code).encode("utf-8", "replace"), expected)
    return application if application is not None and matches else None


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
