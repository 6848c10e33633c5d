"""GET /api/v1/calendar/add-working-days/: the working-day calendar over HTTP.

Public (the progress page and partner systems compute deadlines with it), read-only, and
strict about its input: anything it cannot read is a 400 with a Chinese ``detail``.
"""

import datetime as dt
import re

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import calendar

# ASCII only: Python's int() and \d would also accept full-width and other Unicode digits.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


class CalendarInputError(ValueError):
    """A query parameter the endpoint cannot use; its message is shown to the caller."""


class AddWorkingDaysResultSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=gettext_lazy("第 days 个工作日（起算日不计入）"))
    provisional = serializers.BooleanField(
        help_text=gettext_lazy("为 true 时，计算涉及节假日安排尚未确认的年份，结果为暂定，可能随国务院通知录入而变化")
    )


ErrorSerializer = inline_serializer(
    name="CalendarError", fields={"detail": serializers.CharField(
        help_text=gettext_lazy("错误说明（按 Accept-Language：中文或英文）"))}
)


def parse_start(raw):
    if raw is None or not raw.strip():
        raise CalendarInputError(_("缺少参数 start：请提供起算日期，格式为 YYYY-MM-DD，如 2019-09-30。"))
    raw = raw.strip()
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError
        start = dt.date.fromisoformat(raw)
    except ValueError:
        raise CalendarInputError(
            _("参数 start 不是有效日期：“%(raw)s”。请使用 YYYY-MM-DD 格式，如 2019-09-30。") % {"raw": raw[:40]}
        ) from None
    if not calendar.MIN_DATE <= start <= calendar.MAX_DATE:
        raise CalendarInputError(_("参数 start 超出可计算范围：%(range)s。") % {"range": calendar.DATE_RANGE_MESSAGE})
    return start


def parse_days(raw):
    limit = calendar.MAX_WORKING_DAYS
    if raw is None or not raw.strip():
        raise CalendarInputError(_("缺少参数 days：请提供工作日天数，0 至 %(limit)s 之间的整数。") % {"limit": limit})
    raw = raw.strip()
    if not _INTEGER.fullmatch(raw):
        raise CalendarInputError(_("参数 days 必须是整数：“%(raw)s”不是整数。") % {"raw": raw[:40]})
    days = int(raw)
    if days < 0:
        raise CalendarInputError(_("参数 days 不能为负数（收到 %(days)s），应为 0 至 %(limit)s 之间的整数。") % {
            "days": days, "limit": limit})
    if days > limit:
        raise CalendarInputError(_("参数 days 不能大于 %(limit)s（收到 %(raw)s）。") % {"limit": limit, "raw": raw[:40]})
    return days


class AddWorkingDaysView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public and read-only: no session, so no CSRF either

    @extend_schema(
        operation_id="calendar_add_working_days",
        summary=gettext_lazy("计算 N 个工作日后的日期"),
        description=gettext_lazy(
            "按中国大陆法定工作日（周末休息、调休上班日上班、法定节假日休息）计算："
            "起算日不计入，第 1 个工作日为 start 之后的第一个工作日；days=0 时，"
            "start 为工作日则返回 start，否则返回其后第一个工作日。"
            "节假日安排尚未确认的年份按暂定规则计算（周末及 1月1日、5月1日至2日、"
            "10月1日至3日休息，管理员已录入的日期优先），并返回 provisional=true。"
        ),
        tags=["calendar"],
        auth=[],
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True,
                description=gettext_lazy("起算日期（不计入），YYYY-MM-DD，1900-01-01 至 2200-12-31"),
            ),
            OpenApiParameter(
                "days", {"type": "integer", "minimum": 0, "maximum": calendar.MAX_WORKING_DAYS},
                OpenApiParameter.QUERY, required=True,
                description=format_lazy(gettext_lazy("工作日天数，0 至 {limit} 的整数"), limit=calendar.MAX_WORKING_DAYS),
            ),
        ],
        responses={
            200: OpenApiResponse(AddWorkingDaysResultSerializer, description=gettext_lazy("计算结果")),
            400: OpenApiResponse(ErrorSerializer, description=gettext_lazy("参数缺失、格式错误或超出范围")),
        },
        examples=[
            OpenApiExample(
                gettext_lazy("国庆节前起算"), value={"date": "2019-10-10", "provisional": False},
                response_only=True, status_codes=["200"],
            ),
            OpenApiExample(
                gettext_lazy("参数错误"), value={"detail": gettext_lazy("参数 days 必须是整数：“abc”不是整数。")},
                response_only=True, status_codes=["400"],
            ),
        ],
    )
    def get(self, request):
        try:
            start = parse_start(request.query_params.get("start"))
            days = parse_days(request.query_params.get("days"))
            result = calendar.add_working_days(start, days)
        except ValueError as exc:  # our input errors, and a result beyond 2200-12-31
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = {"date": result.date.isoformat(), "provisional": result.provisional}
        return Response(body)


urlpatterns = [
    path("calendar/add-working-days/", AddWorkingDaysView.as_view(), name="calendar-add-working-days"),
]
