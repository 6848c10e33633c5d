"""推送时效: the 3-working-day SLA of approval records, for admins (every record) and approval
officers (their own authority's records), 钦政办〔2019〕72号."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notices import selectors_outbox as sla
from notices.constants import DELIVERY_WORKING_DAYS, OutboxStatus
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
