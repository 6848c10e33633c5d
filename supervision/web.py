"""监管收件箱 (issue 9): the approval records pushed to the regulator's own organisation, each opened
with its full commitment, and 签收 (acknowledgement).

Who reads which inbox is one selector (supervision.selectors.inbox_for), the same the API uses.
An approval officer reads its own organisation's inbox too: revocations of what it approved arrive
there (撤销 goes to both sides). Like the staff desks, the inbox is 403 for anyone who reads none (not a regulator, or a regulator
without an organisation); a record of another organisation is 404, the same as one that does not exist.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from portal import lists
from portal.exceptions import InvalidInput
from portal.paging import page_of
from supervision import selectors, services
from supervision.constants import InboxKind
from supervision.i18n import marked

VIEW_INBOX = "supervision.view_inbox"
NOT_FOUND = gettext_lazy("没有这条记录，或它不是推送给本部门的。")
FILTERS = ("kind", "acknowledged", "item", "since")
INBOX_REGION = "supervision/includes/inbox_list.html"


def _reader(request):
    if not request.user.has_perm(VIEW_INBOX):
        raise PermissionDenied
    return request.user


def _record_or_404(request, record_id, perm):
    record = selectors.inbox_record_for(_reader(request), record_id)
    if record is None or not request.user.has_perm(perm, record):
        raise Http404(NOT_FOUND)
    return record


@login_required
def inbox(request):
    user = _reader(request)
    chosen = {name: request.GET.get(name, "").strip() for name in FILTERS}
    records, error, status = selectors.inbox_for(user), None, 200
    try:
        records = selectors.inbox_filter(records, **chosen)
    except InvalidInput as exc:
        records, error, status = records.none(), exc.message, 400
    page = page_of(records, request.GET.get("page"), 50)
    # issue 15: the filters and pager ask for the records' region alone when htmx is there (portal/lists.py)
    return lists.render_list(request, "supervision/inbox.html", INBOX_REGION, "inbox-records", {
        "page": page, "chosen": chosen, "error": error, "kinds": InboxKind.choices,
        "organisation": user.organisation, "unacknowledged": selectors.inbox_unacknowledged_count(user),
        "query": urlencode({name: value for name, value in chosen.items() if value})}, status=status)


@login_required
def inbox_record(request, record_id):
    record = _record_or_404(request, record_id, "supervision.view_inbox_record")
    return render(request, "supervision/inbox_record.html", {
        "record": record, "data": record.payload.get("data") or {}, "envelope": record.payload})


@require_POST
@login_required
def inbox_acknowledge(request, record_id):
    record = _record_or_404(request, record_id, "supervision.acknowledge_inbox_record")
    first = record.acknowledged_at is None
    with transaction.atomic():
        record = services.inbox_acknowledge(record=record, actor=request.user)
    if first and record.registration_id:  # 双告知 (issue 16): about an enterprise, not an application
        messages.success(request, marked(_("已签收%(name)s的%(kind)s。"), name=record.applicant_name,
                                         kind=selectors.inbox_kind_label(record)))
    elif first:
        messages.success(request, _("已签收办件 %(number)s 的%(kind)s记录。") % {
            "number": record.application.number, "kind": selectors.inbox_kind_label(record)})
    else:
        first_time = timezone.localtime(record.acknowledged_at)
        messages.info(request, marked(_("该记录已于 %(time)s 由%(user)s签收。"), time=f"{first_time:%Y-%m-%d %H:%M}",
                                      user=record.acknowledged_by))
    return redirect(_back(request, reverse("supervision-inbox-record", args=[record.pk])))


def _back(request, fallback: str) -> str:
    """Back to where the button was (the inbox or the record), but only to this site."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
