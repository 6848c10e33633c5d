"""The directories of 双随机 in the browser (issue 14): the regulator's 监管对象库 (with an xlsx export) and its
执法检查人员库 (add an inspector, take one out of the draws or back, declare a conflict of interest).

What they list and every change are supervision.directories; these views check the shape of what was sent
and call it. Like the other staff desks the pages are 403 for anyone who keeps no directory (not a
regulator, or one without an organisation); another organisation's inspector is 404, the same as one that
does not exist.
"""
import tablib
from django import forms
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

from portal import audit, exports
from portal.downloads import attachment
from portal.exceptions import InvalidInput, ServiceError
from portal.models import AuditAction
from portal.paging import page_of
from supervision import directories
from supervision.forms_inspections import (
    NUL, REQUIRED, TOO_LONG, ChineseOptionsSelect, ServiceErrorForm, person_choice,
)
from supervision.i18n import marked

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000  # built in memory: past this the regulator is asked to narrow the filters
NOT_FOUND = gettext_lazy("没有这名执法检查人员，或其不属于本部门。")
TEXT_ERRORS = {"required": REQUIRED, "max_length": TOO_LONG, "null_characters_not_allowed": NUL}


def _keeper(request) -> int:
    """The organisation whose directories the signed-in regulator keeps; 403 for anyone else."""
    organisation_id = directories.directory_organisation_id(request.user)
    if organisation_id is None:
        raise PermissionDenied
    return organisation_id


# --- 监管对象库 --------------------------------------------------------------------------------------

def _chosen(request) -> dict:
    return {name: request.GET.get(name, "").strip() for name in directories.ENTITY_FILTERS}


def _query(organisation_id, chosen):
    try:
        return directories.entity_query(organisation_id, **chosen), None
    except InvalidInput as refused:
        return None, refused


def _render_entities(request, chosen, query, refused):
    page = rows = None
    if query is not None:
        page = page_of(directories.entities(query), request.GET.get("page"), PAGE_SIZE)
        rows = directories.entity_rows(query, page.object_list)
    return render(request, "supervision/directories/entities.html", {
        "page": page, "rows": rows or [], "chosen": chosen, "organisation": request.user.organisation,
        "query": urlencode({name: value for name, value in chosen.items() if value}),
        "errors": {k or "all": v for k, v in refused.errors.items()} if refused else {},
        "counties": directories.county_choices()}, status=400 if refused else 200)


@require_GET
@login_required
def entity_directory(request):
    chosen = _chosen(request)
    query, refused = _query(_keeper(request), chosen)
    return _render_entities(request, chosen, query, refused)


COLUMNS = (gettext_lazy("统一社会信用代码（证件号码）"), gettext_lazy("名称（姓名）"), gettext_lazy("事项编码"),
           gettext_lazy("事项名称"), gettext_lazy("办件编号"), gettext_lazy("状态"), gettext_lazy("生效日期"))


def _cell(value):
    """A cell without the control characters a spreadsheet file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@require_GET
@login_required
@never_cache
def entity_directory_export(request):
    """The filtered directory as xlsx, one row per item held (every row, not one page); audited."""
    organisation_id = _keeper(request)
    chosen = _chosen(request)
    query, refused = _query(organisation_id, chosen)
    rows = directories.export_rows(query) if query is not None else None
    if rows is not None and rows.order_by()[:MAX_EXPORT_ROWS + 1].count() > MAX_EXPORT_ROWS:
        refused = InvalidInput(_("导出最多%(limit)d条，请先缩小筛选范围。") % {"limit": MAX_EXPORT_ROWS})
    if refused is not None:
        return _render_entities(request, chosen, None, refused)
    dataset = tablib.Dataset(headers=[str(name) for name in COLUMNS], title=_("监管对象库"))
    for application in rows.iterator(chunk_size=2000):
        dataset.append([_cell(v) for v in directories.export_cells(application)])
    audit.record(request, AuditAction.EXPORT, None, model="licensing.applicant", directory="监管对象库",
                 filters={k: v for k, v in chosen.items() if v}, organisation=organisation_id)
    today = timezone.localdate()
    response = HttpResponse(exports.XLSX().export_data(dataset), content_type=exports.XLSX.CONTENT_TYPE)
    response["Content-Disposition"] = attachment(_("监管对象库-%(day)s.xlsx") % {"day": f"{today:%Y%m%d}"},
                                                 fallback="entities")
    response["Cache-Control"] = "private, no-store"
    return response


# --- 执法检查人员库: forms ---------------------------------------------------------------------------

class InspectorAddForm(ServiceErrorForm):
    """Whom to add (an active regulator of the organisation not yet in the directory) and its 执法证号."""

    # Not required here: the service says what is missing together with what is wrong.
    username = forms.CharField(label=gettext_lazy("监管人员"), max_length=150, required=False,
                               error_messages=TEXT_ERRORS)
    code = forms.CharField(label=gettext_lazy("执法证号"), max_length=32, required=False, error_messages=TEXT_ERRORS,
                           help_text=gettext_lazy("行政执法证件号码，字母、数字和“-”，随抽查结果公开。"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("—— 请选择 ——")), *[(u.username, person_choice(u)) for u in candidates]]
        self.fields["username"].widget = ChineseOptionsSelect(choices=choices)


class ActiveForm(ServiceErrorForm):
    active = forms.ChoiceField(
        label=gettext_lazy("在库"), choices=[("true", gettext_lazy("在库")), ("false", gettext_lazy("不在库"))],
        error_messages={"required": gettext_lazy("请说明是恢复在库还是移出。"),
                        "invalid_choice": gettext_lazy("“在库”应为 true 或 false。")})


class ConflictForm(ServiceErrorForm):
    identifier = forms.CharField(
        label=gettext_lazy("监管对象的统一社会信用代码（身份证号码）"), max_length=18, required=False,
        error_messages=TEXT_ERRORS, help_text=gettext_lazy("填写完整的18位代码，可以是尚未取得许可的申请人。"))
    relation = forms.CharField(
        label=gettext_lazy("回避事由"), max_length=directories.MAX_RELATION, required=False, error_messages=TEXT_ERRORS,
        widget=forms.TextInput(attrs={"size": 50}),
        help_text=gettext_lazy("如：近亲属任该企业法定代表人；曾在该企业任职。"))


# --- 执法检查人员库: pages ---------------------------------------------------------------------------

def _inspector_or_404(request, inspector_id):
    _keeper(request)
    inspector = directories.inspector_for(request.user, inspector_id)
    if inspector is None:
        raise Http404(NOT_FOUND)
    return inspector


def _render_inspectors(request, organisation_id, add_form=None, status=200):
    candidates = list(directories.inspector_candidates(request.user))
    add_form = add_form or InspectorAddForm(candidates=candidates, auto_id="add_%s")
    return render(request, "supervision/directories/inspectors.html", {
        "inspectors": directories.inspectors_of_organisation(organisation_id), "add_form": add_form,
        "candidates": candidates, "organisation": request.user.organisation}, status=status)


@require_GET
@login_required
def inspector_directory(request):
    return _render_inspectors(request, _keeper(request))


@require_POST
@login_required
def inspector_add(request):
    organisation_id = _keeper(request)
    form = InspectorAddForm(request.POST, candidates=directories.inspector_candidates(request.user), auto_id="add_%s")
    if form.is_valid():
        try:
            inspector = directories.inspector_add(actor=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, marked(_("已将%(user)s（执法证号 %(code)s）加入执法检查人员库。"),
                                             user=inspector.user, code=inspector.code))
            return redirect("inspector-directory")
    return _render_inspectors(request, organisation_id, form, status=form.error_status)


def _render_inspector(request, inspector, conflict_form=None, active_error=None, status=200):
    return render(request, "supervision/directories/inspector.html", {
        "inspector": inspector, "conflicts": directories.conflict_rows(inspector),
        "conflict_form": conflict_form or ConflictForm(auto_id="conflict_%s"), "active_error": active_error,
        "organisation": request.user.organisation}, status=status)


@require_GET
@login_required
def inspector_detail(request, inspector_id):
    return _render_inspector(request, _inspector_or_404(request, inspector_id))


@require_POST
@login_required
def inspector_active(request, inspector_id):
    inspector = _inspector_or_404(request, inspector_id)
    form = ActiveForm(request.POST)
    if form.is_valid():
        active = form.cleaned_data["active"] == "true"
        try:
            inspector = directories.inspector_set_active(inspector=inspector, actor=request.user, active=active)
        except ServiceError as refused:
            form.service_error(refused)
        else:
            said = (_("%(user)s（执法证号 %(code)s）已恢复在库，可参加以后的抽取。") if active
                    else _("%(user)s（执法证号 %(code)s）已移出，不再参加以后的抽取（已抽取的不受影响）。"))
            messages.success(request, marked(said, user=inspector.user, code=inspector.code))
            return redirect("inspector-directory")
    errors = [m for messages_ in form.errors.values() for m in messages_]
    return _render_inspector(request, inspector, active_error=errors, status=form.error_status)


@require_POST
@login_required
def inspector_conflict_add(request, inspector_id):
    inspector = _inspector_or_404(request, inspector_id)
    form = ConflictForm(request.POST, auto_id="conflict_%s")
    if form.is_valid():
        try:
            directories.inspector_conflict_declare(inspector=inspector, actor=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, marked(_("已登记%(user)s的回避：抽取时不会派其检查该监管对象。"), user=inspector.user))
            return redirect(reverse("inspector-detail", args=[inspector.pk]))
    fresh = directories.inspector_for(request.user, inspector.pk) or inspector
    return _render_inspector(request, fresh, conflict_form=form, status=form.error_status)
