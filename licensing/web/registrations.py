"""登记告知 in the enterprise's account (双告知, issue 16).

- /my/registrations/ (applicant accounts): the registrations of every enterprise the account acts for, newest
  first, a page at a time (its list region alone when htmx pages it, portal/lists.py).
- /my/registrations/<pk>/: one registration: what the registry sent, and each item it needs with its reform mode,
  what that means, the words of the scope that matched, and links to the item's guide and to start it. A verified
  account's opening marks it seen (licensing.services.registration_notify.registration_mark_seen).

Who sees what is licensing.selectors.registrations_account. Like 我的办件: anonymous users sign in first, staff
get 403 (their desks are elsewhere), a registration the account may not see is 404, the same as one that does
not exist.
"""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from licensing.selectors.registrations_account import needed_items, registration_for, registrations_of_user
from licensing.services.registration_notify import registration_mark_seen
from licensing.web.common import APPLICANT_DESK, LIST_PAGE, desk_required
from portal import lists
from portal.paging import page_of

NOT_FOUND = _("没有这条登记告知")
REGION = "registrations-list"


@require_GET
@desk_required(APPLICANT_DESK)
def my_registrations(request):
    """登记告知: every registration of the enterprises the account acts for, newest first."""
    page = page_of(registrations_of_user(request.user), request.GET.get("page"), LIST_PAGE)
    return lists.render_list(request, "licensing/my_registrations.html", "licensing/includes/my_registrations_list.html",
                             REGION, {"page": page, "registrations": page.object_list, "query": ""})


@require_GET
@desk_required(APPLICANT_DESK)
def my_registration(request, pk):
    """One registration and the items it needs; opening it marks it seen for the enterprise (once)."""
    registration = registration_for(request.user, pk)
    if registration is None:
        raise Http404(NOT_FOUND)
    registration_mark_seen(registration=registration, actor=request.user)
    return render(request, "licensing/my_registration.html", {
        "registration": registration, "items": needed_items(registration)})
