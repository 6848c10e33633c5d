"""公开办理进度 (钦政办〔2019〕72号): an application found by its number and query code, for anyone.

One lookup for the page and the API, so both accept the same input: the number and the code are
typed from paper or a text message, so case, spaces and padding do not matter. A wrong number and a
wrong code answer alike (None), and the comparison takes the same work either way, so the lookup
does not tell which numbers exist.
"""
import secrets

from licensing.models import Application
from licensing.selectors.applications import looks_like_number

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
        application = (Application.objects.select_related("item").prefetch_related("materials", "events")
                       .filter(number=number).first())
    expected = application.query_code.encode() if application is not None else _NOWHERE
    matches = secrets.compare_digest(normalise_query_code(code).encode("utf-8", "replace"), expected)
    return application if application is not None and matches else None
