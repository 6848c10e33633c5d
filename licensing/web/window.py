"""窗口受理台 (一窗受理, 钦政办〔2019〕72号): the clerk accepts any item for the applicant present.

Find the applicant by 统一社会信用代码 or 身份证号码 (exact, after normalising), or register it on
the spot; see its applications and documents (to hand out results); accept an item. For a
commitment item the notice is issued on the spot (附件3 第三条) and the application page tells
the clerk to hand it over; the clerk then records the commitment there, with the same form, and
prints the notice and the commitment in two copies each (附件3 第二条) in one action.
"""
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from licensing import selectors, services
from licensing.constants import ApplicantKind, Route, Status
from licensing.forms_applications import ApplicantRegisterForm, WindowApplyForm, WindowBindForm, WindowSearchForm
from licensing.models import Applicant, ApplicantMembership
from licensing.validators import identifier_problem, looks_like_id_number, normalise
from licensing.web.common import application_or_404, desk_required, listing_page
from licensing.web.detail import render_detail
from notices import printing
from notices.constants import DocumentKind
from notices.selectors import document_masked_for
from portal import audit, lists, progress
from portal.downloads import inline
from portal.exceptions import ServiceError
from portal.models import AuditAction
from supervision.selectors import applicant_barred_from_commitment

WINDOW_DESK = "licensing.use_window_desk"
# The clerk acts for the applicant present (一窗受理): the same right as recording its commitment.
ACT_AS_APPLICANT = "licensing.act_as_applicant"
NO_NOTICE_TO_PRINT = _("该办件还没有出具告知书，没有可打印的告知书和承诺书。")
APPLICATIONS_REGION = "licensing/includes/window_applications.html"  # the page's list region (issue 15)


def _search(request):
    """Exact match on the normalised identifier; when there is none, offer to register it."""
    form = WindowSearchForm(request.GET or None)
    if not (request.GET and form.is_valid()):
        return form, None, None
    code = normalise(form.cleaned_data["identifier"])
    applicant = Applicant.objects.filter(identifier=code).first()
    if applicant is None and (message := identifier_problem(code)):
        form.add_error("identifier", message)
        return form, None, None
    kind = ApplicantKind.PERSON if looks_like_id_number(code) else ApplicantKind.ENTERPRISE
    return form, applicant, ApplicantRegisterForm(initial={"identifier": code, "kind": kind})


@desk_required(WINDOW_DESK)
def window_desk(request):
    """Search (GET) or register the applicant present (POST)."""
    if request.method == "POST":
        return _register(request)
    form, applicant, register_form = _search(request)
    if applicant is not None:
        return redirect("window-applicant", pk=applicant.pk)
    return render(request, "licensing/window_desk.html", {
        "form": form, "register_form": register_form, "searched": register_form is not None})


def _register(request):
    register_form = ApplicantRegisterForm(request.POST)
    if register_form.is_valid():
        data = register_form.cleaned_data
        try:
            applicant = services.applicant_register(kind=data["kind"], identifier=data["identifier"],
                                                    name=data["name"], actor=request.user, **register_form.details())
        except ServiceError as exc:
            register_form.service_error(exc)
        else:
            messages.success(request, gettext("已登记申请人：%(name)s。") % {"name": applicant.name})
            return redirect("window-applicant", pk=applicant.pk)
    return render(request, "licensing/window_desk.html", {
        "form": WindowSearchForm(), "register_form": register_form, "searched": True}, status=register_form.error_status)


def _accept(request, applicant, form):
    data = form.cleaned_data
    return services.application_submit(
        item=data["item"], applicant=applicant, actor=request.user, channel=data["channel"],
        details=data.get("details", ""), wants_commitment=form.wants_commitment_value(),
        authority=data.get("authority"))


def _accepted_message(application) -> str:
    if application.status == Status.NOTICE_ISSUED:
        return gettext("已受理，办件编号 %(number)s。") % {"number": application.number}
    if application.route == Route.ORDINARY and application.events.first().reason:
        return gettext("已受理。%(reason)s") % {"reason": application.events.first().reason}
    return gettext("已受理，状态：%(status)s。") % {"status": application.get_status_display()}


def _applicant_page(request, applicant, *, form, bind_form=None, status=200):
    """The applicant's page; its applications' region alone when htmx pages them (portal/lists.py)."""
    return lists.render_list(request, "licensing/window_applicant.html", APPLICATIONS_REGION, "applications", {
        "applicant": applicant, "form": form, "q": request.GET.get("q", ""),
        "credit_record": applicant_barred_from_commitment(applicant),
        "bind_form": bind_form or WindowBindForm(auto_id="bind_%s"), **_claims(applicant),
        **_listing(request, applicant),
    }, status=status)


def _listing(request, applicant) -> dict:
    listing = listing_page(request, selectors.applications_of_applicant(applicant))
    listing["applications"] = _with_printing(listing["applications"])
    listing["query"] = ""  # the pager keeps only ?page= (q narrows the item list, not this one)
    return listing


def _with_printing(applications) -> list:
    """Each row says whether its notice can be printed, and whether the commitment prints with it
    (from the documents the listing already holds; notices.printing.documents_to_print decides the same)."""
    for application in applications:
        kinds = {document.kind for document in application.documents.all()}
        application.prints_notice = DocumentKind.NOTICE in kinds
        application.prints_commitment = application.prints_notice and DocumentKind.COMMITMENT in kinds
    return applications


def _claims(applicant) -> dict:
    claims = selectors.claims_of_applicant(applicant)
    return {"claims": claims, "claims_conflict": selectors.claims_in_conflict(claims),
            "verified_count": sum(c.is_verified for c in claims)}


@desk_required(WINDOW_DESK)
def window_applicant(request, pk):
    """The applicant present: its applications and documents, and accepting a new item for it."""
    applicant = get_object_or_404(Applicant, pk=pk)
    form = WindowApplyForm(request.POST or None)
    if request.method == "GET" and request.GET.get("q"):
        # Narrow the long list of items for the clerk; a POST still accepts any item of the catalogue.
        form.narrow(selectors.item_list(q=request.GET["q"].strip()[:100]).order_by("seq_no", "code"))
    if request.method != "POST" or not form.is_valid():
        return _applicant_page(request, applicant, form=form, status=400 if request.method == "POST" else 200)
    try:
        application = _accept(request, applicant, form)
    except ServiceError as exc:
        form.service_error(exc)
        return _applicant_page(request, applicant, form=form, status=exc.status)
    messages.success(request, _accepted_message(application))
    return redirect("web-application-detail", number=application.number)


@require_POST
@desk_required(WINDOW_DESK)
def window_bind_account(request, pk):
    """Let an applicant account act online for this applicant, verified, once the clerk has checked
    its papers (营业执照 or 身份证, and the authorisation). Online, an account only claims an applicant
    (pending: it may not sign a 承诺书); this is where the enterprise proves it in person."""
    applicant = get_object_or_404(Applicant, pk=pk)
    form = WindowBindForm(request.POST, auto_id="bind_%s")
    if form.is_valid():
        try:
            account = services.applicant_bind_account(applicant=applicant, username=form.cleaned_data["username"],
                                                      actor=request.user)
        except ServiceError as exc:
            form.service_error(exc)
        else:
            messages.success(request, gettext("账号 %(username)s 今后可在网上代 %(name)s 办理。") % {
                "username": account.username, "name": applicant.name})
            return redirect("window-applicant", pk=applicant.pk)
    return _applicant_page(request, applicant, form=WindowApplyForm(), bind_form=form, status=400)


def _claim_step(request, pk, claim, run, success):
    """Settle one account's claim to the applicant (verify it, or remove it), back to the applicant's page."""
    applicant = get_object_or_404(Applicant, pk=pk)
    membership = get_object_or_404(ApplicantMembership.objects.select_related("user"), pk=claim, applicant=applicant)
    try:
        run(membership)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(membership, applicant))
    return redirect("window-applicant", pk=applicant.pk)


@require_POST
@desk_required(WINDOW_DESK)
def window_claim_verify(request, pk, claim):
    """Papers checked (营业执照 or 身份证, and the authorisation): this account's claim is true."""
    return _claim_step(request, pk, claim,
                       lambda m: services.applicant_claim_verify(claim=m, actor=request.user),
                       lambda m, a: gettext("已核验：账号 %(username)s 可以代 %(name)s 在网上办理并签署承诺书。") % {
                           "username": m.user.username, "name": a.name})


@require_POST
@desk_required(WINDOW_DESK)
def window_claim_remove(request, pk, claim):
    """The claim is false (or the account no longer acts for the applicant): remove it."""
    return _claim_step(request, pk, claim,
                       lambda m: services.applicant_claim_remove(claim=m, actor=request.user,
                                                                 reason=request.POST.get("reason", "")[:500]),
                       lambda m, a: gettext("已删除账号 %(username)s 与 %(name)s 的关联。") % {
                           "username": m.user.username, "name": a.name})


@require_GET
@desk_required(WINDOW_DESK)
@never_cache
def window_print(request, number):
    """告知书与告知承诺书一式两份 (附件3 第二条): one PDF of both documents, two labelled copies each (第一联
    申请人留存, 第二联 审批机关留存), for the browser to show and print (notices/printing.py). Made of the
    PDFs kept at issue; one not kept yet is asked of a worker and the page says it is being prepared.
    Before the applicant signs, the notice alone (the desk and the application page say so)."""
    application = application_or_404(request, number, ACT_AS_APPLICANT)
    documents = printing.documents_to_print(application)
    if not documents:
        return render_detail(request, application, error=NO_NOTICE_TO_PRINT, status=409)
    try:
        data = printing.print_bundle(documents, user=request.user)
    except printing.PdfNotReady as exc:
        printing.prepare_missing(exc.documents)
        return _preparing(request, application, documents)
    if progress.polled(request):  # issue 15: the preparing page's poll; the page then asks for the print itself
        return progress.ready(request)
    for document in documents:
        # Like a download of each document (notices.views), naming the whole bundle it went out in.
        audit.record(request, AuditAction.DOCUMENT_DOWNLOAD, document, "success", kind=document.kind,
                     application=application.number, masked=document_masked_for(request.user, document),
                     view="window_print", copies=len(printing.COPY_LABELS),
                     documents=[f"{d.get_kind_display()} {d.number}" for d in documents])
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = inline(f"{_bundle_title(documents)}-{application.number}.pdf", fallback="print")
    return response


def _bundle_title(documents) -> str:
    return "告知书和承诺书" if len(documents) > 1 else "告知书"


def _preparing(request, application, documents):
    """202: the PDFs are being rendered by a worker; the page refreshes into the print."""
    seconds = settings.DOCUMENT_PREPARING_REFRESH_SECONDS
    if progress.polled(request):  # issue 15: the page polls with htmx; it already says all this
        return progress.still_running(seconds)
    response = render(request, "notices/preparing.html", {
        "title": gettext("告知书和承诺书正在生成") if len(documents) > 1 else gettext("告知书正在生成"),
        "what": gettext("和").join(f"{d.get_kind_display()} {d.number}" for d in documents),
        "back_url": reverse("window-applicant", args=[application.applicant_id]),
        "refresh_seconds": seconds,
    }, status=202)
    response["Retry-After"] = str(seconds)
    return response
