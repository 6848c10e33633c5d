"""Pages for everyone: 公开办理进度 (钦政办〔2019〕72号) and 公开承诺 (钦政发〔2019〕20号).

Neither shows personal data: progress shows no applicant at all, and the disclosure shows
enterprises by name and persons by a masked name, never an identifier.
"""
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing import selectors
from licensing.constants import ReformMode
from licensing.forms_applications import DisclosureSearchForm, ProgressForm
from licensing.models import Item

# One message for a wrong number and a wrong code, so the page does not tell which numbers exist.
NOT_FOUND = _("未查询到办件，请核对办件编号和查询码后重新输入。")


def home(request):
    """The four reform modes with their item counts, and the search box."""
    counts = dict(Item.objects.values_list("reform_mode").annotate(n=Count("seq_no", distinct=True)))
    modes = [{"value": m.value, "label": m.label, "count": counts.get(m.value, 0)} for m in ReformMode]
    return render(request, "portal/home.html", {
        "modes": modes, "seq_count": Item.objects.values("seq_no").distinct().count(),
    })


def _public_view(application) -> dict:
    """Status and dates only; event reasons and actors may name people, so they stay out."""
    events = [{"label": e.get_action_display(), "at": e.at} for e in application.events.all()]
    return {"application": application, "deadlines": selectors.deadlines(application, detailed=False),
            "events": events, "today": timezone.localdate(),
            # The regulator's check by its status alone: no finding, no inspector's name (issue 10).
            "inspection": selectors.inspection_progress(application),
            # 钦政发〔2019〕20号: whether the holder may operate yet (issue 11).
            "operating": selectors.operating_status(application)}


def progress(request):
    """Number + query code -> status and dates. POST, so the code stays out of addresses and logs."""
    form = ProgressForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        application = selectors.application_progress(form.cleaned_data["number"], form.cleaned_data["code"])
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
    page = Paginator(selectors.disclosed_commitments(q), 20).get_page(request.GET.get("page"))
    for commitment in page.object_list:
        commitment.public_name = selectors.public_name(commitment.application.applicant)
    return render(request, "licensing/commitments.html", {"form": form, "page": page, "q": q})
