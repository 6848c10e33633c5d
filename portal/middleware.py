"""Small response fixes that apply to every page: bad input refused early, personal answers not
cached, and a Chinese page for the wrong method."""
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"
NUL_IN_ADDRESS = "请求的地址或查询参数中含有空字符（NUL，\\x00），无法处理。请检查输入后重试。"
NOT_UTF8_IN_ADDRESS = "请求的查询参数不是有效的 UTF-8 编码，无法处理。请检查输入后重试。"
NUL_IN_FORM = "提交的内容中含有空字符（NUL，\\x00），无法处理。请删除后重新提交。"
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
