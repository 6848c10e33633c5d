"""The application page (办件详情): one page for every user allowed to see the application.

What it offers depends on what the user may do (portal.permissions): the applicant's side
(the applicant's accounts and the window clerk) commits, uploads, withdraws; the officer of the
implementing authority issues notices and decides; regulators and admins read. A step that
fails comes back to this page with the service's message next to the field, and nothing changed.
"""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from licensing.constants import TRANSITIONS, Channel, MaterialDue, MaterialStatus, Route, Status
from licensing.forms_applications import CommitForm, MaterialUploadForm, ReasonForm, RevokeForm
from licensing.services import notice_missing_content
from licensing.web.common import NOT_FOUND, application_or_404
from licensing.web.deadlines import PROVISIONAL_NOTE, deadlines
from licensing.web.labels import action_label
from notices.constants import DocumentKind
from portal import audit
from portal.models import AuditAction

OPEN = {Status.SUBMITTED, Status.NOTICE_ISSUED, Status.COMMITTED, Status.ACCEPTED, Status.CORRECTION,
        Status.APPROVED}


def may(application, action: str) -> bool:
    """Whether the application's state allows `action` (the one table the services check too)."""
    return application.status in TRANSITIONS[action][0]


def blank_forms(application) -> dict:
    """Every form the page may show, unbound; a failed POST replaces one with its bound copy."""
    return {
        "commit": CommitForm(application=application, auto_id="commit_%s"),
        "correction": ReasonForm(auto_id="correction_%s"),
        "reject": ReasonForm(auto_id="reject_%s"),
        "revoke": RevokeForm(auto_id="revoke_%s"),
    }


def _uploads(application, commit_form_shown: bool, bound: dict) -> list:
    """Owed materials the applicant side may hand in here (those due with the commitment go in its form)."""
    if application.status not in OPEN:
        return []
    rows = []
    for s in application.materials.filter(status=MaterialStatus.OWED).select_related("material"):
        if commit_form_shown and s.material.due != MaterialDue.AFTER_DECISION:
            continue
        if s.material.due == MaterialDue.AFTER_DECISION and application.status != Status.APPROVED:
            continue  # offered once the decision gives it a date (附件3 第四条)
        s.form = bound.get(f"upload_{s.material_id}") or MaterialUploadForm(auto_id=f"upload{s.material_id}_%s")
        rows.append(s)
    return rows


def _applicant_side(application, user, forms) -> dict:
    if not user.has_perm("licensing.act_as_applicant", application):
        return {"as_applicant": False}
    commit_shown = application.route == Route.COMMITMENT and may(application, "commit")
    return {
        "as_applicant": True,
        "show_commit": commit_shown,
        "show_choose_ordinary": application.route == Route.COMMITMENT and may(application, "choose_ordinary"),
        "show_withdraw": may(application, "withdraw"),
        "show_resubmit": may(application, "resubmit"),
        "uploads": _uploads(application, commit_shown, forms),
        # 一窗受理: at the window the notice is handed over on the spot (附件3 第三条).
        "hand_over_notice": (application.channel == Channel.WINDOW and application.status == Status.NOTICE_ISSUED
                             and user.has_perm("licensing.use_window_desk")),
    }


def _officer_side(application, user) -> dict:
    if not user.has_perm("licensing.act_as_officer", application):
        return {"as_officer": False}
    commitment = application.route == Route.COMMITMENT
    return {
        "as_officer": True,
        "show_issue_notice": commitment and may(application, "issue_notice"),
        "notice_missing": notice_missing_content(application.item) if commitment and may(application, "issue_notice") else [],
        "show_decide": commitment and may(application, "decide"),
        "show_accept": not commitment and may(application, "accept"),
        "show_review": may(application, "approve"),
        "show_revoke": may(application, "revoke"),
    }


def _documents(application):
    documents = list(application.documents.all())
    return documents, next((d for d in documents if d.kind == DocumentKind.NOTICE), None)


def _events(application):
    events = list(application.events.select_related("actor"))
    for event in events:
        event.label = action_label(event.action)
    return events


def detail_context(request, application, *, bound=None, error="") -> dict:
    user = request.user
    forms = {**blank_forms(application), **(bound or {})}
    documents, notice = _documents(application)
    context = {
        "application": application, "item": application.item, "applicant": application.applicant,
        "forms": forms, "error": error, "documents": documents, "notice": notice,
        "deadlines": deadlines(application), "provisional_note": PROVISIONAL_NOTE,
        "events": _events(application),
        "materials": application.materials.select_related("material"),
        "commitment": getattr(application, "commitment", None),
        "licence": getattr(application, "licence", None),
        "show_identity": user.has_perm("licensing.view_applicant_identity", application),
        "today": timezone.localdate(),
        **_applicant_side(application, user, forms), **_officer_side(application, user),
    }
    context["show_query_code"] = context["as_applicant"]
    return context


def render_detail(request, application, *, bound=None, error="", status=200):
    """The page again, e.g. after a failed step: `bound` holds the forms with their errors."""
    application.refresh_from_db()
    if status >= 400 and not error:
        error = "请按下方红色提示修改后重新提交。"
    context = detail_context(request, application, bound=bound, error=error)
    return render(request, "licensing/application_detail.html", context, status=status)


@login_required
def application_detail(request, number):
    application = application_or_404(request, number)
    return render_detail(request, application)


@require_GET
@login_required
def material_file(request, number, material_id):
    """A handed-in material, for those who may see the application (the officer reads it before deciding)."""
    application = application_or_404(request, number)
    submission = application.materials.filter(material_id=material_id, status=MaterialStatus.SUBMITTED).first()
    if submission is None or not submission.file:
        raise Http404(NOT_FOUND)
    audit.record(request, AuditAction.DOCUMENT_DOWNLOAD, submission, material=submission.material.name,
                 application=application.number)
    response = FileResponse(submission.file.open("rb"), content_type=submission.content_type or "application/octet-stream",
                            as_attachment=True, filename=submission.original_name or "material")
    response["Cache-Control"] = "private, no-store"
    return response
