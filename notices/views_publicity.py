"""归集 to the credit publicity systems (issue 16), for admins: its SLA, like the regulator pushes' (/records/sla/),
and the daily files, served as the beat job writes them (notices/publicity.py builds both)."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notices import publicity
from notices.views_sla import outbox_changelist_url
from portal.exceptions import InvalidInput

WATCH_PUBLICITY = "notices.view_publicity"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _check(user) -> None:
    if not user.has_perm(WATCH_PUBLICITY):
        raise PermissionDenied


@require_GET
@login_required
@never_cache
def publicity_sla(request):
    """Anonymous users sign in; signed-in users other than admins get 403."""
    _check(request.user)
    now = timezone.now()
    return render(request, "notices/publicity_sla.html", {
        "now": now, "counts": publicity.publicity_counts(now), "limit": publicity.LIST_LIMIT,
        "overdue": publicity.publicity_overdue(now)[:publicity.LIST_LIMIT], "days": publicity.publicity_days(),
        "permit_days": publicity.PERMIT_WORKING_DAYS, "inspection_days": publicity.INSPECTION_WORKING_DAYS,
        "pushed": bool(settings.PUBLICITY_URL), "export_dir": settings.PUBLICITY_EXPORT_DIR,
        "admin_url": outbox_changelist_url()})


def _export(request, day: str, extension: str) -> HttpResponse:
    _check(request.user)
    try:
        parsed = publicity.parse_day(day)
    except InvalidInput as refused:
        return HttpResponseBadRequest(refused.message, content_type="text/plain; charset=utf-8")
    content = publicity.publicity_export_content(parsed)[extension]
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{parsed.isoformat()}.{extension}"'
    return response


@require_GET
@login_required
@never_cache
def publicity_export_csv(request, day):
    return _export(request, day, "csv")


@require_GET
@login_required
@never_cache
def publicity_export_json(request, day):
    return _export(request, day, "json")
