"""What the pages of every user share: who may open them, finding an application, going back."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.http import url_has_allowed_host_and_scheme

from licensing import selectors
from licensing.models import Application
from portal.paging import page_of

NOT_FOUND = _("没有这个办件")


def desk_required(perm: str):
    """Anonymous users go to the sign-in page; signed-in users without `perm` get 403 (licensing/rules.py)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


def application_or_404(request, number: str, perm: str | None = None) -> Application:
    """The application if the user may see it, else 404, so its existence is not revealed.

    With `perm`, a user who may see it but not take this step gets 403.
    """
    application = selectors.application_for(request.user, number)
    if application is None:
        raise Http404(NOT_FOUND)
    if perm and not request.user.has_perm(perm, application):
        raise PermissionDenied
    return application


def redirect_target(request, fallback: str) -> str:
    """Back to where the button was (the desk), but only to this site."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


APPLICANT_DESK = "licensing.use_applicant_desk"  # 我的办件 and every page of an applicant's account

LIST_PAGE = 20  # rows of a list page (我的办件, the window's applicant): issue 13, never every row


def listing_page(request, applications) -> dict:
    """The page of `applications` the query asks for (?page=), each shown row with its next deadline, and
    the other query parameters for the pager's links (templates/includes/pager.html)."""
    page = page_of(applications, request.GET.get("page"), LIST_PAGE)
    page.object_list = selectors.with_next_deadline(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "applications": page.object_list, "query": query.urlencode()}
