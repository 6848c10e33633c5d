"""The interface's language (issue 15): 简体中文 by default, English as the second language.

Which language a request is answered in:
- pages: the language cookie the switch sets (templates/includes/language_switch.html, portal.views_i18n),
  else the browser's Accept-Language, else 简体中文 (settings.LANGUAGE_CODE);
- the API (/api/): Accept-Language alone. A client's documented contract is the header: a token client
  that also carries the portal's cookie (a browser session, a shared cookie jar) must not get another
  language than the one it asked for, so the cookie is not read there, for anyone;
- at sign-in, the language the account saved with the switch (User.language) is applied and the cookie
  set to it, so the person finds their language on any device;
- mails and jobs, which have no request: the recipient's saved language (`for_user`).

LocaleMiddleware runs right after SecurityMiddleware, before the middleware that may answer on their
own (bad input, the size limit, a canceled statement): their answers are in the request's language too,
never in whatever language the thread served last.
"""
import re
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.middleware import locale
from django.utils import translation
from django.utils.html import format_html

from portal.constants import Language

API_PREFIX = "/api/"
SIGN_IN_LANGUAGE = "_portal_sign_in_language"  # on the request: the saved language to put in the cookie


def supported(code) -> str | None:
    """`code` as one of the interface's languages ("en", "zh-hans"), or None."""
    return code if code in Language.values else None


def user_language(user, default: str | None = None) -> str:
    """The language to write to `user` in: the one they chose with the switch, else `default`, else the
    portal's own (简体中文)."""
    return supported(getattr(user, "language", "")) or supported(default) or settings.LANGUAGE_CODE


def for_user(user, default: str | None = None):
    """`with for_user(user):` renders a mail (or any text) in the user's language."""
    return translation.override(user_language(user, default))


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag of a language code for `<html lang>`: zh-hans -> zh-Hans, en -> en."""
    return translation.to_locale(code or translation.get_language() or settings.LANGUAGE_CODE).replace("_", "-")


def header_language(request) -> str:
    """The language of a request by its Accept-Language header alone (no cookie, no path)."""
    headers_only = SimpleNamespace(COOKIES={}, META=request.META, path_info=request.path_info)
    return translation.get_language_from_request(headers_only)


def set_cookie(response, language: str) -> None:
    """The language cookie, with the same settings Django's set_language view uses."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE)


@receiver(user_logged_in, dispatch_uid="i18n_sign_in_language")
def apply_at_sign_in(sender, request, user, **kwargs) -> None:
    """Whoever signs in (the sign-in page, the admin's, a new account) gets the language their account
    saved: the answer sets the cookie to it (LocaleMiddleware below), so the next page is in it. The
    answer itself is a redirect; nothing else changes language in the middle of a request."""
    language = supported(getattr(user, "language", ""))
    if language is not None and request is not None:
        setattr(request, SIGN_IN_LANGUAGE, language)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, with the API answering by Accept-Language alone and the sign-in's language kept in the
    cookie (the module docstring says why). The language is let go when the answer is done, so that
    nothing run later on this thread (a job, the next test) inherits the last request's language."""

    async_capable = False  # the portal runs under WSGI; the `finally` below is for a synchronous call

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            translation.deactivate()

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            translation.activate(header_language(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        language = getattr(request, SIGN_IN_LANGUAGE, None)
        if language:
            set_cookie(response, language)
        return response


# --- Chinese texts on English pages ------------------------------------------------------------------
# The gazette's own texts and the data kept in Chinese (names, organisations, what people wrote) are never
# translated; on an English page each is marked lang="zh-Hans" (WCAG 3.1.2, language of parts), so that a
# screen reader reads it in Chinese. On a Chinese page nothing is added. The apps' own i18n modules build on
# these two (licensing, notices and supervision may all import portal; none may import another's).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def in_chinese() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")


def zh(text):
    """A Chinese text inside the page, marked as Chinese on an English page (a text without Chinese
    characters, such as a code or a Latin username, is left as it is)."""
    if text in (None, "") or in_chinese() or not CJK.search(str(text)):
        return text
    return format_html('<span lang="zh-Hans">{}</span>', text)


def item_name(name, gloss=""):
    """An item's name as the gazette prints it, followed on an English page by its English gloss
    (Item.name_en) where it has one."""
    if in_chinese() or not gloss:
        return zh(name)
    return format_html('<span lang="zh-Hans">{}</span> <span class="gloss">({})</span>', name, gloss)


def item_title(name, gloss="") -> str:
    """An item as a page's <title> names it: its gloss on an English page where it has one (a title cannot
    mark a part of itself as Chinese)."""
    return name if in_chinese() else (gloss or name)
