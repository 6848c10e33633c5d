"""季度报告 pages (issue 14): a department's reports on its desk, each shown as tables and charts, downloaded
as xlsx or PDF, and made now for an ended quarter that has none yet.

Who reads which department's reports is one selector (licensing.reports.selectors.report_organisation),
the same the API uses: the department's own approval officers and regulators; the admin names any
department with ?organisation=<机构代码>. Anonymous visitors sign in; everyone else gets 403.
"""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from licensing.reports import files, selectors
from licensing.reports.periods import Quarter, ended_quarters, parse_quarter
from licensing.reports.services import quarterly_report_generate
from portal import audit, exports
from portal.downloads import attachment
from portal.exceptions import InvalidInput, NotAllowed
from portal.models import AuditAction, Organisation
from portal.permissions import is_admin

NOT_MADE = gettext_lazy("该季度的报告尚未生成：请在季度报告页面点击“立即生成”。")
DESK_QUARTERS = 8  # the last two years' quarters, each with its report or a button to make it
CONTENT_TYPES = {"xlsx": exports.XLSX.CONTENT_TYPE, "pdf": "application/pdf"}


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _bad(request, message, status=400):
    return render(request, "portal/bad_input.html", {"message": message}, status=status)


def _organisation(request, *, required: bool):
    """The department asked for (the user's own; the admin's choice), or None for an admin who chose none
    where none is `required`. 403 for anyone who reads no reports (or another department's), 404 for
    an unknown code."""
    code = request.POST.get("organisation") or request.GET.get("organisation") or ""
    try:
        organisation = selectors.report_organisation(request.user, code)
    except NotAllowed:
        raise PermissionDenied from None
    except (InvalidInput, Organisation.DoesNotExist):
        raise Http404(selectors.NO_SUCH) from None
    if organisation is None and required:
        raise _Refused(_bad(request, selectors.NAME_ONE))
    return organisation


def _query(request, organisation) -> str:
    """?organisation=<code> on the admin's links (the others' department is their own)."""
    return f"?{urlencode({'organisation': organisation.code})}" if is_admin(request.user) and organisation else ""


def _period(request, year, quarter):
    try:
        return parse_quarter(year, quarter)
    except InvalidInput as refused:
        raise _Refused(_bad(request, refused.message)) from None


def _refusals(view):
    """A view whose helpers may answer for it (a 400 page) by raising _Refused."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            return refused.response
    return wrapped


@require_GET
@login_required
@never_cache
@_refusals
def reports_desk(request):
    """The department's reports of the last quarters, each with its downloads or a button to make it."""
    organisation = _organisation(request, required=False)
    rows = []
    if organisation is not None:
        kept = {(r.year, r.quarter): r for r in selectors.reports_of(organisation)}
        periods = sorted(set(ended_quarters(count=DESK_QUARTERS)) | {Quarter(*key) for key in kept}, reverse=True)
        rows = [{"period": p, "report": kept.get((p.year, p.quarter))} for p in periods]
    return render(request, "licensing/reports/desk.html", {
        "organisation": organisation, "rows": rows, "query": _query(request, organisation),
        "is_admin": is_admin(request.user), "departments": selectors.departments() if is_admin(request.user) else []})


@require_GET
@login_required
@never_cache
@_refusals
def report_detail(request, year, quarter):
    """One quarter's report as tables and charts (the figures kept when it was made), or the button to make it."""
    organisation = _organisation(request, required=True)
    period = _period(request, year, quarter)
    report = selectors.report_of(organisation, period)
    context = files.report_context(report.figures) if report else {}
    return render(request, "licensing/reports/detail.html", {
        **context, "organisation": organisation, "period": period, "report": report,
        "query": _query(request, organisation)})


def _download(kind):
    @require_GET
    @login_required
    @never_cache
    @_refusals
    def view(request, year, quarter):
        organisation = _organisation(request, required=True)
        period = _period(request, year, quarter)
        report = selectors.report_of(organisation, period)
        stored = getattr(report, kind, None) if report else None
        try:
            handle = stored.open("rb") if stored else None
        except FileNotFoundError:  # the storage lost it: make it again (regenerate) rather than fail here
            handle = None
        if handle is None:
            raise Http404(NOT_MADE)
        audit.record(request, AuditAction.EXPORT, report, model="licensing.quarterlyreport", format=kind)
        response = FileResponse(handle, content_type=CONTENT_TYPES[kind])
        response["Content-Disposition"] = attachment(f"{organisation.name}{period.label}报告.{kind}",
                                                     fallback=f"report-{period.year}-q{period.quarter}")
        response["Cache-Control"] = "private, no-store"
        return response
    view.__name__ = f"report_{kind}"
    return view


report_xlsx = _download("xlsx")
report_pdf = _download("pdf")


@require_POST
@login_required
@_refusals
def report_generate(request, year, quarter):
    """Make an ended quarter's report now (one already made is kept as it is)."""
    organisation = _organisation(request, required=True)
    period = _period(request, year, quarter)
    had = selectors.report_of(organisation, period) is not None
    try:
        quarterly_report_generate(organisation=organisation, year=period.year, quarter=period.quarter,
                                  actor=request.user)
    except InvalidInput as refused:
        return _bad(request, refused.message)
    if had:
        messages.info(request, gettext("%(quarter)s的报告已经生成过，未重新生成。") % {"quarter": period.label})
    else:
        messages.success(request, gettext("已生成%(organisation)s%(quarter)s的报告。") % {
            "organisation": organisation.name, "quarter": period.label})
    target = reverse("report-detail", args=[period.year, period.quarter])
    return redirect(target + _query(request, organisation))
