"""Pages for everyone: 公开办理进度 (钦政办〔2019〕72号) and 公开承诺 (钦政发〔2019〕20号).

Neither shows personal data: progress shows no applicant at all, and the disclosure shows
enterprises by name and persons by a masked name, never an identifier.
"""
import secrets

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from licensing.constants import ApplicantKind
from licensing.forms_applications import DisclosureSearchForm, ProgressForm
from licensing.models import Application
from licensing.web.deadlines import deadlines
from licensing.web.labels import action_label
from licensing.web.queries import disclosed_commitments, mask_person_name

# One message for a wrong number and a wrong code, so the page does not tell which numbers exist.
NOT_FOUND = "未查询到办件，请核对办件编号和查询码后重新输入。"


def _find(number: str, code: str):
    application = (Application.objects.select_related("item").filter(number=number.strip().upper()).first())
    given = code.strip().upper().encode()
    expected = application.query_code.encode() if application else b"-" * 8
    matches = secrets.compare_digest(given, expected)  # the same work whether or not the number exists
    return application if application is not None and matches else None


def _public_view(application) -> dict:
    """Status and dates only; event reasons and actors may name people, so they stay out."""
    events = [{"label": action_label(e.action), "at": e.at} for e in application.events.all()]
    return {"application": application, "deadlines": deadlines(application, detailed=False), "events": events,
            "today": timezone.localdate()}


def progress(request):
    """Number + query code -> status and dates. POST, so the code stays out of addresses and logs."""
    form = ProgressForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        application = _find(form.cleaned_data["number"], form.cleaned_data["code"])
        if application is None:
            form.add_error(None, NOT_FOUND)
        else:
            context.update(_public_view(application))
    status = 200
    if request.method == "POST":
        status = 404 if form.non_field_errors() else 400 if form.errors else 200
    return render(request, "licensing/progress.html", context, status=status)


def commitments(request):
    """公开承诺: who committed to what, when (persons by masked name); searchable by item, paginated."""
    form = DisclosureSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(disclosed_commitments(q), 20).get_page(request.GET.get("page"))
    for commitment in page.object_list:
        applicant = commitment.application.applicant
        commitment.public_name = (applicant.name if applicant.kind == ApplicantKind.ENTERPRISE
                                  else mask_person_name(applicant.name))
    return render(request, "licensing/commitments.html", {"form": form, "page": page, "q": q})
