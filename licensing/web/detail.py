"""The application page (办件详情): one page for every user allowed to see the application.

What it offers is what the user may do next (selectors.application_allowed_actions, the list the
API returns too): the applicant's side (the applicant's accounts and the window clerk) commits,
uploads, withdraws; the officer of the implementing authority issues notices and decides;
regulators and admins read. A step that fails comes back to this page with the service's
messages next to their fields, and nothing changed.
"""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from licensing import selectors
from licensing.constants import Action, Channel, Status
from licensing.forms_applications import (
    CommitForm, CorrectFilingForm, FilingUntrueForm, ForwardForm, MaterialUploadForm, NoteForm, NoticeReceiptForm,
    ReasonForm, RevokeForm,
)
from licensing.i18n import in_chinese
from licensing.services import notice_missing_content
from portal.uploads import download_name
from licensing.web.common import NOT_FOUND, application_or_404
from notices.constants import DocumentKind
from portal import audit
from portal.downloads import attachment
from portal.models import AuditAction
from supervision.constants import CreditReason

APPLICANT_BUTTONS = {Action.COMMIT, Action.CHOOSE_ORDINARY, Action.WITHDRAW, Action.RESUBMIT,
                     Action.DECLARE_CONDITIONS, Action.CORRECT_FILING}
OFFICER_BUTTONS = {Action.ISSUE_NOTICE, Action.RECORD_NOTICE_RECEIPT, Action.FORWARD, Action.DECIDE, Action.ACCEPT,
                   Action.REQUEST_CORRECTION, Action.APPROVE, Action.REJECT, Action.REVOKE, Action.CONFIRM_CONDITIONS}
REGULATOR_BUTTONS = {Action.MARK_FILING_UNTRUE}


def blank_forms(application, revocation_request=None) -> dict:
    """Every form the page may show, unbound; a failed POST replaces one with its bound copy."""
    return {
        "commit": CommitForm(application=application, auto_id="commit_%s"),
        "correction": ReasonForm(auto_id="correction_%s"),
        "reject": ReasonForm(auto_id="reject_%s"),
        "revoke": _revoke_form(revocation_request),
        "forward": ForwardForm(auto_id="forward_%s"),
        "notice_receipt": NoticeReceiptForm(auto_id="notice_receipt_%s"),
        "declare_conditions": NoteForm(auto_id="declare_conditions_%s"),
        "confirm_conditions": NoteForm(auto_id="confirm_conditions_%s"),
        "correct_filing": CorrectFilingForm(auto_id="correct_filing_%s", initial={"details": application.details}),
        "filing_untrue": FilingUntrueForm(auto_id="filing_untrue_%s"),
    }


def _revoke_form(revocation_request):
    form = RevokeForm(auto_id="revoke_%s", initial=_revoke_draft(revocation_request))
    if revocation_request is not None and not in_chinese():
        # The draft is the decision's wording, in Chinese as the document it goes into (issue 15).
        form.fields["reason"].widget.attrs["lang"] = "zh-Hans"
    return form


def _revoke_draft(request) -> dict:
    """The regulator asked for this revocation (issue 10): the officer starts from its request. The
    service records the false commitment whatever is chosen; the form says so by choosing it."""
    if request is None:
        return {}
    regulator = request.inspection.regulator.name if request.inspection.regulator_id else "行业主管部门"
    asked = timezone.localtime(request.requested_at)
    # The form takes 2,000 characters: a long finding is cut so the draft can be sent as it is.
    return {"credit_reason": CreditReason.FALSE_COMMITMENT, "reason": (
        f"{regulator}于{asked.year}年{asked.month}月{asked.day}日提请撤销（{request.get_ground_display()}）："
        f"{request.reason[:1500]}\n"
        "经核查申请人承诺内容不实，依据告知承诺指引第七条撤销行政许可决定，并记入诚信档案（第九条）。")}


def _uploads(application, user, bound: dict) -> list:
    rows = selectors.materials_to_hand_in(application, user)
    for s in rows:
        s.is_late = selectors.is_overdue(s.due_date)
        s.form = bound.get(f"upload_{s.material_id}") or MaterialUploadForm(auto_id=f"upload{s.material_id}_%s")
    return rows


def _buttons(application, user, forms) -> dict:
    """The page's panels, each drawn from the actions the user may take now."""
    actions = set(selectors.application_allowed_actions(application, user))
    as_applicant = user.has_perm("licensing.act_as_applicant", application)
    uploads = _uploads(application, user, forms) if as_applicant else []
    # An account whose link to the applicant is not verified yet prepares, but signs no 承诺书: say why.
    awaits_verification = selectors.commitment_awaits_verification(application, user)
    return {
        "actions": actions,
        "as_applicant": as_applicant,
        "awaits_verification": awaits_verification,
        "as_officer": user.has_perm("licensing.act_as_officer", application),
        "applicant_panel": bool(actions & APPLICANT_BUTTONS or uploads or awaits_verification),
        "officer_panel": bool(actions & OFFICER_BUTTONS),
        "regulator_panel": bool(actions & REGULATOR_BUTTONS),
        "uploads": uploads,
        "notice_missing": notice_missing_content(application.item) if Action.ISSUE_NOTICE in actions else [],
        # 一窗受理: at the window the notice is handed over on the spot (附件3 第三条).
        "hand_over_notice": (application.channel == Channel.WINDOW and application.status == Status.NOTICE_ISSUED
                             and as_applicant and user.has_perm("licensing.use_window_desk")),
    }


def _documents(application):
    documents = list(selectors.document_links().filter(application=application))
    return documents, next((d for d in documents if d.kind == DocumentKind.NOTICE), None)


def detail_context(request, application, *, bound=None, error="") -> dict:
    user = request.user
    documents, notice = _documents(application)
    inspection = selectors.inspection_summary(application, documents)
    revocation_request = inspection.revocation_request if inspection else None
    forms = {**blank_forms(application, revocation_request), **(bound or {})}
    buttons = _buttons(application, user, forms)
    return {
        "application": application, "item": application.item, "applicant": application.applicant,
        "forms": forms, "error": error, "documents": documents, "notice": notice,
        "deadlines": selectors.deadlines(application), "provisional_note": gettext(selectors.PROVISIONAL_NOTE),
        "events": application.events.select_related("actor"),
        "materials": selectors.application_materials(application),
        "commitment": getattr(application, "commitment", None),
        "licence": getattr(application, "licence", None),
        "identifier": selectors.identifier_for(user, application),
        "show_query_code": buttons["as_applicant"],
        "today": timezone.localdate(),
        # 事后核查 (issue 10): results, names and notes for those who see the page; no on-site files.
        "inspection": inspection, "revocation_request": revocation_request,
        **_authorities(application), "operating": selectors.operating_status(application),
        # 附件3 第三条: by post the applicant's 3 working days start on receipt, which is not recorded yet.
        "commitment_not_running": selectors.transition_allowed(application, Action.RECORD_NOTICE_RECEIPT),
        **buttons,
    }


def _authorities(application) -> dict:
    """谁审批、谁负责 (issue 11): in whose name it is decided, who acts for it, who examines it now, and
    the first-review opinions already forwarded."""
    return {
        "authority": selectors.authority_of(application), "entrusted": application.entrusted,
        "reviewing": application.reviewing,
        "forward_to": (selectors.forward_to(application, selectors.pending_stages(application))
                       if application.reviewing_id else None),
        "reviews": application.reviews.filter(forwarded_at__isnull=False).select_related("organisation"),
    }


def render_detail(request, application, *, bound=None, error="", status=200, fresh=False):
    """The page again, e.g. after a failed step: `bound` holds the forms with their errors. The
    application is read again (a step that failed may have changed it in memory) unless it is `fresh`
    from the database, as when the page is just asked for."""
    if not fresh:
        application.refresh_from_db()  # which forgets its item and applicant, read again below
    selectors.read_materials(application)  # the deadlines read each material's catalogue entry
    if status >= 400 and not error:
        error = gettext("请按下方红色提示修改后重新提交。")
    context = detail_context(request, application, bound=bound, error=error)
    return render(request, "licensing/application_detail.html", context, status=status)


@login_required
def application_detail(request, number):
    # issue 13: application_or_404 has just read it with its item and applicant
    return render_detail(request, application_or_404(request, number), fresh=True)


@require_GET
@login_required
@never_cache
def material_file(request, number, material_id, file_id=None):
    """A handed-in material's current file (the one the officer reads before deciding), or with
    `file_id` one of the files it replaced, for those who may see the application; every download
    is an audit row. Served with the type its content showed on upload, named after the material."""
    application = application_or_404(request, number)
    stored = selectors.material_file(application, material_id, file_id)
    if stored is None:
        raise Http404(NOT_FOUND)
    material = stored.submission.material
    try:
        handle = stored.file.open("rb")
    except OSError:  # the row outlived its file (a restore without the media volume): nothing to serve
        raise Http404(NOT_FOUND)
    audit.record(request, AuditAction.DOCUMENT_DOWNLOAD, stored.submission, material=material.name,
                 application=application.number, file=stored.pk, sha256=stored.sha256,
                 version="current" if stored.replaced_at is None else "earlier")
    label = material.name if stored.replaced_at is None else f"{material.name}-{_local(stored.uploaded_at):%Y%m%d%H%M}"
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = attachment(download_name(label, stored.content_type), fallback="material")
    response["Cache-Control"] = "private, no-store"
    return response


def _local(moment):
    return timezone.localtime(moment)
