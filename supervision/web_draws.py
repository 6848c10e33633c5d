"""双随机、一公开 in the browser (issue 14).

- /desk/draws/… (regulators): the organisation's plans, a new plan, a draft's changes, and the draw itself
  (one POST: the draw is made once; its picks become inspections in the 核查工作台).
- /disclosure/draws/… (anyone): every drawn plan with what it was drawn from (the pool, the roster, the
  exclusions, the seed and the algorithm), its picks and their results, and the same as JSON for
  scripts/redraw.py to repeat the draw.

What each page shows is supervision.selectors_draws; each write is one service (supervision.draws). Like the
regulator's workbench: anonymous users sign in first, anyone who draws for no organisation is 403, another
organisation's plan is 404 (the same as one that does not exist); a draft is not public (404).
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.downloads import attachment
from portal.exceptions import Conflict, ServiceError
from portal.paging import page_of
from supervision import draw_algorithm
from supervision import selectors_draws as draws
from supervision.constants import MAX_POOL, MAX_SAMPLE_PERCENT, MIN_INSPECTORS, DrawStatus
from supervision.draws import MAX_PER_ENTITY, MAX_TITLE, draw_plan_create, draw_plan_update, draw_run
from supervision.forms_inspections import NUL, ChineseOptionsSelectMultiple, ServiceErrorForm
from supervision.i18n import local_date, local_datetime
from supervision.queue import queue_organisation_id

PAGE_SIZE = 50
POOL_PAGE_SIZE = 200
NOT_FOUND = gettext_lazy("没有这份抽查计划，或它不是本部门的。")
NOT_PUBLIC = gettext_lazy("没有这份已抽取的抽查计划。")


# --- the form (it checks the shape; supervision.draws.clean_plan decides the rest, all at once) ---------

def _text(label, *, help_text="", attrs=None, max_length=64):
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs or {}),
                           error_messages={"max_length": gettext_lazy("内容过长。"), "null_characters_not_allowed": NUL})


def _date(label, help_text=""):
    return _text(label, help_text=help_text, attrs={"type": "date"}, max_length=32)


def _number(label, help_text="", **attrs):
    return forms.CharField(label=label, required=False, max_length=12, help_text=help_text,
                           widget=forms.NumberInput(attrs={"min": 1, "step": 1, **attrs}),
                           error_messages={"max_length": gettext_lazy("数字过长。"), "null_characters_not_allowed": NUL})


def _choices(label, widget, help_text=""):
    return forms.MultipleChoiceField(
        label=label, required=False, widget=widget, help_text=help_text,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s”不在可选范围内。"),
                        "invalid_list": gettext_lazy("请从列表中选择。")})


class PlanForm(ServiceErrorForm):
    title = forms.CharField(label=gettext_lazy("计划名称"), required=False, max_length=MAX_TITLE,
                            widget=forms.TextInput(attrs={"size": 50}),
                            help_text=gettext_lazy("如：2026年第四季度旅馆业双随机抽查"),
                            error_messages={"max_length": format_lazy(gettext_lazy("计划名称不超过{limit}个字。"),
                                                                      limit=MAX_TITLE),
                                            "null_characters_not_allowed": NUL})
    items = _choices(gettext_lazy("事项"), ChineseOptionsSelectMultiple(attrs={"size": 10}),
                     gettext_lazy("按住 Ctrl（Mac 为 ⌘）可多选；不选：本部门监管的所有事项。"))
    authorities = _choices(gettext_lazy("县区（审批部门）"), ChineseOptionsSelectMultiple(attrs={"size": 6}),
                           gettext_lazy("可不选：不限审批部门。"))
    licensed_from = _date(gettext_lazy("许可（备案）日期起"))
    licensed_until = _date(gettext_lazy("许可（备案）日期止"),
                           gettext_lazy("名录只收这段时间内生效的许可、备案和登记，截止日不晚于今天。"))
    sample_percent = _number(gettext_lazy("抽取比例（%）"),
                             format_lazy(gettext_lazy("1至{limit}；与抽取户数只填一项。按比例向上取整。"),
                                         limit=MAX_SAMPLE_PERCENT),
                             max=MAX_SAMPLE_PERCENT)
    sample_count = _number(gettext_lazy("抽取户数"), gettext_lazy("与抽取比例只填一项；多于名录户数时全部抽取。"),
                           max=MAX_POOL)
    inspectors_per_entity = _number(gettext_lazy("每户执法检查人员数"),
                                    format_lazy(gettext_lazy("不少于{count}名（行政执法须两人以上）。"),
                                                count=MIN_INSPECTORS),
                                    max=MAX_PER_ENTITY)
    inspectors = _choices(gettext_lazy("参加抽取的执法检查人员"), forms.CheckboxSelectMultiple,
                          gettext_lazy("本部门执法检查人员库中在库的人员；申报回避的不会被抽到与其有关的对象。"))
    due_date = _date(gettext_lazy("检查完成期限"), gettext_lazy("抽中的检查须在此日前完成，晚于今天。"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = draws.item_choices()
        self.fields["authorities"].choices = draws.authority_choices()
        self.fields["inspectors"].choices = draws.inspector_choices(user)

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


# --- who may ----------------------------------------------------------------------------------------------

def _regulator(request):
    """The signed-in regulator who draws for its organisation; 403 for anyone else."""
    if queue_organisation_id(request.user) is None:
        raise PermissionDenied
    return request.user


def _plan_or_404(request, plan_id):
    plan = draws.plan_for(_regulator(request), plan_id)
    if plan is None:
        raise Http404(NOT_FOUND)
    return plan


def _detail_url(plan) -> str:
    return reverse("draw-detail", args=[plan.pk])


# --- the regulator's pages -------------------------------------------------------------------------------

@require_GET
@login_required
def draw_list(request):
    user = _regulator(request)
    page = page_of(draws.plans_for(user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "supervision/draws/list.html", {"page": page, "organisation": user.organisation})


def _render_form(request, form, plan=None, status=200):
    return render(request, "supervision/draws/form.html", {"form": form, "plan": plan}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def draw_new(request):
    user = _regulator(request)
    if request.method == "GET":
        return _render_form(request, PlanForm(user=user, initial={"inspectors_per_entity": MIN_INSPECTORS}))
    form = PlanForm(request.POST, user=user)
    if form.is_valid():
        try:
            plan = draw_plan_create(actor=user, data=form.data_for_service())
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, _("已制定抽查计划 %(number)s，请核对名录户数后抽取。") % {"number": plan.number})
            return redirect(_detail_url(plan))
    return _render_form(request, form, status=form.error_status)


def _refused(request, plan, message, status=409):
    return render(request, "supervision/draws/refused.html", {"plan": plan, "message": message}, status=status)


def _drawn_already(plan) -> str:
    return _("抽查计划 %(number)s 已于%(day)s抽取，不能再修改：抽取所依据的名录、人员和种子已向社会公开。") % {
        "number": plan.number, "day": local_date(plan.drawn_at, padded=True)}


@require_http_methods(["GET", "POST"])
@login_required
def draw_edit(request, plan_id):
    plan = _plan_or_404(request, plan_id)
    if plan.status != DrawStatus.DRAFT:
        return _refused(request, plan, _drawn_already(plan))
    if request.method == "GET":
        return _render_form(request, PlanForm(user=request.user, initial=draws.plan_data(plan)), plan)
    form = PlanForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            draw_plan_update(plan=plan, actor=request.user, data=form.data_for_service())
        except ServiceError as refused:
            if isinstance(refused, Conflict):  # drawn meanwhile
                return _refused(request, plan, refused.message)
            form.service_error(refused)
        else:
            messages.success(request, _("已保存抽查计划 %(number)s。") % {"number": plan.number})
            return redirect(_detail_url(plan))
    return _render_form(request, form, plan, status=form.error_status)


def _render_detail(request, plan, *, error="", status=200):
    drawn = plan.status == DrawStatus.DRAWN
    page = page_of(draws.picks_of(plan), request.GET.get("page"), PAGE_SIZE, cap=draws.PAGE_CAP) if drawn else None
    size = draws.pool_size(plan)
    return render(request, "supervision/draws/detail.html", {
        "plan": plan, "drawn": drawn, "pool_size": size,
        "sample": draw_algorithm.sample_size(size, percent=plan.sample_percent, count=plan.sample_count),
        "items": plan.items.order_by("seq_no", "code"), "authorities": plan.authorities.order_by("code"),
        "inspectors": draws.plan_inspectors(plan), "page": page,
        "picks": [(pick, draws.pool_entry(plan, pick.pool_no)) for pick in page.object_list] if drawn else [],
        "error": error}, status=status)


@require_GET
@login_required
def draw_detail(request, plan_id):
    return _render_detail(request, _plan_or_404(request, plan_id))


@require_POST
@login_required
def draw_run_view(request, plan_id):
    plan = _plan_or_404(request, plan_id)
    already = plan.status == DrawStatus.DRAWN
    try:
        plan = draw_run(plan=plan, actor=request.user)
    except ServiceError as refused:
        return _render_detail(request, plan, error=refused.message, status=refused.status)
    if already:
        messages.info(request, _("抽查计划 %(number)s 已于%(moment)s抽取，结果不变。") % {
            "number": plan.number, "moment": local_datetime(plan.drawn_at, padded=True)})
    else:
        count = plan.picks.count()
        messages.success(request, ngettext(
            "已抽取：%(count)d户监管对象，检查任务已进入核查工作台。抽取结果已在“双随机抽查公开”页面向社会公开。",
            "已抽取：%(count)d户监管对象，检查任务已进入核查工作台。抽取结果已在“双随机抽查公开”页面向社会公开。",
            count) % {"count": count})
    return redirect(_detail_url(plan))


# --- 一公开 ----------------------------------------------------------------------------------------------

@require_GET
def draw_disclosure(request):
    page = page_of(draws.disclosed_plans(), request.GET.get("page"), PAGE_SIZE)
    return render(request, "supervision/draws/disclosure.html", {"page": page})


def _disclosed_or_404(number):
    plan = draws.disclosed_plan(number)
    if plan is None:
        raise Http404(NOT_PUBLIC)
    return plan


@require_GET
def draw_disclosure_detail(request, number):
    plan = _disclosed_or_404(number)
    page = page_of(draws.picks_of(plan), request.GET.get("page"), PAGE_SIZE, cap=draws.PAGE_CAP)
    pool = page_of(plan.pool, request.GET.get("pool"), POOL_PAGE_SIZE, cap=draws.PAGE_CAP)
    return render(request, "supervision/draws/disclosure_detail.html", {
        "plan": plan, "page": page, "picks": draws.public_picks(plan, page.object_list), "pool": pool,
        "items": plan.items.order_by("seq_no", "code"), "authorities": plan.authorities.order_by("code"),
        "sample": draw_algorithm.sample_size(len(plan.pool), percent=plan.sample_percent, count=plan.sample_count)})


@require_GET
def draw_disclosure_json(request, number):
    plan = _disclosed_or_404(number)
    response = JsonResponse(draws.published_data(plan), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = attachment(f"{plan.number}.json", fallback="draw")
    return response
