"""The API's JSON parser: DRF's, refusing in Chinese what the database or Python cannot take.

A body nested thousands of levels deep made Python's JSON decoder raise RecursionError, a 500
(issue 8); a NUL character inside any string (a key, a list item, a field no serializer checks)
is refused by PostgreSQL. Both are a 400 here, before any view reads the data; so are bodies
that are not JSON at all or not UTF-8, with a message a person can read.
"""
import math

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32  # no request of the API nests more than three levels
NOT_JSON = _("请求体不是有效的 JSON（须为 UTF-8 编码）。")
TOO_DEEP = format_lazy(_("请求体的 JSON 嵌套层次过深（最多{depth}层）。"), depth=MAX_DEPTH)
NUL = _("不能包含空字符（NUL，\\x00）。")
NUL_IN_NAME = _("字段名不能包含空字符（NUL，\\x00）。")
NOT_FINITE = _("数值超出范围。")


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        except ParseError:
            raise ParseError(NOT_JSON) from None
        check(data)
        return data


def check(data) -> None:
    """Walks the parsed body without recursion: its depth, NUL characters and infinite numbers.
    A bad value is reported under its field ("signatory", "applicant.name"), as a serializer would."""
    stack = [(data, 1, "")]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({field: [NUL]})
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError({field: [NOT_FINITE]})
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise ValidationError({field: [NUL_IN_NAME]})
                stack.append((item, depth + 1, f"{field}.{key}" if field else key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
