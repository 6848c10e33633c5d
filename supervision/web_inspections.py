"""核查工作台 (issue 10): the regulator's queue of the checks of commitments (附件3 第七条: within 2
months of the decision), its export, and one check worked in the browser: assign two inspectors,
record what they found, read the on-site files.

Which checks a regulator works, and how the queue is filtered and counted, is supervision.queue
(the API reads the same); each step is one service (supervision.inspections). Like the other staff
desks the workbench is 403 for anyone who works no queue (not a regulator, or one without an
organisation); another organisation's check is 404, the same as one that does not exist.
"""
import re

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from licensing.selectors import filings_of_regulator, identifier_for, inspection_label, public_name
from notices.constants import DOCUMENT_TEXT_FIELDS
from notices.selectors import documents_for_application
from portal import audit, exports, lists
from portal.downloads import attachment, uploaded_file_response
from portal.exceptions import InvalidInput, ServiceError
from portal.models import AuditAction
from portal.paging import page_of
from supervision import queue, services
from supervision.constants import MIN_INSPECTORS, OPEN_INSPECTION, InboxKind, InspectionOutcome, InspectionStatus
from supervision.forms_inspections import AssignForm, ResultForm, outcome_choices
from supervision.i18n import listed, local_date, marked
from supervision.inspections import result_blocked
from supervision.models import InboxRecord, InspectionFile, RevocationRequest

DESK = "supervision.use_regulator_desk"
NOT_FOUND = gettext_lazy("没有这项核查，或它不是本部门负责的。")
PAGE_SIZE = 50
# An export is built in memory: past this many rows the regulator is asked to narrow the filters.
MAX_EXPORT_ROWS = 100_000
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # PostgreSQL refuses integers past bigint
# Issue 15: the queue by due date, soonest or latest first: inspection_queue_order_idx (or, filtered by
# status, inspection_queue_idx) read from either end; the desk's list region (portal/lists.py).
ORDERS = (lists.Order("due"), lists.Order("due_desc", backwards=True))
QUEUE_REGION = "supervision/includes/regulator_queue.html"


def _worker(request):
    """The signed-in regulator who works a queue; 403 for anyone else (like the other desks)."""
    if not request.user.has_perm(DESK):
        raise PermissionDenied
    return request.user


def _inspection_or_404(request, inspection_id):
    inspection = queue.inspection_for(_worker(request), inspection_id)
    if inspection is None:
        raise Http404(NOT_FOUND)
    return inspection


def _inspectors(inspection) -> list:
    return sorted(inspection.inspectors.all(), key=lambda u: (u.full_name, u.username))  # prefetched


# --- the queue -----------------------------------------------------------------------------------

def _chosen(request) -> dict:
    return {name: request.GET.get(name, "").strip() for name in queue.FILTERS}


def _filtered(user, chosen):
    """The queue narrowed by the filters, and the refusal of bad ones (then no rows)."""
    inspections = queue.inspections_for(user)
    try:
        return queue.queue_filter(inspections, **chosen), None
    except InvalidInput as refused:
        return inspections.none(), refused


def _row(inspection, today):
    """What a row of the desk and the export shows beyond the inspection's own fields."""
    application = inspection.application
    inspection.is_overdue = queue.is_overdue(inspection, today)
    inspection.applicant_name = public_name(application.applicant)
    inspection.label = inspection_label(inspection, application)
    inspection.inspector_list = _inspectors(inspection)
    return inspection


def _render_desk(request, user, chosen, inspections, refused, status=200):
    today = timezone.localdate()
    page = page_of(inspections, request.GET.get("page"), PAGE_SIZE)
    query = urlencode({name: value for name, value in chosen.items() if value})
    return lists.render_list(request, "supervision/regulator_desk.html", QUEUE_REGION, "inspection-queue", {
        "page": page, "rows": [_row(i, today) for i in page.object_list], "chosen": chosen, "query": query,
        "errors": {k or "all": v for k, v in refused.errors.items()} if refused else {}, "counts": queue.queue_counts(queue.inspections_for(user)),
        "authorities": queue.authorities_in_queue(user), "inspectors": queue.inspectors_of(user),
        "statuses": InspectionStatus.choices, "organisation": user.organisation, "today": today,
        "max_due_within": queue.MAX_DUE_WITHIN,
        # 备案事项 (20号 二（四）: 备案信息不实…予以纠正): the filings received and the corrections ordered.
        "filings": filings_of_regulator(user, today)}, status=400 if refused else status)


@login_required
def regulator_desk(request):
    user = _worker(request)
    chosen = _chosen(request)
    inspections, refused = _filtered(user, chosen)
    chosen["sort"] = request.GET.get(lists.SORT, "").strip()  # after the filters: the export ignores it
    try:
        inspections = lists.ordered(inspections, chosen["sort"], ORDERS)
    except InvalidInput as exc:
        inspections, refused = inspections.none(), refused or exc
    return _render_desk(request, user, chosen, inspections, refused)


# --- the export ------------------------------------------------------------------------------------

COLUMNS = (gettext_lazy("办件编号"), gettext_lazy("事项编码"), gettext_lazy("事项名称"), gettext_lazy("申请人"),
           gettext_lazy("审批部门"), gettext_lazy("决定日期"), gettext_lazy("核查期限"), gettext_lazy("核查状态"),
           gettext_lazy("是否逾期"), gettext_lazy("整改期限"), gettext_lazy("核查人员"))


def _text(value) -> str:
    """A cell's text without the control characters a spreadsheet file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def _cells(inspection, today) -> list:
    row, application = _row(inspection, today), inspection.application
    decided = timezone.localdate(application.decided_at) if application.decided_at else None
    return [application.number, application.item.code, _text(application.item.name), _text(row.applicant_name),
            _text(inspection.authority.name if inspection.authority else ""), decided, inspection.due_date,
            row.label, _("已逾期") if row.is_overdue else "", inspection.rectify_due,
            listed(_text(u) for u in row.inspector_list)]


def _workbook(inspections, today) -> bytes:
    dataset = tablib.Dataset(headers=[str(name) for name in COLUMNS], title=_("事后核查"))
    for inspection in inspections.iterator(chunk_size=2000):
        dataset.append(_cells(inspection, today))
    return exports.XLSX().export_data(dataset)  # no text cell starts a formula (portal/exports.py)


@require_GET
@login_required
@never_cache
def regulator_desk_export(request):
    """The filtered queue as xlsx, every row (not one page); an audit row says who took it."""
    user = _worker(request)
    chosen = _chosen(request)
    inspections, refused = _filtered(user, chosen)
    if refused is None and inspections.count() > MAX_EXPORT_ROWS:
        refused = InvalidInput(_("导出最多%(limit)d条，请先缩小筛选范围。") % {"limit": MAX_EXPORT_ROWS})
    if refused is not None:
        return _render_desk(request, user, chosen, inspections.none(), refused)
    today = timezone.localdate()
    content = _workbook(inspections, today)
    audit.record(request, AuditAction.EXPORT, None, model="supervision.inspection",
                 filters={k: v for k, v in chosen.items() if v}, organisation=user.organisation_id)
    response = HttpResponse(content, content_type=exports.XLSX.CONTENT_TYPE)
    response["Content-Disposition"] = attachment(_("事后核查-%(day)s.xlsx") % {"day": f"{today:%Y%m%d}"},
                                                 fallback="inspections")
    response["Cache-Control"] = "private, no-store"
    return response


# --- one inspection --------------------------------------------------------------------------------

def decision_record(user, application):
    """The approval record of the decision in the regulator's own inbox, once delivered (issue 9)."""
    return (InboxRecord.objects.filter(application=application, kind=InboxKind.DECIDED,
                                       organisation_id=user.organisation_id).order_by("-delivered_at").first())


def _forms(request, inspection, inspectors, today, assign_form, result_form) -> dict:
    """The forms of the steps allowed now; a refused form comes back bound, with its messages."""
    blocked = result_blocked(inspection, len(inspectors), today)
    may_assign = inspection.status in OPEN_INSPECTION
    if may_assign and assign_form is None:
        assign_form = AssignForm(inspectors=queue.inspectors_of(request.user), auto_id="assign_%s",
                                 initial={"inspectors": [u.username for u in inspectors]})
    refused = result_form.non_field_errors() if result_form is not None else []
    if not blocked:
        result_form = result_form or ResultForm(auto_id="result_%s")
        result_form.fields["outcome"].choices = outcome_choices(inspection.status)
    return {"assign_form": assign_form if may_assign else None, "result_form": None if blocked else result_form,
            "result_refused": refused, "result_blocked": blocked,
            "reinspection": inspection.status == InspectionStatus.RECTIFY}


def _render_inspection(request, inspection, *, assign_form=None, result_form=None, status=200):
    user, application, today = request.user, inspection.application, timezone.localdate()
    inspectors = _inspectors(inspection)
    record = decision_record(user, application)
    return render(request, "supervision/regulator_inspection.html", {
        "inspection": inspection, "application": application, "item": application.item,
        "applicant_name": public_name(application.applicant), "identifier": identifier_for(user, application),
        "label": inspection_label(inspection, application), "is_overdue": queue.is_overdue(inspection, today),
        "inspectors": inspectors, "documents": documents_for_application(application).defer(*DOCUMENT_TEXT_FIELDS),
        "results": inspection.results.select_related("recorded_by").prefetch_related("files"),
        "revocation_request": RevocationRequest.objects.filter(inspection=inspection).first(),
        "record": record, "commitment": (record.payload.get("data") or {}).get("commitment") if record else None,
        "outcomes": InspectionOutcome, "min_inspectors": MIN_INSPECTORS, "today": today,
        **_forms(request, inspection, inspectors, today, assign_form, result_form)}, status=status)


@require_GET
@login_required
def regulator_inspection(request, inspection_id):
    return _render_inspection(request, _inspection_or_404(request, inspection_id))


def _here(inspection) -> str:
    return reverse("regulator-inspection", args=[inspection.pk])


@require_POST
@login_required
def regulator_inspection_assign(request, inspection_id):
    inspection = _inspection_or_404(request, inspection_id)
    form = AssignForm(request.POST, inspectors=queue.inspectors_of(request.user), auto_id="assign_%s")
    if form.is_valid():
        try:
            chosen = queue.inspectors_by_username(request.user, form.cleaned_data["inspectors"])
            services.inspection_assign(inspection=inspection, inspectors=chosen, actor=request.user)
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, marked(_("办件 %(number)s 的核查已指派给：%(names)s。"),
                                             number=inspection.application.number, names=listed(chosen)))
            return redirect(_here(inspection))
    return _render_inspection(request, _fresh(request, inspection), assign_form=form, status=form.error_status)


def _fresh(request, inspection):
    """The inspection as it is now (a refused step changed nothing, but another may have)."""
    return queue.inspection_for(request.user, inspection.pk) or inspection


RESULT_SAID = {
    InspectionOutcome.CONFORMS: gettext_lazy("已记录核查结果：符合承诺，核查办结。"),
    InspectionOutcome.RECTIFY: gettext_lazy("已责令限期整改，整改期限至%(due)s，整改通知书已出具；期满后请复查。"),
    InspectionOutcome.FAILS: gettext_lazy("已记录核查结果：不符合承诺，已向审批部门提请撤销许可。"),
}


@require_POST
@login_required
def regulator_inspection_result(request, inspection_id):
    inspection = _inspection_or_404(request, inspection_id)
    form = ResultForm(request.POST, request.FILES, auto_id="result_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.inspection_record_result(
                inspection=inspection, actor=request.user, outcome=data["outcome"], note=data["note"],
                rectify_within_days=data["rectify_within_days"] or None, ground=data["ground"], files=data["files"])
        except ServiceError as refused:
            form.service_error(refused)
        else:
            said = str(RESULT_SAID[result.outcome])
            if result.rectify_due:
                said = said % {"due": local_date(result.rectify_due, padded=True)}
            messages.success(request, said)
            return redirect(_here(inspection))
    return _render_inspection(request, _fresh(request, inspection), result_form=form, status=form.error_status)


@require_GET
@login_required
@never_cache
def regulator_inspection_file(request, inspection_id, file_id):
    """An on-site file of a result, for the inspection's own regulator; every download is an audit row.
    Served with the type its content showed on upload, under a name of our own making."""
    inspection = _inspection_or_404(request, inspection_id)
    stored = (InspectionFile.objects.filter(pk=int(file_id), result__inspection=inspection).first()
              if _ID.fullmatch(str(file_id)) else None)
    if stored is None:
        raise Http404(NOT_FOUND)
    response = uploaded_file_response(stored, kind_label=_("核查现场材料"), fallback="inspection-file")
    if response is None:
        raise Http404(NOT_FOUND)
    number = inspection.application.number
    audit.write(AuditAction.DOCUMENT_DOWNLOAD, request=request, obj=stored,
                object_repr=f"{number} 核查现场材料 {stored.original_name}",
                details={"application": number, "inspection": inspection.pk, "result": stored.result_id,
                         "file": stored.pk})
    return response
