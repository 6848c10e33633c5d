"""Template helpers of the regulator's inbox: the count in the site's navigation, and the
payload's ISO dates shown as dates (the payload is JSON, so its times arrive as text)."""
from django import template
from django.utils import dateformat, dateparse, timezone
from django.utils.translation import gettext

from notices.constants import DocumentKind
from portal.masking import mask_identifier
from supervision import selectors
from supervision.constants import APPLICANT_KIND_LABELS, MATERIAL_STATUS_LABELS, OUTCOME_LABELS

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unacknowledged(context) -> int:
    """未签收 records of the signed-in regulator's inbox (0 for anyone who reads none)."""
    request = context.get("request")
    return selectors.inbox_unacknowledged_count(request.user) if request is not None else 0


@register.filter
def when(value):
    """An ISO 8601 date-time of the payload in Qinzhou time, "2024年10月14日 09:00" (in English "14 Oct 2024
    09:00"); other text as it came."""
    try:
        moment = dateparse.parse_datetime(value) if isinstance(value, str) and "T" in value else None
    except ValueError:
        moment = None
    if moment is None:
        return value
    return dateformat.format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                             gettext("Y年n月j日 H:i"))


@register.filter
def day(value):
    """An ISO 8601 date of the payload, "2024年10月14日" (in English "14 Oct 2024"); other text as it came."""
    try:
        date = dateparse.parse_date(value) if isinstance(value, str) else None
    except ValueError:
        date = None
    return value if date is None else dateformat.format(date, gettext("Y年n月j日"))


@register.filter
def masked(value):
    """The applicant's identifier as the portal's pages show it to regulators: first and last 4 characters."""
    return mask_identifier(value) if isinstance(value, str) else value


_LABELS = {"outcome": OUTCOME_LABELS, "applicant_kind": APPLICANT_KIND_LABELS,
           "material_status": MATERIAL_STATUS_LABELS, "document_kind": dict(DocumentKind.choices)}


@register.filter
def label(value, table):
    """The name of a payload code in the reader's language: {{ data.decision.outcome|label:"outcome" }}. The
    payload's own labels (`…_label`) are the Chinese it was pushed with: a page names by code what it can, and
    shows the rest as pushed (marked Chinese)."""
    return _LABELS.get(table, {}).get(value, value) if isinstance(value, str) else value


@register.filter
def kind_label(record):
    """The record's kind in the reader's language: {{ record|kind_label }}."""
    return selectors.inbox_kind_label(record)
