"""What the pages of every user share: who may open them, finding an application, going back."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from licensing import selectors
from licensing.models import Application

NOT_FOUND = "没有这个办件"


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
