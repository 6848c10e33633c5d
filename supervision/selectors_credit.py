"""What the 诚信档案 shows, and to whom (issue 14): the public list (信用公示), an applicant's own records
and its repair requests, the deciding authority's desk, and what the API lists for each kind of user.

- The public sees the records that bar notify-and-commit (附件3 第九条: unrepaired), with the reason, the
  date and the authority that made them (认定机关); an enterprise by its name and 统一社会信用代码 in full
  (both public, 国家企业信用信息公示系统), a person by the surname and a masked number. A repaired record
  leaves the list (终止公示) and stays in the 诚信档案. The search matches enterprises only: a person's
  name or number is not a key to look a person up by.
- An applicant account sees every record, repaired too, of the applicants it has a verified claim to.
- The authority that made a record (its approval officers) decides its repair requests.
Another's record or request is None here, so pages and the API answer 404 as for one that does not exist.
"""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing import selectors as licensing_selectors
from portal.exceptions import InvalidInput
from portal.permissions import is_admin, is_applicant_user, is_officer, is_regulator
from supervision.constants import CreditReason, RepairStatus
from supervision.models import CreditRecord, CreditRepairRequest, CreditRepairRule
from supervision.selectors import repair_allowed_from, repair_rule_for

_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # PostgreSQL refuses integers past bigint
SEARCH_LENGTH = 100
RECENT_DECIDED = 20
# What the public list reads of a record: nothing of its details, its application or who recorded it.
_PUBLIC_COLUMNS = ("id", "reason", "recorded_at", "repaired_at", "applicant__kind", "applicant__name",
                   "applicant__identifier", "organisation__code", "organisation__name")


def _id(value) -> int | None:
    return int(value) if _ID.fullmatch(str(value)) else None


# --- the public list (信用公示) ---------------------------------------------------------------------

def public_credit_records() -> QuerySet[CreditRecord]:
    """The records that bar notify-and-commit (unrepaired), newest first, public columns only."""
    return (CreditRecord.objects.filter(repaired_at__isnull=True).select_related("applicant", "organisation")
            .only(*_PUBLIC_COLUMNS).order_by("-recorded_at", "-id"))


def credit_search(records: QuerySet[CreditRecord], q) -> QuerySet[CreditRecord]:
    """Narrow to enterprises whose name or 统一社会信用代码 contains `q` (empty: no filter); bad input 400."""
    text = " ".join(str(q or "").split())
    if not text:
        return records
    if len(text) > SEARCH_LENGTH:
        raise InvalidInput(_("查询内容最多%(limit)d个字符，请输入企业名称或统一社会信用代码。") % {"limit": SEARCH_LENGTH},
                           field="q")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise InvalidInput(_("查询内容不能包含控制字符，请输入企业名称或统一社会信用代码。"), field="q")
    found = Q(applicant__name__icontains=text) | Q(applicant__identifier__icontains=text.upper())
    return records.filter(found, licensing_selectors.enterprises_q("applicant__"))


@dataclass(frozen=True)
class PublicCreditRow:
    id: int
    name: str          # an enterprise's name in full, a person's surname
    identifier: str    # an enterprise's 统一社会信用代码 in full, a person's number masked
    is_enterprise: bool
    reason: str
    reason_label: str
    recorded_on: dt.date
    authority: str     # 认定机关


def public_row(record: CreditRecord) -> PublicCreditRow:
    applicant = record.applicant
    return PublicCreditRow(
        id=record.pk, name=licensing_selectors.public_name(applicant), identifier=licensing_selectors.public_identifier(applicant),
        is_enterprise=licensing_selectors.is_enterprise(applicant), reason=record.reason, reason_label=record.get_reason_display(),
        recorded_on=timezone.localdate(record.recorded_at),
        authority=record.organisation.name if record.organisation_id else "")


# --- the applicant's own records ------------------------------------------------------------------

def claimed_applicant_ids(user) -> list[int]:
    """The applicants the account acts for with a verified claim (a pending claim proves nothing yet)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [claim.applicant_id for claim in licensing_selectors.claims_of_user(user) if claim.is_verified]


def _with_requests(records: QuerySet[CreditRecord]) -> QuerySet[CreditRecord]:
    requests = CreditRepairRequest.objects.select_related("decided_by").prefetch_related("evidence")
    return (records.select_related("applicant", "organisation")
            .prefetch_related(Prefetch("repair_requests", queryset=requests.order_by("-submitted_at", "-id")))
            .order_by("-recorded_at", "-id"))


def credit_records_of_user(user) -> QuerySet[CreditRecord]:
    """Every record, repaired too, of the applicants the account acts for, with their repair requests."""
    return _with_requests(CreditRecord.objects.filter(applicant_id__in=claimed_applicant_ids(user)))


def credit_record_of_user(user, record_id) -> CreditRecord | None:
    pk = _id(record_id)
    return None if pk is None else credit_records_of_user(user).filter(pk=pk).first()


@dataclass(frozen=True)
class RepairRuleView:
    repairable: bool
    after_months: int
    allowed_from: dt.date | None   # None: not repairable
    basis: str
    open_now: bool                 # the rule allows a repair today


def repair_rules() -> dict:
    """Every kind's CreditRepairRule in one query (a list's rows read them from here), by reason."""
    stored = {rule.reason: rule for rule in CreditRepairRule.objects.all()}
    return {reason: stored.get(reason) or repair_rule_for(reason) for reason in CreditReason.values}


def repair_rule_view(record: CreditRecord, today: dt.date | None = None, rule=None) -> RepairRuleView:
    """The kind's CreditRepairRule as it applies to this record (issue 11)."""
    rule = rule or repair_rule_for(record.reason)
    allowed_from = repair_allowed_from(record, rule)
    today = today or timezone.localdate()
    return RepairRuleView(repairable=rule.repairable, after_months=rule.after_months, allowed_from=allowed_from,
                          basis=rule.basis, open_now=allowed_from is not None and today >= allowed_from)


# --- the deciding authority (认定机关) ---------------------------------------------------------------

def repair_desk_organisation_id(user) -> int | None:
    """Whose repair requests the user decides: an active approval officer's own organisation; None for
    anyone else (admins decide nothing in an authority's name, regulators record no credit)."""
    if is_officer.test(user) and user.organisation_id:
        return user.organisation_id
    return None


def _requests_of(user) -> QuerySet[CreditRepairRequest]:
    organisation_id = repair_desk_organisation_id(user)
    if organisation_id is None:
        return CreditRepairRequest.objects.none()
    return (CreditRepairRequest.objects.filter(record__organisation_id=organisation_id)
            .select_related("record__applicant", "record__organisation", "submitted_by", "decided_by"))


def repair_requests_to_decide(user) -> QuerySet[CreditRepairRequest]:
    """The organisation's pending requests, the earliest due first."""
    return _requests_of(user).filter(status=RepairStatus.PENDING).order_by("due_date", "id")


def repair_requests_decided(user, limit: int = RECENT_DECIDED) -> list[CreditRepairRequest]:
    """The organisation's last decided requests, the newest decision first."""
    return list(_requests_of(user).exclude(status=RepairStatus.PENDING).order_by("-decided_at", "-id")[:limit])


def repair_request_for(user, request_id) -> CreditRepairRequest | None:
    """One request the user's organisation decides (pending or decided), with its evidence; else None."""
    pk = _id(request_id)
    return None if pk is None else _requests_of(user).prefetch_related("evidence").filter(pk=pk).first()


def repair_request_overdue(request: CreditRepairRequest, today: dt.date | None = None) -> bool:
    """Still undecided after its decision date."""
    return request.status == RepairStatus.PENDING and (today or timezone.localdate()) > request.due_date


# --- what the API lists ----------------------------------------------------------------------------

def credit_records_scope(user) -> str:
    """Which records the user reads: "own" (an applicant account's applicants), "organisation" (an officer's
    or regulator's own organisation made them), "all" (an admin), or "public" (anyone else, anonymous too)."""
    if is_applicant_user.test(user):
        return "own"
    if (is_officer.test(user) or is_regulator.test(user)) and user.organisation_id:
        return "organisation"
    if is_admin.test(user):
        return "all"
    return "public"


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    scope = credit_records_scope(user)
    if scope == "public":
        return public_credit_records()
    if scope == "own":
        return credit_records_of_user(user)
    records = CreditRecord.objects.all()
    if scope == "organisation":
        records = records.filter(organisation_id=user.organisation_id)
    return _with_requests(records)


def credit_record_visible_to(user, record_id) -> CreditRecord | None:
    pk = _id(record_id)
    return None if pk is None else credit_records_visible_to(user).filter(pk=pk).first()
