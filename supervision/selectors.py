"""What supervision shows, one function per rule, read alike by the pages, the API and the jobs."""
import datetime as dt
import re

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import dateparse, timezone
from django.utils.translation import gettext as _, gettext_lazy

from portal.exceptions import InvalidInput
from portal.permissions import is_officer, is_regulator
from supervision.constants import InboxKind, RevocationRequestStatus
from supervision.i18n import listed
from supervision.models import CreditRecord, InboxRecord, Inspection, RevocationRequest

# An id in a path or a form: anything else is not looked up (PostgreSQL refuses integers past bigint).
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
_ITEM_CODE = re.compile(r"[A-Za-z0-9-]{1,16}", re.ASCII)
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def applicant_barred_from_commitment(applicant) -> CreditRecord | None:
    """The unrepaired credit record that bars notify-and-commit (附件3 第九条), or None."""
    return CreditRecord.objects.filter(applicant=applicant, repaired_at__isnull=True).order_by("-recorded_at").first()


# --- the regulator's inbox (issue 9) -----------------------------------------------------------

def inbox_organisation_id(user) -> int | None:
    """Whose inbox the user reads: a regulator's own organisation (谁主管、谁监管), or an approval
    officer's, where the revocations of what it approved arrive (撤销 goes to both sides); None for
    anyone else (admins read the outbox in the Django admin, and act in no organisation's name)."""
    if (is_regulator(user) or is_officer(user)) and user.organisation_id:
        return user.organisation_id
    return None


def inbox_for(user) -> QuerySet[InboxRecord]:
    """The records pushed to the user's organisation, unacknowledged first, then the newest delivered."""
    organisation_id = inbox_organisation_id(user)
    if organisation_id is None:
        return InboxRecord.objects.none()
    unacknowledged_first = Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1),
                                output_field=IntegerField())
    return (InboxRecord.objects.filter(organisation_id=organisation_id)
            .select_related("application", "acknowledged_by")
            .order_by(unacknowledged_first, "-delivered_at", "-id"))


def inbox_kind_label(record: InboxRecord) -> str:
    """The record's kind named in the reader's language; `kind_label` keeps the name it was pushed with."""
    return InboxKind(record.kind).label if record.kind in InboxKind.values else record.kind_label


def inbox_unacknowledged_count(user) -> int:
    return inbox_for(user).filter(acknowledged_at__isnull=True).count()


def inbox_record_for(user, record_id) -> InboxRecord | None:
    """One record of the user's inbox, or None whether it does not exist or is another's."""
    if not _ID.fullmatch(str(record_id)):
        return None
    return inbox_for(user).filter(pk=int(record_id)).first()


def inbox_records_of_registration(registration_id) -> dict[int, InboxRecord]:
    """双告知 接收反馈 (issue 16): a registration's 告知 as each department's inbox holds it, by organisation id
    (delivered_at, and acknowledged_at once signed for); a department not yet reached is absent."""
    return {record.organisation_id: record for record in InboxRecord.objects.filter(registration_id=registration_id)}


def inbox_filter(records: QuerySet[InboxRecord], *, kind=None, acknowledged=None, item=None,
                 since=None) -> QuerySet[InboxRecord]:
    """Narrow an inbox by the query's filters, as given (strings; empty means no filter).
    A value that cannot be meant is refused (400) rather than silently ignored."""
    if kind:
        records = records.filter(kind=_kind(kind))
    if acknowledged:
        records = records.filter(acknowledged_at__isnull=not _boolean(acknowledged))
    if item:
        code = _item_code(item)
        # a 告知 of a registration (issue 16) is about several items: those of this department, in its data
        records = records.filter(Q(item_code=code) | Q(registration__isnull=False,
                                                       payload__data__items__icontains=f'"{code}"'))
    if since:
        records = records.filter(delivered_at__gte=_moment(since))
    return records


def _kind(value: str) -> str:
    if value not in InboxKind.values:
        raise InvalidInput(_("记录类型无效，可选：%(choices)s。") % {"choices": listed(InboxKind.values)}, field="kind")
    return value


def _boolean(value: str) -> bool:
    text = value.strip().lower()
    if text not in _TRUE | _FALSE:
        raise InvalidInput(_("签收状态应为 true（已签收）或 false（未签收）。"), field="acknowledged")
    return text in _TRUE


def _item_code(value: str) -> str:
    code = value.strip().upper()
    if not _ITEM_CODE.fullmatch(code):
        raise InvalidInput(_("事项编码格式不正确，如 QZ-013。"), field="item")
    return code


_PLUS_AS_SPACE = re.compile(r"([T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
SINCE_INVALID = gettext_lazy("起始时间应为 ISO 8601 日期或时间，如 2024-10-14 或 2024-10-14T09:00:00+08:00。")


def _moment(value: str) -> dt.datetime:
    """An ISO date (from the start of that day in Qinzhou) or date-time (without a zone: Qinzhou's)."""
    # An offset's "+" arrives as a space when a client forgets to encode it in the query string.
    text = _PLUS_AS_SPACE.sub(r"\1+\2", value.strip())
    try:
        moment = dateparse.parse_datetime(text)  # a bare date too: Python 3.11 reads it as its midnight
        if moment is None:
            raise ValueError(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(dt.timezone.utc)  # a year 1 or 9999 at the edge of a zone overflows here
    except (ValueError, OverflowError):
        raise InvalidInput(SINCE_INVALID, field="since") from None


# --- inspections (issue 10) ------------------------------------------------------------------------

def open_revocation_request(application):
    """The regulator's request to revoke this application's decision that awaits the authority, or None."""
    return (RevocationRequest.objects.filter(application=application, status=RevocationRequestStatus.OPEN)
            .select_related("inspection__regulator", "requested_by").first())


def revocation_requests_to(applications):
    """The open requests to revoke the decisions on `applications` (the officer desk's queue: licensing
    passes those its officer's organisation acts on now, the entrusted one for an entrusted decision)."""
    return (RevocationRequest.objects.filter(status=RevocationRequestStatus.OPEN, application__in=applications)
            .select_related("application__item", "application__applicant", "inspection__regulator")
            .order_by("requested_at", "id"))


def inspection_of(application):
    """The application's follow-up inspection (附件3 第七条) with its results and files, or None (for its page)."""
    return (Inspection.objects.filter(application=application, pick__isnull=True).select_related("regulator")
            .prefetch_related("results__files", "inspectors").first())


# --- credit repair (issue 11) ----------------------------------------------------------------------
# (imported here, where they are used, so this section stays an append to the module)
from portal import calendar  # noqa: E402
from supervision.constants import credit_repair_default_basis  # noqa: E402
from supervision.models import CreditRepairRule  # noqa: E402


def repair_rule_for(reason) -> CreditRepairRule:
    """The rule under which a kind of credit record may be repaired (信用修复). A kind with no row
    (an emptied table) follows the documents' default: not repairable (附件3 第九条)."""
    rule = CreditRepairRule.objects.filter(reason=reason).first()
    if rule is None:
        rule = CreditRepairRule(reason=reason, repairable=False, after_months=0,
                                basis=credit_repair_default_basis(reason))
    return rule


def repair_allowed_from(record: CreditRecord, rule: CreditRepairRule) -> dt.date | None:
    """The first day on which `record` may be repaired under `rule` (after_months calendar months after
    the day it was recorded, Qinzhou time), or None when its kind may not be repaired."""
    if not rule.repairable:
        return None
    return calendar.add_calendar_months(timezone.localdate(record.recorded_at), rule.after_months)
