"""Small response fixes that apply to every page: bad input refused early, personal answers not
cached, a Chinese page for the wrong method, and a 503 for a statement the database canceled."""
import logging
import sys
from urllib.parse import unquote_to_bytes

from django.core.signals import got_request_exception
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from portal.i18n import html_lang

API_PREFIX = "/api/"
NUL_IN_ADDRESS = _("请求的地址或查询参数中含有空字符（NUL，\\x00），无法处理。请检查输入后重试。")
NOT_UTF8_IN_ADDRESS = _("请求的查询参数不是有效的 UTF-8 编码，无法处理。请检查输入后重试。")
NUL_IN_FORM = _("提交的内容中含有空字符（NUL，\\x00），无法处理。请删除后重新提交。")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadInputMiddleware:
    """Refuses, before anything reads them, input no page can use: a NUL byte in the path or the
    query string, a query string that is not UTF-8, and a NUL in a submitted form's fields (400,
    in Chinese, nothing changed; Django's upload parser already drops it from file names).

    Why here, once: PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so
    such a value reaching any lookup, audit row or event was a 500 on every page that passed it
    on. The API's JSON bodies are checked by its parser (portal/api_parsers.py); its form fields
    by DRF's CharField, which refuses NUL by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _address_problem(request) or _form_problem(request)
        if problem:
            return bad_input(request, problem)
        return self.get_response(request)


def _address_problem(request) -> str | None:
    """The path Django has decoded already (bytes that are not UTF-8 come back %-escaped, which
    is harmless); the query string as the client sent it."""
    if "\x00" in request.path_info:
        return NUL_IN_ADDRESS
    query = request.META.get("QUERY_STRING", "")
    try:
        raw = query.encode("iso-8859-1")  # WSGI hands over the bytes as latin-1 text
    except UnicodeEncodeError:
        raw = query.encode("utf-8")
    raw = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in raw:
        return NUL_IN_ADDRESS
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_UTF8_IN_ADDRESS
    return None


def _form_problem(request) -> str | None:
    if request.method != "POST" or request.path.startswith(API_PREFIX) or request.content_type not in FORM_TYPES:
        return None
    for name, values in request.POST.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return NUL_IN_FORM
    return None


def bad_input(request, message: str, status: int = 400):
    """A refusal of bad input in Chinese: {"detail": …} for the API, a page for people."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "portal/bad_input.html", {"message": message}, status=status)


class PrivateNoStoreMiddleware:
    """Nothing personal is kept by a browser, a shared computer's cache or a proxy (issue 8).

    Every answer to a signed-in user (a session, or a token for the API) and every answer of the
    lookups by a secret code (public progress, page and API; document verification) says
    `Cache-Control: no-store, private`, unless the view already said no-store itself (never_cache
    says more). Public catalogue pages stay cacheable.
    """

    SECRET_LOOKUPS = {"progress", "application-progress", "verify"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _personal(request):
            _no_store(response)
        return response


def _personal(request) -> bool:
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    user = getattr(request, "user", None)  # set by the API's token authentication too
    if user is not None and user.is_authenticated:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in PrivateNoStoreMiddleware.SECRET_LOOKUPS


def _no_store(response):
    directives = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
    if "no-store" in directives:
        patch_cache_control(response, private=True)  # keeps the view's stricter words, drops "public"
    else:
        response["Cache-Control"] = "no-store, private"


class NotAllowedPageMiddleware:
    """A page opened with the wrong method (a step's address typed or bookmarked) explains itself.

    Django's require_POST answers 405 with an empty body; people get a Chinese page instead.
    The API keeps its JSON answers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            response.content = render_to_string("405.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


# --- Issue 13: a statement the database canceled is a 503, never a 500 ---------------------------

QUERY_CANCELED = "57014"  # PostgreSQL's query_canceled: statement_timeout, or pg_cancel_backend by an admin
BUSY_RETRY_AFTER_SECONDS = 30
BUSY_MESSAGE = _("服务器繁忙，本次请求处理时间过长，已被中止。请约 30 秒后再试；"
                  "如果刚刚提交了表单，请先刷新页面，确认是否已经保存，再决定是否重新提交。")
BUSY_API_MESSAGE = _("服务器繁忙，本次请求处理时间过长，已被中止。请在 Retry-After 响应头所示的秒数后重试；"
                      "提交类操作请先查询结果，再决定是否重试。")
BUSY_TITLE = _("系统繁忙")
HOME_LINK = _("返回首页")
# Self-contained, like 500.html: base.html queries the database (the signed-in user, the inbox count),
# and the database is what just failed us.
BUSY_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="{css}"></head>
<body><main class="wrap"><h1>{title}</h1><p class="error" role="alert">{message}</p>
<p><a href="/">{home}</a></p></main></body></html>"""
busy_logger = logging.getLogger("portal.slow_requests")


def is_query_canceled(exc: BaseException | None) -> bool:
    """Django's OperationalError wraps psycopg2's QueryCanceled (its __cause__) and keeps no pgcode."""
    while exc is not None:
        if getattr(exc, "pgcode", None) == QUERY_CANCELED:
            return True
        exc = exc.__cause__
    return False


class QueryCanceledMiddleware:
    """A request whose statement ran past DB_STATEMENT_TIMEOUT_MS (settings/base.py) is answered 503
    with Retry-After, in Chinese (JSON for the API), and logged as one line, not as a 500 traceback.

    The statement timeout is the first link of the timeout chain (portal/gunicorn_conf.py): it ends a
    slow request cleanly, its transaction rolled back, before gunicorn or the proxy would cut it off.
    Views raise it to process_exception. A statement canceled inside another middleware (the session
    or the user, looked up while the database is overloaded) has already become Django's 500 by the
    time it gets here: the got_request_exception receiver below marks the request, and the 500 is
    turned into the same 503 (and QueryCanceledLogFilter turns Django's error log of it into a warning).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_portal_query_canceled", False):
            return _instead_of(response, busy_response(request))
        return response

    def process_exception(self, request, exception):
        if not is_query_canceled(exception):
            return None
        match = getattr(request, "resolver_match", None)
        busy_logger.warning("statement canceled (timeout): %s %s [%s] answered 503: %s", request.method,
                            request.path[:300], getattr(match, "view_name", "") or "-", str(exception).strip()[:200])
        return busy_response(request)


def busy_response(request):
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": BUSY_API_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        page = BUSY_PAGE.format(lang=html_lang(), title=escape(BUSY_TITLE), css=escape(static("css/portal.css")),
                                message=escape(BUSY_MESSAGE), home=escape(HOME_LINK))
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"  # a proxy must not keep "busy" for a page that works again
    # Logged once, as the warning above; Django would add an ERROR line for any 5xx otherwise
    # (django.utils.log.log_response honours this flag).
    response._has_been_logged = True
    return response


def _instead_of(error, busy):
    """`busy`, with the headers the middleware inside gave the 500 (CSP, Vary, cookies) but not its body's."""
    for header, value in error.items():
        if header.lower() not in ("content-type", "content-length"):
            busy.setdefault(header, value)
    busy.cookies = error.cookies
    return busy


class QueryCanceledLogFilter(logging.Filter):
    """Django logs the 500 it made of a statement canceled in a middleware as an error with its
    traceback, before QueryCanceledMiddleware turns it into a 503: this makes it the same one-line
    warning a view's canceled statement gets (settings/base.py, LOGGING)."""

    def filter(self, record):
        if record.name == "django.request" and record.exc_info and is_query_canceled(record.exc_info[1]):
            request = getattr(record, "request", None)
            record.msg = "statement canceled (timeout): %s %s [middleware] answered 503: %s"
            record.args = (getattr(request, "method", "-"), getattr(request, "path", "-")[:300],
                           str(record.exc_info[1]).strip()[:200])
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def _mark_query_canceled(sender, request=None, **kwargs):
    if request is not None and is_query_canceled(sys.exc_info()[1]):
        request._portal_query_canceled = True


got_request_exception.connect(_mark_query_canceled, dispatch_uid="portal.middleware.query_canceled")
