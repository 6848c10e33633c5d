"""好差评 in the browser (issue 15).

- /applications/<number>/rate/ (the applicant's accounts): the rating form, offered from the application page
  once the application has ended ("rate" in application_allowed_actions); once rated, the page shows it.
- /desk/ratings/ (approval officers): the poor ratings of the officer's authority awaiting an answer, the
  earliest due first, the overdue in red, each with its answer form; /desk/ratings/<id>/answer/ answers.
- /ratings/ (anyone): each authority's ratings in aggregate: counts per level and the share satisfied; no
  rater and no comment.

What each shows is licensing.selectors.ratings; each write is one service (licensing.services.ratings). Like
the other pages: anonymous users sign in first (except the public page), the wrong role is 403, an application
or a rating the user may not see is 404, the same as one that does not exist.
"""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.forms_applications import ServiceErrorMixin
from licensing.selectors import ratings as selectors
from licensing.services import ratings as services
from licensing.web.common import application_or_404, desk_required
from portal.exceptions import ServiceError
from portal.paging import page_of

OFFICER_DESK = "licensing.use_officer_desk"
PAGE_SIZE = 50
CHOOSE_LEVEL = gettext_lazy("请选择评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。")
TOO_LONG = gettext_lazy("最多输入 %(limit_value)d 个字（当前 %(show_value)d 个）。")
NUL = gettext_lazy("不能包含空字符。")
RATING_NOT_FOUND = gettext_lazy("没有这条差评，或它不是对本机关的评价。")


# --- forms (they check the shape; the services decide the rest) ----------------------------------

class TiedErrorsMixin(ServiceErrorMixin):
    """Errors tied to their fields: an input with an error is marked invalid and described by its message
    (aria-invalid, aria-describedby: "<id>_error"), besides any help (“<id>_help”)."""

    def tie_errors(self):
        for name, field in self.fields.items():
            described = [f"{self[name].auto_id}_help"] if field.help_text else []
            if self[name].errors:
                described.append(f"{self[name].auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
        return self


class RatingForm(TiedErrorsMixin, forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("您对本次办理的评价"), coerce=int, widget=forms.RadioSelect,
        choices=[(level, label) for level, label in selectors.LEVEL_LABELS.items()],
        error_messages={"required": CHOOSE_LEVEL, "invalid_choice": CHOOSE_LEVEL})
    comment = forms.CharField(
        label=gettext_lazy("评价内容（可不填）"), required=False, max_length=selectors.COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("最多 500 个字。选择“不满意”或“非常不满意”的，请写明原因，审批机关将在 15 个工作日内核实并反馈。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})


class AnswerForm(TiedErrorsMixin, forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("整改反馈"), required=False, max_length=selectors.ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写明核实的情况、整改措施和结果；反馈将通过邮件发给评价人，并显示在办件页面。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})


# --- the applicant rates --------------------------------------------------------------------------

def _application_page(application) -> str:
    return reverse("web-application-detail", args=[application.number]) + "#rating"


def _render_rate(request, application, form, status=200):
    return render(request, "licensing/ratings/rate.html", {
        "application": application, "item": application.item, "form": form.tie_errors(),
        "working_days": settings.RATING_FOLLOW_UP_WORKING_DAYS}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def rate(request, number):
    application = application_or_404(request, number)
    if not selectors.rates_for_applicant(request.user, application):
        raise PermissionDenied
    if request.method == "GET":
        refusal = selectors.rating_refusal(application)
        if refusal:  # rated already, or still running: the application page says where it stands
            messages.info(request, refusal)
            return redirect(_application_page(application))
        return _render_rate(request, application, RatingForm(auto_id="rating_%s"))
    form = RatingForm(request.POST, auto_id="rating_%s")
    if form.is_valid():
        try:
            rating = services.rating_submit(application=application, actor=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, _rated_message(rating))
            return redirect(_application_page(application))
    return _render_rate(request, application, form, form.error_status)


def _rated_message(rating) -> str:
    if rating.follow_up_due is None:
        return _("感谢您的评价。")
    return _("感谢您的评价。审批机关将在 %(day)s 前核实并反馈，反馈将显示在办件页面并通过邮件发给您。") % {
        "day": rating.follow_up_due.isoformat()}


# --- the authority answers ------------------------------------------------------------------------

def _follow_ups(request, *, returned=None, error="", status=200):
    """The desk: the open follow-ups a page at a time, each with its answer form; `returned`: the follow-up
    whose form came back with its errors (shown first if it is not on this page)."""
    user, today = request.user, timezone.localdate()
    page = page_of(selectors.follow_ups_open(user.organisation_id), request.GET.get("page"), PAGE_SIZE)
    rows = list(page.object_list)
    if returned is not None and returned.pk not in {r.pk for r in rows}:
        rows.insert(0, returned)
    for rating in rows:
        rating.is_overdue = selectors.follow_up_overdue(rating, today)
        rating.level_label = selectors.level_label(rating.level)
        form = returned.form if returned is not None and returned.pk == rating.pk else None
        rating.form = (form or AnswerForm(auto_id=f"answer{rating.pk}_%s")).tie_errors()
    return render(request, "licensing/ratings/follow_ups.html", {
        "page": page, "rows": rows, "organisation": user.organisation, "today": today, "error": error,
        "overdue": selectors.follow_ups_overdue_count(user.organisation_id, today),
        "working_days": settings.RATING_FOLLOW_UP_WORKING_DAYS}, status=status)


@require_GET
@desk_required(OFFICER_DESK)
def follow_ups(request):
    return _follow_ups(request)


@require_POST
@desk_required(OFFICER_DESK)
def answer(request, rating_id):
    rating = selectors.follow_up_of(request.user, rating_id)
    if rating is None:
        raise Http404(RATING_NOT_FOUND)
    form = AnswerForm(request.POST, auto_id=f"answer{rating.pk}_%s")
    if form.is_valid():
        try:
            services.rating_answer(rating=rating, actor=request.user, answer=form.cleaned_data["answer"])
        except ServiceError as refused:
            form.service_error(refused)
        else:
            messages.success(request, _("已反馈办件 %(number)s 的差评，反馈已发给评价人。") % {
                "number": rating.application.number})
            return redirect("rating-follow-ups")
    if form.error_status == 409:  # answered meanwhile (or never owed an answer): it is not on the list
        return _follow_ups(request, error=" ".join(form.non_field_errors()), status=409)
    rating.form = form
    return _follow_ups(request, returned=rating, status=form.error_status)


# --- in public ------------------------------------------------------------------------------------

@require_GET
def ratings_public(request):
    summary = selectors.rating_summary()
    return render(request, "licensing/ratings/public.html", {
        "summary": summary, "totals": selectors.rating_totals(summary) if summary else None,
        "levels": [(level, selectors.level_label(level)) for level in selectors.LEVELS]})
