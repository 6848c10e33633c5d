"""Rate limits (issue 8): how often one account and one address may file applications, upload
files and ask the public lookups, counted in Django's shared cache.

What is limited is listed here by URL name (RULES), so pages and the API of one action share
one count; how much is a setting (RATE_LIMITS, from the environment, e.g. "30/h"):
- applications (the online apply page, the window's accept, POST /api/v1/applications/):
  per account and per address;
- uploads (material uploads, page and API; an application or a commitment that carries files):
  per account and per address;
- the public progress lookup (page and API share one count) and document verification: per address.

Counting: a fixed window per limit (an hour from the full hour, a minute from the full minute),
one counter per account or address per window, raised with cache.incr. In production and CI the
cache is Redis (CACHE_URL), so every worker and every process sees the same count; the embedded
default is per process. A request over any of its limits is answered 429 with Retry-After (the
seconds until its window ends) and a Chinese message, and never reaches the view, so it changes
nothing. The address is portal.security.client_ip (behind the proxy, the client's own).
"""
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from rest_framework import exceptions

from portal.security import client_ip

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PERIOD_NAMES = {1: gettext_lazy("每秒"), 60: gettext_lazy("每分钟"), 3600: gettext_lazy("每小时"),
                86400: gettext_lazy("每天")}
RATE = re.compile(r"(?P<count>\d+)/(?P<multiple>\d*)(?P<unit>[smhd])")
WHAT = {"applications": gettext_lazy("提交申请"), "uploads": gettext_lazy("上传材料"),
        "progress": gettext_lazy("查询办理进度"), "verify": gettext_lazy("验证文书")}


@dataclass(frozen=True)
class Rule:
    url_name: str
    method: str
    scope: str              # a key of settings.RATE_LIMITS
    when: object = None     # a further condition on the request, or None


def _with_files(request) -> bool:
    return bool(request.FILES)  # already parsed by the CSRF check on these pages


def _with_code(request) -> bool:
    return bool(request.GET.get("code", "").strip())


RULES = (
    Rule("apply", "POST", "applications"),
    Rule("apply", "POST", "uploads", _with_files),
    Rule("window-applicant", "POST", "applications"),
    Rule("application-list", "POST", "applications"),
    Rule("web-application-material-upload", "POST", "uploads"),
    Rule("application-material-upload", "POST", "uploads"),
    Rule("web-application-commit", "POST", "uploads", _with_files),
    # issue 10: the regulator's on-site photos and files, by page and by API
    Rule("regulator-inspection-result", "POST", "uploads", _with_files),
    Rule("inspection-result", "POST", "uploads", _with_files),
    # issue 14: the evidence of a repair request (信用修复), by page and by API
    Rule("my-credit-repair", "POST", "uploads", _with_files),
    Rule("credit-record-repair-requests", "POST", "uploads", _with_files),
    Rule("progress", "POST", "progress"),
    Rule("application-progress", "GET", "progress"),
    Rule("verify", "GET", "verify", _with_code),
    Rule("verify-pdf", "POST", "verify"),  # issue 12: checking an uploaded PDF's seal
)


def parse_rate(rate) -> tuple[int, int] | None:
    """"30/h" -> (30, 3600); "5/10m" -> (5, 600); "off" or "" -> None (no limit)."""
    match = RATE.fullmatch(str(rate or "").strip())
    if match is None:
        return None
    return int(match["count"]), int(match["multiple"] or 1) * PERIODS[match["unit"]]


@dataclass(frozen=True)
class Refusal:
    scope: str
    limit: int
    period: int
    retry_after: int

    @property
    def message(self) -> str:
        return _("%(what)s过于频繁（%(period)s最多%(limit)s次），请在%(wait)s后再试。") % {
            "what": WHAT.get(self.scope) or pgettext("rate limit", "操作"), "period": _period(self.period),
            "limit": self.limit, "wait": _wait(self.retry_after)}


def _period(seconds: int) -> str:
    """每小时; 每10分钟 (a window the settings gave in another multiple)."""
    if seconds in PERIOD_NAMES:
        return str(PERIOD_NAMES[seconds])
    if seconds % 60 == 0:
        return ngettext("每%(n)d分钟", "每%(n)d分钟", seconds // 60) % {"n": seconds // 60}
    return ngettext("每%(n)d秒", "每%(n)d秒", seconds) % {"n": seconds}


def _wait(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(n)d秒", "%(n)d秒", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}


def hit(scope: str, who: str, rate) -> Refusal | None:
    """Counts one request of `who` (an "account:…" or "ip:…" key) against a limit; a Refusal once
    the count passes it, for the rest of the window."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    limit, period = parsed
    now = time.time()
    start = int(now // period) * period
    key = f"ratelimit:{scope}:{who}:{period}:{start}"
    ends_in = start + period - now
    try:
        count = _incr(key, timeout=math.ceil(ends_in) + 60)
    except Exception:  # noqa: BLE001 - an unreachable cache must not stop people from filing
        logger.exception("rate limit %s not counted: the cache is unreachable", scope)
        return None
    if count > limit:
        return Refusal(scope, limit, period, max(1, math.ceil(ends_in)))
    return None


def _incr(key, *, timeout) -> int:
    """The window's count after this request. The key outlives its window a little (timeout), so
    that it never expires between add and incr; Redis's INCR is atomic across workers."""
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


class RateLimitMiddleware:
    """Applies RULES before the view runs (after the CSRF check and the second factor)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        method = "GET" if request.method == "HEAD" else request.method  # a HEAD runs the GET view too
        rules = [rule for rule in RULES if rule.url_name == match.view_name and rule.method == method]
        refusals = []
        for rule in rules:
            if rule.when is None or rule.when(request):
                refusals += count(request, rule.scope)
        if refusals:
            return too_many(request, max(refusals, key=lambda refusal: refusal.retry_after))
        return None


def count(request, scope) -> list[Refusal]:
    """Counts the request for its account (if any) and its address; the limits it passed."""
    limits = settings.RATE_LIMITS.get(scope, {})
    found = []
    account = _account(request)
    if account is not None and limits.get("account"):
        found.append(hit(scope, f"account:{account}", limits["account"]))
    if limits.get("ip"):
        found.append(hit(scope, f"ip:{client_ip(request) or 'unknown'}", limits["ip"]))
    return [refusal for refusal in found if refusal is not None]


def _account(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    if request.path.startswith(API_PREFIX) and request.META.get("HTTP_AUTHORIZATION"):
        # The API's token is read by DRF inside the view; a limit per account must see it here.
        from portal.api_tokens import ExpiringTokenAuthentication
        try:
            found = ExpiringTokenAuthentication().authenticate(request)
        except exceptions.APIException:
            return None  # DRF answers 401 for it
        return found[0].pk if found else None
    return None


def too_many(request, refusal: Refusal):
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": refusal.message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "portal/rate_limited.html", {"message": refusal.message}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response
