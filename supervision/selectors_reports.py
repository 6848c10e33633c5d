"""What the quarterly reports read of supervision (licensing.reports; issue 14): one department's
inspections and credit records in a period, counted by the rules its pages use.

The inspections are those of the regulator's own queue (supervision.queue.inspections_for: regulator =
the organisation, 谁主管、谁监管); "done" is the desk's "本月办结" (passed or failed, by the time it was
closed) over the period instead of the month; "overdue" the desk's "已逾期" (open, past its due date).
Open and overdue are counted as they stood when the period ended (from the times each inspection was
made and closed), so a report made again later gives the same numbers.
"""
import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from supervision.constants import InspectionOutcome, InspectionStatus
from supervision.models import CreditRecord, Inspection, InspectionResult

DONE = (InspectionStatus.PASSED, InspectionStatus.FAILED)


def regulator_inspections(organisation_id) -> QuerySet[Inspection]:
    """The organisation's queue (supervision.queue.inspections_for, without a signed-in regulator)."""
    return Inspection.objects.filter(regulator_id=organisation_id).order_by()


def _within(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def open_at(end: dt.datetime) -> Q:
    """Made before `end` and not closed (passed, failed or cancelled) by then."""
    return Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))


def inspection_figures(organisation_id, *, start: dt.datetime, end: dt.datetime) -> dict:
    """The regulator's checks in [start, end): done by outcome, rectifications ordered, cancelled, those made
    by a random draw (双随机: Inspection.pick), and open and overdue at `end` (due before `end`'s day).
    One aggregate query over the queue and one count of results."""
    closed = _within("closed_at", start, end)
    open_then = open_at(end)
    counts = regulator_inspections(organisation_id).aggregate(
        passed=Count("id", filter=closed & Q(status=InspectionStatus.PASSED)),
        failed=Count("id", filter=closed & Q(status=InspectionStatus.FAILED)),
        cancelled=Count("id", filter=closed & Q(status=InspectionStatus.CANCELLED)),
        done_from_draws=Count("id", filter=closed & Q(status__in=DONE, pick__isnull=False)),
        drawn=Count("id", filter=_within("created_at", start, end) & Q(pick__isnull=False)),
        open_at_end=Count("id", filter=open_then),
        overdue_at_end=Count("id", filter=open_then & Q(due_date__lt=timezone.localdate(end))),
    )
    counts["done"] = counts["passed"] + counts["failed"]
    counts["rectify"] = rectifications_ordered(organisation_id, start=start, end=end).count()
    return counts


def rectifications_ordered(organisation_id, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Results of the regulator's checks in [start, end) that ordered a rectification (责令限期整改)."""
    return InspectionResult.objects.filter(_within("recorded_at", start, end), inspection__regulator_id=organisation_id,
                                           outcome=InspectionOutcome.RECTIFY)


def credit_records_made(organisation_id, *, start: dt.datetime, end: dt.datetime) -> QuerySet[CreditRecord]:
    """The credit records the organisation made (认定机关: CreditRecord.organisation) in [start, end), oldest first."""
    return (CreditRecord.objects.filter(_within("recorded_at", start, end), organisation_id=organisation_id)
            .select_related("applicant", "application").order_by("recorded_at", "id"))


# --- the dashboards (issue 15) ---------------------------------------------------------------------
from portal.permissions import is_admin, is_officer, is_regulator  # noqa: E402  (appended with this section)


def inspections_in_view(user) -> QuerySet[Inspection]:
    """The checks a user's dashboard counts: a regulator's own queue (谁主管、谁监管), an approval officer's the
    checks of its own authority's decisions (Inspection.authority, 谁审批、谁负责), the admin's every one;
    nobody else's any."""
    if is_admin(user):
        return Inspection.objects.order_by()
    if is_regulator(user) and user.organisation_id:
        return regulator_inspections(user.organisation_id)
    if is_officer(user) and user.organisation_id:
        return Inspection.objects.filter(authority_id=user.organisation_id).order_by()
    return Inspection.objects.none()
