"""The language switch (issue 15): Django's set_language, and the account's saved language beside it.

The form is in every page's header (templates/includes/language_switch.html): a select and a button, no
script. Django's view checks `next` (a path on this site, else the referring page, else home) and sets
the cookie; signed in, the choice is also kept on the account (portal.services_accounts), so that the
next sign-in, on any device, and the mails sent later are in it. No signal: the one view does both.

CSRF: checked for a signed-in user, whose account the switch changes; not for a visitor. A visitor's page
carries no CSRF token (base.html), so that the catalogue's pages stay the same for every visitor and are
kept whole in the shared cache (portal.httpcache.page_for_visitors); all a forged switch can do to a visitor
is change the language of their own pages, which the switch changes back.
"""
from django.middleware.csrf import CsrfViewMiddleware
from django.views import i18n as django_i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal import services_accounts as services
from portal.constants import Language
from portal.exceptions import ServiceError
from portal.middleware import bad_input
from portal.security import is_verified, needs_second_factor


@csrf_exempt  # for visitors only: a signed-in user's request is checked below
@never_cache
@require_POST
def set_language(request):
    """POST language (zh-hans | en) and next: back to `next` in that language. A language the portal
    does not offer is a 400 that changes nothing (Django's view would set any language it has files for)."""
    user = request.user
    if user.is_authenticated:
        refused = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    language = request.POST.get("language", "")
    if language not in Language.values:
        return bad_input(request, services.LANGUAGE_UNKNOWN)
    # Kept on the account once the sign-in is complete (a staff member still owing the second factor may
    # switch the code page's language, which is all the cookie does).
    if user.is_authenticated and (is_verified(user) or not needs_second_factor(user)):
        try:
            services.account_set_language(user=user, language=language, actor=user)
        except ServiceError as exc:
            return bad_input(request, exc.message, exc.status)
    return django_i18n.set_language(request)
