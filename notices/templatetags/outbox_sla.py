"""Template helpers of the SLA watch: a duration in Chinese, and the admin index's alert.

The alert is a tag rather than a context processor so it is computed only where a template asks
for it (the admin index, templates/admin/index.html), never on every page; and portal, the base
layer, names notices only in that template, never in code.
"""
import datetime as dt

from django import template
from django.urls import reverse

from notices import selectors_outbox
from notices.constants import OutboxStatus
from notices.views_sla import outbox_changelist_url

register = template.Library()


@register.filter
def duration_zh(value):
    """A timedelta as 2天3小时5分钟 (whole minutes; "不足1分钟" below one); "—" when there is none."""
    if not isinstance(value, dt.timedelta):
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟")) if n]
    return "".join(parts) or "不足1分钟"


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


@register.simple_tag(takes_context=True)
def outbox_alert(context):
    """The counts the admin index warns of (None when all is well), with where to act on them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("notices.view_outbox_sla"):
        return None
    return {"counts": selectors_outbox.sla_alert(user), "sla_url": reverse("records-sla"),
            "unrouted_url": outbox_changelist_url(OutboxStatus.UNROUTED)}
