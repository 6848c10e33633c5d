"""The applicant's pages: 我的办件, 办理主体, 在线申请, and the applicant's steps on an application.

The steps (commit, upload, choose the ordinary procedure, withdraw, resubmit, declare the conditions
met, correct a filing) are also the window clerk's, who acts for the applicant present (一窗受理):
both pass "licensing.act_as_applicant".
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from licensing import selectors, services
from licensing.constants import Channel, Route
from licensing.forms_applications import (
    ApplicantRegisterForm, ApplyForm, CommitForm, CorrectFilingForm, MaterialUploadForm, NoteForm,
)
from licensing.models import ApplicantMembership, Item
from licensing.selectors.registrations_account import registered_enterprise
from licensing.services import applicants as services_applicants
from licensing.verifiers import get_verifier, verifies_online
from licensing.web.common import APPLICANT_DESK, application_or_404, desk_required, listing_page
from licensing.web.detail import render_detail
from licensing.web.labels import cn_date
from portal import lists
from portal.exceptions import ServiceError
from supervision.selectors import applicant_barred_from_commitment

ACT_AS_APPLICANT = "licensing.act_as_applicant"


# 我的办件 newest or oldest first: the index on (applicant, submitted_at, id) read from either end (portal/lists.py).
MY_APPLICATIONS_ORDERS = (lists.Order("newest"), lists.Order("oldest", backwards=True))


@desk_required(APPLICANT_DESK)
def my_applications(request):
    """我的办件: every application of every enterprise or person the account acts for. Paging and sorting
    ask for its list region alone when htmx is there (portal/lists.py)."""
    sort = request.GET.get(lists.SORT, "").strip()
    try:
        rows = lists.ordered(selectors.applications_of_user(request.user), sort, MY_APPLICATIONS_ORDERS)
    except ServiceError as exc:
        return render(request, "portal/bad_input.html", {"message": exc.message}, status=exc.status)
    return lists.render_list(request, "licensing/my_applications.html", "licensing/includes/my_applications_list.html",
                             "applications-list", {**listing_page(request, rows), "sort": sort})


# --- 办理主体 ------------------------------------------------------------------------------

def _register_for(user, form):
    """Register the applicant for this account: a claim, pending until the window or a verifier checks it."""
    data = form.cleaned_data
    try:
        return services.applicant_register(kind=data["kind"], identifier=data["identifier"], name=data["name"],
                                           actor=user, user=user, **form.details())
    except ServiceError as exc:
        form.service_error(exc)
        return None


def _registered(request, applicant):
    messages.success(request, gettext("已添加办理主体：%(name)s。") % {"name": applicant.name})
    if not selectors.is_verified_for(request.user, applicant):
        messages.warning(request, services_applicants.CLAIM_PENDING)


def _verify_online(request):
    """The account asks the configured verifier (电子营业执照, identity services) to verify one of its claims."""
    claim_id = request.POST.get("verify_claim", "")
    if not (claim_id.isascii() and claim_id.isdigit() and len(claim_id) < 10):
        claim_id = 0  # no such claim: 404, never a 500 for "²" or a number past the column
    claim = get_object_or_404(ApplicantMembership, pk=claim_id, user=request.user)
    try:
        result = services.applicant_claim_verify_online(claim=claim, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if result.verified:
            messages.success(request, gettext("已在线核验，可以代 %(name)s 签署承诺书。") % {"name": claim.applicant.name})
        else:
            messages.error(request, result.reason or services_applicants.CLAIM_PENDING)
    return redirect("my-applicants")


@desk_required(APPLICANT_DESK)
def my_applicants(request):
    """办理主体: the enterprises and persons this account claims (verified or not yet), and registering another."""
    if request.method == "POST" and "verify_claim" in request.POST:
        return _verify_online(request)
    if request.method == "POST" and "lookup" in request.POST:
        return _my_applicants_page(request, _looked_up(request), 200)
    form = ApplicantRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        applicant = _register_for(request.user, form)
        if applicant is not None:
            _registered(request, applicant)
            return redirect(request.GET.get("next") if _is_apply_path(request.GET.get("next")) else "my-applicants")
    return _my_applicants_page(request, form, form.error_status if request.method == "POST" else 200)


def _my_applicants_page(request, form, status):
    claims = list(selectors.claims_of_user(request.user))
    return render(request, "licensing/my_applicants.html", {
        "form": form, "claims": claims, "any_pending": any(not c.is_verified for c in claims),
        "verifies_online": verifies_online(get_verifier()), "go_to_window": services_applicants.GO_TO_THE_WINDOW,
    }, status=status)


def _looked_up(request):
    """查找登记信息 (issue 16): the form again with the registered enterprise's name, address and legal
    representative filled in, when the business registry told the portal about the code typed; nothing saved."""
    enterprise = registered_enterprise(request.POST.get("identifier", ""))
    if enterprise is None:
        messages.info(request, gettext("未找到该统一社会信用代码的企业登记信息，请填写企业名称等信息。"))
    else:
        messages.success(request, gettext("已填入企业登记信息，请核对后点击“登记”。"))
    return ApplicantRegisterForm.filled_from(request.POST, enterprise)


def _is_apply_path(path) -> bool:
    return bool(path) and path.startswith("/items/") and path.endswith("/apply/")


# --- 在线申请 ------------------------------------------------------------------------------

def _barred(applicants) -> list:
    """附件3 第九条: applicants with a credit record may not use notify-and-commit; say so before they submit."""
    rows = []
    for applicant in applicants:
        record = applicant_barred_from_commitment(applicant)
        if record is not None:
            rows.append((applicant, record))
    return rows


def _submit(request, item, form):
    data = form.cleaned_data
    return services.application_submit(
        item=item, applicant=data["applicant"], actor=request.user, channel=Channel.ONLINE,
        details=data.get("details", ""), wants_commitment=form.wants_commitment(), uploads=form.uploads(),
        authority=form.chosen_authority())


def _submitted_message(application) -> str:
    if application.route == Route.COMMITMENT and application.notice_due:
        return gettext("申请已提交。审批部门将在 %(date)s 前送达告知书。") % {"date": cn_date(application.notice_due)}
    first = application.events.first()
    if first and first.reason:
        return gettext("申请已提交。%(reason)s") % {"reason": first.reason}
    return gettext("申请已提交，状态：%(status)s。") % {"status": application.get_status_display()}


@desk_required(APPLICANT_DESK)
def apply(request, code):
    """在线申请 from an item's guide: which applicant, details, and for commitment items whether to commit."""
    item = get_object_or_404(Item, code=code)
    applicants = request.user.applicants.all()
    only = applicants.first() if applicants.count() == 1 else None
    form = ApplyForm(request.POST or None, request.FILES or None, item=item, applicants=applicants,
                     initial={"applicant": only})
    if request.method == "POST" and form.is_valid():
        try:
            application = _submit(request, item, form)
        except ServiceError as exc:
            form.service_error(exc)
        else:
            messages.success(request, _submitted_message(application))
            if application.route == Route.COMMITMENT and not selectors.is_verified_for(request.user, application.applicant):
                messages.warning(request, services_applicants.CLAIM_PENDING)
            return redirect("web-application-detail", number=application.number)
    return render(request, "licensing/apply.html", {
        "item": item, "form": form, "has_applicants": applicants.exists(), "barred": _barred(applicants),
        "register_url": f"{reverse('my-applicants')}?next={reverse('apply', args=[item.code])}",
    }, status=form.error_status if request.method == "POST" else 200)


# --- the applicant's steps on one application ----------------------------------------------

def _step(request, number, run, success, *, form=None, form_key=None):
    """Run one step as the applicant side; on a ServiceError show the page again, with the message."""
    application = application_or_404(request, number, ACT_AS_APPLICANT)
    if form is not None:
        form = form(application)
        if not form.is_valid():
            return render_detail(request, application, bound={form_key: form}, status=400)
    try:
        run(application, form)
    except ServiceError as exc:
        if form is None:
            return render_detail(request, application, error=exc.message, status=exc.status)
        form.service_error(exc)
        return render_detail(request, application, bound={form_key: form}, status=exc.status)
    messages.success(request, success)
    return redirect("web-application-detail", number=application.number)


@require_POST
@login_required
def commit(request, number):
    """The signed 承诺书 with the materials due now (附件3 第二条（二）、第四条); the decision is due today."""
    def run(application, form):
        services.application_commit(application=application, actor=request.user, **form.service_kwargs())
    return _step(request, number, run, _("承诺书已递交。审批部门将于今日作出许可决定。"), form_key="commit",
                 form=lambda a: CommitForm(request.POST, request.FILES, application=a, auto_id="commit_%s"))


@require_POST
@login_required
def material_upload(request, number, material_id):
    """Hand in one owed material, e.g. one agreed for after the decision (附件3 第六条: by its date), or
    replace one handed in while it may be replaced (the earlier file is kept)."""
    application = application_or_404(request, number, ACT_AS_APPLICANT)
    form_key = f"upload_{material_id}"
    form = MaterialUploadForm(request.POST, request.FILES, auto_id=f"upload{material_id}_%s")
    if not form.is_valid():
        return render_detail(request, application, bound={form_key: form}, status=400)
    try:
        services.material_submit(application=application, material_id=material_id, upload=form.cleaned_data["file"],
                                 actor=request.user)
    except ServiceError as exc:
        form.service_error(exc)
        # A frozen or late material has no upload form left on the page: its refusal is said at the top.
        error = exc.message if exc.status == 409 else ""
        return render_detail(request, application, bound={form_key: form}, error=error, status=exc.status)
    messages.success(request, gettext("材料已上传。"))
    return redirect("web-application-detail", number=application.number)


@require_POST
@login_required
def choose_ordinary(request, number):
    """附件3 第十条: an applicant who does not want to commit goes the ordinary way."""
    def run(application, form):
        services.application_choose_ordinary(application=application, actor=request.user)
    return _step(request, number, run, _("已改为按一般程序办理，审批部门受理后按承诺时限作出决定。"))


@require_POST
@login_required
def withdraw(request, number):
    def run(application, form):
        services.application_withdraw(application=application, actor=request.user,
                                      reason=request.POST.get("reason", "")[:2000])
    return _step(request, number, run, _("申请已撤回，办件终止。"))


@require_POST
@login_required
def resubmit(request, number):
    """Corrections handed in: the review clock restarts with the working days that were left."""
    def run(application, form):
        services.application_resubmit(application=application, actor=request.user,
                                      reason=request.POST.get("reason", "")[:2000])
    return _step(request, number, run, _("补正材料已提交，审批部门继续审查。"))


@require_POST
@login_required
def declare_conditions(request, number):
    """钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营 — the holder declares the
    conditions met (everything owed handed in first); the authority then confirms."""
    def run(application, form):
        services.application_declare_conditions(application=application, actor=request.user,
                                                note=form.cleaned_data.get("note") or "")
    return _step(request, number, run, _("已申报具备经营许可条件，待审批部门确认后方可开展经营。"),
                 form_key="declare_conditions", form=lambda a: NoteForm(request.POST, auto_id="declare_conditions_%s"))


@require_POST
@login_required
def correct_filing(request, number):
    """钦政发〔2019〕20号 二（四）: a filing found untrue is corrected by the filer; it goes to the regulator again."""
    def run(application, form):
        services.application_correct_filing(application=application, actor=request.user,
                                            details=form.cleaned_data["details"])
    return _step(request, number, run, _("备案信息已改正，已重新推送行业主管部门。"),
                 form_key="correct_filing", form=lambda a: CorrectFilingForm(request.POST, auto_id="correct_filing_%s"))
