"""审批工作台: what the officer's authority must do, and the officer's transitions (谁审批、谁负责).

Each button posts to its own address and calls one service; on success the officer goes back to
where the button was (the desk or the application), on failure the application page shows the
service's message and nothing changed. Who may take a step is the step's own permission
(licensing.selectors.actions.permission_for): the officer of the authority that holds the
application now (the first-review one, then the decider), or, for a filing found untrue, its
regulator (谁主管、谁监管).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from licensing import selectors, services
from licensing.constants import TRANSITIONS, Action
from licensing.forms_applications import (
    FilingUntrueForm, ForwardForm, NoteForm, NoticeReceiptForm, ReasonForm, RevokeForm,
)
from licensing.selectors.actions import permission_for
from licensing.selectors.applications import SECTIONS
from licensing.selectors.ratings import follow_ups_overdue_count
from licensing.web.common import application_or_404, desk_required, redirect_target
from licensing.web.detail import render_detail
from portal import lists
from portal.exceptions import ServiceError

OFFICER_DESK = "licensing.use_officer_desk"
ACT_AS_OFFICER = "licensing.act_as_officer"


UNKNOWN_SECTION = _("没有这个队列：section 应为工作台上列出的队列之一。")
DESK_SECTIONS = "licensing/includes/officer_desk_sections.html"  # the desk's list regions (issue 15)


@desk_required(OFFICER_DESK)
def officer_desk(request):
    """Every queue's first rows and count; ?section=<queue> pages through that queue alone (issue 13)."""
    only = request.GET.get("section") or None
    if only is not None and only not in SECTIONS:
        return render(request, "portal/bad_input.html", {"message": UNKNOWN_SECTION}, status=400)
    # One queue paged (?section=): htmx asks for its region alone, "<section id>-region" (portal/lists.py).
    region = f"{only.replace('_', '-')}-region" if only else "officer-desk"
    return lists.render_list(request, "licensing/officer_desk.html", DESK_SECTIONS, region, {
        "queues": selectors.officer_queues(request.user, section=only, page=request.GET.get("page")),
        "only": only, "today": timezone.localdate(), "organisation": request.user.organisation,
        "here": request.get_full_path(),
        # 好差评 (issue 15): poor ratings past their 15 working days unanswered
        "ratings_overdue": follow_ups_overdue_count(request.user.organisation_id)})


def _transition(request, number, run, success, *, form_class=None, form_key=None, perm=ACT_AS_OFFICER):
    application = application_or_404(request, number, perm)
    form = form_class(request.POST, auto_id=f"{form_key}_%s") if form_class else None
    if form is not None and not form.is_valid():
        return render_detail(request, application, bound={form_key: form}, status=400)
    try:
        run(application, form.cleaned_data if form else {})
    except ServiceError as exc:
        if form is None:
            return render_detail(request, application, error=exc.message, status=exc.status)
        form.service_error(exc)
        return render_detail(request, application, bound={form_key: form}, status=exc.status)
    messages.success(request, success.format(number=application.number))
    return redirect(redirect_target(request, reverse("web-application-detail", args=[application.number])))


def _officer_step(service, success, *, form_class=None, form_key=None, fields=(), action=None):
    """A view that runs `service` with the user as actor and the form's `fields` as arguments; with
    `action`, who may take it is that action's permission (else the officer's)."""
    perm = permission_for(action, TRANSITIONS[action]) if action else ACT_AS_OFFICER

    @require_POST
    @login_required
    def view(request, number):
        def run(application, data):
            service(application=application, actor=request.user, **{f: _value(data.get(f)) for f in fields})
        return _transition(request, number, run, success, form_class=form_class, form_key=form_key, perm=perm)
    return view


def _value(value):
    """A form's cleaned value for the service: an empty text as "", a date or a tick as it is."""
    return "" if value is None else value


# 附件3 第二条（一）、第三条: the notice, once, with the item's legal basis, conditions and materials.
issue_notice = _officer_step(services.application_issue_notice, _("办件 {number} 已出具告知书。"))
# 附件3 第五条: decided on the spot once the commitment and the materials due with it are in.
decide = _officer_step(services.application_decide, _("办件 {number} 已作出准予许可决定，许可证已生成。"))
accept = _officer_step(services.application_accept, _("办件 {number} 已受理，开始计算承诺办结时限。"))
approve = _officer_step(services.application_approve, _("办件 {number} 已准予许可。"))
request_correction = _officer_step(services.application_request_correction, _("已通知申请人补正，办件 {number} 暂停计时。"),
                                   form_class=ReasonForm, form_key="correction", fields=("reason",))
reject = _officer_step(services.application_reject, _("办件 {number} 已作出不予许可决定。"),
                       form_class=ReasonForm, form_key="reject", fields=("reason",))
# 行政许可法 第三十五条: the first-review authority forwards its opinion with the whole file; the decider decides.
forward = _officer_step(services.application_forward, _("办件 {number} 的初审意见已报送。"), action=Action.FORWARD,
                        form_class=ForwardForm, form_key="forward", fields=("opinion", "comments"))
# 附件3 第三条: a notice sent by post starts the applicant's 3 working days on the 送达回证's date.
record_notice_receipt = _officer_step(
    services.application_record_notice_receipt, _("已登记办件 {number} 告知书的送达日期，承诺书递交期限开始计算。"),
    action=Action.RECORD_NOTICE_RECEIPT, form_class=NoticeReceiptForm, form_key="notice_receipt",
    fields=("received_on",))
# 钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营 — from the day the authority confirms.
confirm_conditions = _officer_step(
    services.application_confirm_conditions, _("已确认办件 {number} 的申请人具备经营许可条件，许可证载明可开展经营的日期。"),
    action=Action.CONFIRM_CONDITIONS, form_class=NoteForm, form_key="confirm_conditions", fields=("note",))
# 钦政发〔2019〕20号 二（四）: the regulator of the filing finds it untrue and orders it corrected.
mark_filing_untrue = _officer_step(
    services.application_mark_filing_untrue, _("已认定办件 {number} 的备案信息不实，并责令备案人限期改正。"),
    action=Action.MARK_FILING_UNTRUE, form_class=FilingUntrueForm, form_key="filing_untrue",
    fields=("findings", "correct_by", "false_filing"))


@require_POST
@login_required
def revoke(request, number):
    """附件3 第六、七条: revoke; with a reason for the 诚信档案 (第九条) the applicant loses notify-and-commit."""
    def run(application, data):
        services.application_revoke(application=application, actor=request.user, reason=data.get("reason") or "",
                                    credit_reason=data.get("credit_reason") or None)
    return _transition(request, number, run, _("办件 {number} 的许可已撤销。"), form_class=RevokeForm, form_key="revoke")
