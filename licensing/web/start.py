"""我的首页 and 统计看板 (issue 15): where every account lands after signing in, and the month at a glance.

/start/      each role's own page (licensing.selectors.start): what the applicant owes and by when, the window's
             day, the officer's decisions of today and the deadlines running, the regulator's inbox and checks,
             the admin's volumes and whatever is stuck. ?section=<key> pages through one list alone.
/dashboard/  for approval officers, regulators and the admin (licensing.selectors.dashboards): each chart is
             drawn here as SVG (licensing.reports.charts, nothing fetched) beside the table of its figures;
             ?format=csv&figure=<key> downloads that table.
"""
import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from licensing.reports.charts import Series, column_chart
from licensing.selectors import dashboards
from licensing.selectors.start import start_page
from portal.downloads import attachment
from portal.exceptions import InvalidInput
from portal.exports import defuse

BAD_FORMAT = _("导出格式只能是 csv（format=csv）。")
BAD_FIGURE = _("请用 figure 参数指定要导出的统计表：decisions、steps、inspections 或 deliveries。")


def _bad(request, message):
    return render(request, "portal/bad_input.html", {"message": message}, status=400)


@require_GET
@login_required
def start(request):
    """The signed-in user's start page; an unknown ?section= is refused (400) rather than ignored."""
    only = request.GET.get("section") or None
    try:
        page = start_page(request.user, section=only, page=request.GET.get("page"))
    except InvalidInput as refused:
        return _bad(request, refused.message)
    template = f"licensing/start/{page.role}.html" if page.role else "licensing/start/other.html"
    return render(request, template, {
        "page": page, "sections": page.sections, "only": page.only, "today": timezone.localdate(),
        "organisation": request.user.organisation, "may_see_dashboard": dashboards.may_see_dashboard(request.user),
        **page.figures})


def _chart(figure) -> str:
    return column_chart(figure.title, [row.short for row in figure.rows],
                        [Series(column.name, values, column.colour) for column, values in figure.charted])


def _csv(figure) -> HttpResponse:
    """The figure's table as CSV (UTF-8 with a byte-order mark, so that a spreadsheet reads the Chinese);
    no cell starts a formula (portal.exports.defuse)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[defuse(str(cell)) for cell in line] for line in figure.table])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(f"dashboard-{figure.key}-{timezone.localdate():%Y%m%d}.csv")
    return response


@require_GET
@login_required
def dashboard(request):
    """Approval officers and regulators see their own organisation's figures, the admin every one's; others 403."""
    if not dashboards.may_see_dashboard(request.user):
        raise PermissionDenied
    wanted = request.GET.get("format")
    if wanted is not None:
        if wanted != "csv":
            return _bad(request, BAD_FORMAT)
        key = request.GET.get("figure")
        if key not in dashboards.FIGURES:
            return _bad(request, BAD_FIGURE)
        return _csv(dashboards.dashboard_figures(request.user, only=key)[0])
    figures = dashboards.dashboard_figures(request.user)
    return render(request, "licensing/start/dashboard.html", {
        "figures": [(figure, _chart(figure)) for figure in figures], "scope": dashboards.dashboard_scope(request.user),
        "today": timezone.localdate(), "months": dashboards.MONTHS, "weeks": dashboards.WEEKS})
