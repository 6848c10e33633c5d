"""Template helpers of the SLA watch: a duration in the reader's language, and the admin index's alert.

The alert is a tag rather than a context processor so it is computed only where a template asks
for it (the admin index, templates/admin/index.html), never on every page; and portal, the base
layer, names notices only in that template, never in code.
"""
import datetime as dt

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notices import i18n, selectors_outbox
from notices.constants import OutboxStatus
from notices.views_sla import outbox_changelist_url

register = template.Library()


@register.filter
def duration_zh(value):
    """A timedelta as 2天3小时5分钟 (whole minutes; "不足1分钟" below one), 2 days 3 hours 5 minutes in
    English; "—" when there is none."""
    if not isinstance(value, dt.timedelta):
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [ngettext("%(n)d天", "%(n)d天", days) % {"n": days} if days else "",
             ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours} if hours else "",
             ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes} if minutes else ""]
    return ("" if i18n.in_chinese() else " ").join(part for part in parts if part) or _("不足1分钟")


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
