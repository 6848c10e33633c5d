"""One shape for every refusal of every API view: {"detail": "<中文说明>", "field": …, "errors": …}.

In the language the client asks for with Accept-Language (issue 15: 简体中文 by default, or English;
portal/i18n.py): DRF's own messages and the services' come translated, and so do these.

A ServiceError answers with its own status (bad input 400, not allowed 403, wrong state 409);
DRF's own errors (validation, authentication, 404) are flattened to the same shape. `field`
names the first field at fault; `errors` lists every field's messages when there are several,
so a client can show them all at once, as the pages do.
"""
import re

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.exceptions import ServiceError

# DRF's own Chinese for these says something else ("不允许是用空字符串" for a NUL character).
_CLEARER = {"null_characters_not_allowed": gettext_lazy("不能包含空字符（NUL，\\x00）。")}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
CSRF_MISSING = gettext_lazy("请求缺少有效的CSRF令牌：以网页登录状态调用接口须附带 X-CSRFToken 请求头，或改用令牌认证。")


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API: 400 bad input, 401/403 not allowed, 404 not found, 409 wrong state."""

    detail = serializers.CharField(help_text=gettext_lazy("错误说明（按 Accept-Language：中文或英文）"))
    field = serializers.CharField(required=False, help_text=gettext_lazy(
        "出错的字段（已知时），如 confirmations、applicant.identifier"))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text=gettext_lazy("多个字段有误时，逐个字段列出全部说明（字段为空串表示整体）"))


def _flatten(data, prefix="") -> list[tuple[str, str]]:
    """(field path, message) of every message in a DRF ValidationError's nested detail, in order."""
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            found += _flatten(value, name)
        return found
    if isinstance(data, list):
        return [pair for value in data for pair in _flatten(value, prefix)]
    return [(prefix, str(_CLEARER.get(getattr(data, "code", None), data)))]


def _body(pairs: list[tuple[str | None, str]]) -> dict:
    field, message = pairs[0]
    body = {"detail": message, **({"field": field} if field else {})}
    if len(pairs) > 1:
        errors = {}
        for name, text in pairs:
            errors.setdefault(name or "", []).append(text)
        body["errors"] = errors
    return body


def api_exception_handler(exc, context):
    """ServiceError → its status; DRF's errors → the same shape."""
    if isinstance(exc, ServiceError):
        names = getattr(context.get("view"), "service_field_names", {})
        exc = exc.renamed(names) if names else exc
        pairs = [(field, message) for field, messages in exc.errors.items() for message in messages]
        return Response(_body(pairs), status=exc.status)
    if isinstance(exc, Http404) and not _CHINESE.search(str(exc)):
        # "No Item matches the given query." from get_object_or_404 (Django's own text, never translated):
        # DRF's 未找到。 / Not found.
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = exceptions.PermissionDenied(CSRF_MISSING)  # DRF words this in English whatever the language
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        pairs = _flatten(response.data) or [("", _("输入有误。"))]
        response.data = _body(pairs)
    return response


class ApiErrorsMixin:
    """For views that set their own handler chain: answer refusals in the one shape."""

    # The services name the browser form's fields; where the API's differ, its own name is given.
    service_field_names: dict = {}

    def get_exception_handler(self):
        return api_exception_handler


_DESCRIPTIONS = {400: gettext_lazy("输入有误（detail 说明原因，field 指出字段，errors 列出全部）"),
                 401: gettext_lazy("未登录或令牌无效"), 403: gettext_lazy("无权进行此操作"),
                 404: gettext_lazy("不存在或无权查看"), 409: gettext_lazy("当前状态不允许此操作（或已被他人处理）"),
                 429: gettext_lazy("失败次数过多，已被暂时锁定")}


# For the endpoints under a rate limit (portal/ratelimit.py): error_responses(…, 429, **{"429": RATE_LIMITED}).
RATE_LIMITED = gettext_lazy("操作过于频繁（按账号或来源地址限次），请在 Retry-After 响应头所示的秒数后再试")


def error_responses(*codes, **descriptions) -> dict:
    """OpenAPI responses for refusals, e.g. error_responses(400, 404, **{"404": "办件不存在"})."""
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions.get(str(code), _DESCRIPTIONS[code]))
            for code in codes}
