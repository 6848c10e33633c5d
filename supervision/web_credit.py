"""信用公示 and 信用修复 in the browser (issue 14).

- /credit/ (anyone): the records that bar notify-and-commit, searchable by an enterprise's name or code.
- /my/credit/ (applicant accounts): the records of the applicants the account acts for (repaired too), the
  repair rule of each, the requests and their decisions; /my/credit/<id>/repair/ applies for repair.
- /desk/credit-repairs/ (approval officers): the requests to the officer's authority (认定机关), the overdue
  in red; one request with its evidence, and the decision.

What each shows is supervision.selectors_credit; each write is one service (supervision.credit). Like the
other pages: anonymous users sign in first (except the public list), the wrong role is 403, another's
record or request is 404, the same as one that does not exist.
"""
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import audit
from portal.downloads import uploaded_file_response
from portal.exceptions import InvalidInput, ServiceError
from portal.models import AuditAction
from portal.paging import page_of
from portal.permissions import is_applicant_user
from supervision import selectors_credit as credit, services
from supervision.constants import RepairStatus
from supervision.credit import MAX_EVIDENCE_FILES, NOTE_LENGTH, REASONS_LENGTH, repair_refusal
from supervision.forms_inspections import NUL, TOO_LONG, MultipleFileField, ServiceErrorForm
from supervision.i18n import local_date, marked
from supervision.models import CreditRepairEvidence

PAGE_SIZE = 50
RECORD_NOT_FOUND = gettext_lazy("没有这条诚信档案记录，或它不属于您办理的申请人。")
REQUEST_NOT_FOUND = gettext_lazy("没有这份信用修复申请，或它不是向本机关提出的。")
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


# --- forms (they check the shape; the services decide the rest, all at once) ---------------------

class RepairRequestForm(ServiceErrorForm):
    reasons = forms.CharField(
        label=gettext_lazy("申请理由"), required=False, max_length=REASONS_LENGTH, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("写明已纠正失信行为、履行相关义务（如已补交材料、已整改）的情况。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})
    files = MultipleFileField(
        label=gettext_lazy("证明材料"), required=False,
        help_text=format_lazy(gettext_lazy("PDF、JPG 或 PNG，每个不超过10MB，最多{count}个；按文件内容识别类型。"),
                              count=MAX_EVIDENCE_FILES),
        error_messages={"empty": gettext_lazy("上传的文件是空的。"), "invalid": gettext_lazy("请上传文件。"),
                        "missing": gettext_lazy("请上传文件。")})


class DecideForm(ServiceErrorForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("决定"), widget=forms.RadioSelect,
        choices=[("grant", gettext_lazy("准予信用修复")), ("refuse", pgettext_lazy("decision", "不予修复"))],
        error_messages={"required": gettext_lazy("请选择准予修复或不予修复。"),
                        "invalid_choice": gettext_lazy("请选择准予修复或不予修复。")})
    note = forms.CharField(
        label=gettext_lazy("决定理由"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("准予的，写明核实的情况；不予修复的，写明理由（申请人可以看到）。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})


# --- 信用公示 ---------------------------------------------------------------------------------------

@require_GET
def credit_public(request):
    q = request.GET.get("q", "")
    records, refused = credit.public_credit_records(), None
    try:
        records = credit.credit_search(records, q)
    except InvalidInput as error:
        records, refused = records.none(), error
    page = page_of(records, request.GET.get("page"), PAGE_SIZE)
    return render(request, "supervision/credit/public.html", {
        "page": page, "rows": [credit.public_row(r) for r in page.object_list], "q": q if refused is None else "",
        "query": urlencode({"q": q}) if q and refused is None else "", "error": refused.message if refused else "",
    }, status=400 if refused else 200)


# --- the applicant's own records --------------------------------------------------------------------

def _applicant_account(request):
    if not is_applicant_user.test(request.user):
        raise PermissionDenied
    return request.user


def _record_row(record, today, rules=None):
    rule = (rules or {}).get(record.reason)
    record.rule = credit.repair_rule_view(record, today, rule)
    record.refusal = repair_refusal(record, rule)
    record.requests = list(record.repair_requests.all())  # prefetched, newest first
    return record


@require_GET
@login_required
def my_credit(request):
    user, today = _applicant_account(request), timezone.localdate()
    rules = credit.repair_rules()
    records = [_record_row(r, today, rules) for r in credit.credit_records_of_user(user)]
    return render(request, "supervision/credit/mine.html", {"records": records, "today": today})


def _render_repair(request, record, form, status=200):
    return render(request, "supervision/credit/repair.html", {
        "record": _record_row(record, timezone.localdate()), "form": form, "max_files": MAX_EVIDENCE_FILES,
        "refused": form.non_field_errors() if form.is_bound else [],
        "working_days": settings.CREDIT_REPAIR_DECISION_WORKING_DAYS}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def my_credit_repair(request, record_id):
    user = _applicant_account(request)
    record = credit.credit_record_of_user(user, record_id)
    if record is None:
        raise Http404(RECORD_NOT_FOUND)
    if request.method == "GET":
        return _render_repair(request, record, RepairRequestForm(auto_id="repair_%s"))
    form = RepairRequestForm(request.POST, request.FILES, auto_id="repair_%s")
    if form.is_valid():
        try:
            data = form.cleaned_data
            repair = services.credit_repair_request_submit(record=record, actor=user, reasons=data["reasons"],
                                                           files=data["files"])
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, marked(_("信用修复申请已提交，%(authority)s将在%(due)s前作出决定。"),
                                             authority=record.organisation or _("认定机关"),
                                             due=local_date(repair.due_date, padded=True)))
            return redirect("my-credit")
    return _render_repair(request, credit.credit_record_of_user(user, record.pk) or record, form, form.error_status)


# --- the deciding authority's desk ----------------------------------------------------------------

def _decider(request):
    """An approval officer of an organisation; 403 for anyone else (like the other desks)."""
    if credit.repair_desk_organisation_id(request.user) is None:
        raise PermissionDenied
    return request.user


def _repair_or_404(request, request_id):
    repair = credit.repair_request_for(_decider(request), request_id)
    if repair is None:
        raise Http404(REQUEST_NOT_FOUND)
    return repair


def _flagged(repair, today):
    repair.is_overdue = credit.repair_request_overdue(repair, today)
    repair.applicant_row = credit.public_row(repair.record)
    return repair


@require_GET
@login_required
def credit_repair_desk(request):
    user, today = _decider(request), timezone.localdate()
    page = page_of(credit.repair_requests_to_decide(user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "supervision/credit/desk.html", {
        "page": page, "pending": [_flagged(r, today) for r in page.object_list],
        "decided": [_flagged(r, today) for r in credit.repair_requests_decided(user)],
        "organisation": user.organisation, "today": today})


def _render_request(request, repair, form=None, status=200):
    today = timezone.localdate()
    if form is None and repair.status == RepairStatus.PENDING:
        form = DecideForm(auto_id="decide_%s")
    record = repair.record
    return render(request, "supervision/credit/request.html", {
        "repair": _flagged(repair, today), "record": record, "applicant": record.applicant,
        "rule": credit.repair_rule_view(record, today), "form": form if repair.status == RepairStatus.PENDING else None,
        "refused": form.non_field_errors() if form is not None and form.is_bound else [],
        "history": record.repair_requests.exclude(pk=repair.pk).select_related("decided_by").order_by("-submitted_at"),
        "today": today}, status=status)


@require_GET
@login_required
def credit_repair_request(request, request_id):
    return _render_request(request, _repair_or_404(request, request_id))


@require_POST
@login_required
def credit_repair_decide(request, request_id):
    repair = _repair_or_404(request, request_id)
    form = DecideForm(request.POST, auto_id="decide_%s")
    if form.is_valid():
        grant = form.cleaned_data["decision"] == "grant"
        try:
            services.credit_repair_request_decide(request=repair, actor=request.user, grant=grant,
                                                  note=form.cleaned_data["note"])
        except ServiceError as refused:
            form.service_error(refused)
        else:
            said = (_("已准予信用修复：该记录不再限制告知承诺，并终止公示。") if grant
                    else _("已作出不予修复的决定，申请人可以看到理由。"))
            messages.success(request, said)
            return redirect(reverse("credit-repair-request", args=[repair.pk]))
    fresh = credit.repair_request_for(request.user, repair.pk) or repair
    return _render_request(request, fresh, form, form.error_status)


@require_GET
@login_required
@never_cache
def credit_repair_evidence(request, request_id, file_id):
    """A file of the request, for the deciding authority's officers; every download is an audit row.
    Served with the type its content showed on upload, under a name of our own making."""
    repair = _repair_or_404(request, request_id)
    stored = (CreditRepairEvidence.objects.filter(pk=int(file_id), request=repair).first()
              if _ID.fullmatch(str(file_id)) else None)
    if stored is None:
        raise Http404(REQUEST_NOT_FOUND)
    response = uploaded_file_response(stored, kind_label=_("信用修复证明材料"), fallback="evidence")
    if response is None:
        raise Http404(REQUEST_NOT_FOUND)
    audit.write(AuditAction.DOCUMENT_DOWNLOAD, request=request, obj=stored,
                object_repr=f"信用修复证明材料 {stored.original_name}",
                details={"repair_request": repair.pk, "record": repair.record_id, "file": stored.pk})
    return response
