"""推送时效: the 3-working-day SLA of approval records, for admins (every record) and approval
officers (their own authority's records), 钦政办〔2019〕72号; and beside it 办理时效（电子监察）: the
steps with a deadline taken on time and late, per authority and month (issue 11), for the same people."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from licensing import selectors as licensing_selectors
from notices import selectors_outbox as sla
from notices.constants import DELIVERY_WORKING_DAYS, OutboxStatus
from portal.exceptions import InvalidInput
from portal.permissions import is_admin

WATCH_SLA = "notices.view_outbox_sla"


def outbox_changelist_url(status: str = "") -> str | None:
    """The admin's list of outbox records (registered in notices/admin.py), filtered by status."""
    try:
        url = reverse("admin:notices_outboxrecord_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?status__exact={status}" if status else url


@require_GET
@login_required
@never_cache
def records_sla(request):
    """Anonymous users sign in; signed-in users who are neither admin nor officer get 403, as at the desks."""
    if not request.user.has_perm(WATCH_SLA):
        raise PermissionDenied
    return render(request, "notices/records_sla.html", _overview(request.user, timezone.now()))


def _overview(user, now) -> dict:
    records, limit = sla.outbox_records_visible_to(user), sla.LIST_LIMIT
    return {
        "now": now, "working_days": DELIVERY_WORKING_DAYS, "is_admin": is_admin(user), "limit": limit,
        "organisation": user.organisation, "statuses": _statuses(records),
        "due_soon": sla.due_soon(records, now)[:limit], "due_soon_until": sla.due_soon_until(now),
        "missed": sla.missed(records, now)[:limit], "undelivered": sla.undelivered(records)[:limit],
        "shares": sla.on_time_share(records, now), "delivered": sla.recently_delivered(records),
        "unrouted": sla.unrouted(records, now)[:limit],
        "unrouted_admin_url": outbox_changelist_url(OutboxStatus.UNROUTED)}


def _statuses(records) -> list[tuple[str, str, int]]:
    counts = sla.counts_by_status(records)
    return [(status, OutboxStatus(status).label, counts[status]) for status in OutboxStatus.values]


@require_GET
@login_required
@never_cache
def records_efficiency(request):
    """The same people as the SLA page, each seeing the steps of the events its own organisation took
    (admins every one); ?month=YYYY-MM narrows to one month, a malformed one is refused with 400."""
    if not request.user.has_perm(WATCH_SLA):
        raise PermissionDenied
    try:
        month = licensing_selectors.parse_month(request.GET.get("month", ""))
    except InvalidInput as refused:
        return render(request, "notices/efficiency.html", _efficiency(request.user, None, refused), status=400)
    return render(request, "notices/efficiency.html", _efficiency(request.user, month))


def _efficiency(user, month, refused=None) -> dict:
    events = sla.scoped_to_own_authority(licensing_selectors.timed_steps(), user, "organisation_id")
    if refused is not None:  # a refused filter shows the form and its message, no figures
        events = events.none()
    return {"now": timezone.now(), "is_admin": is_admin(user), "organisation": user.organisation, "month": month,
            "chosen": f"{month:%Y-%m}" if month else "", "error": refused.message if refused else "",
            "rows": licensing_selectors.step_efficiency(events, month=month),
            "late": licensing_selectors.late_steps(events, month=month), "limit": licensing_selectors.LATE_STEPS_LIMIT}
