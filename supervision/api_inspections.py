"""The inspections API v1 (issue 10): the regulator's queue for its own system — the inspections
routed to its organisation, assigning inspectors, and recording what a check found.

What a regulator sees is the queue's (supervision.queue: the same rows, filters and overdue rule
as the desk page and its export); each write is one supervision.services call. Refusals answer in
the API's one shape (portal.api_errors): the list is 403 for anyone who works no queue, as the
inbox's is; an inspection of another organisation, or asked for by anyone but its regulators, is
404, the same as one that does not exist.
"""
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api_errors import RATE_LIMITED, ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import NotAllowed
from supervision import queue, services
from supervision.constants import InspectionStatus
from supervision.models import Inspection
from supervision.queue import MAX_DUE_WITHIN
from supervision.serializers_inspections import (
    InspectionAssignSerializer, InspectionResultInputSerializer, InspectionResultUploadSerializer,
    InspectionSerializer,
)

NOT_FOUND = _("核查不存在，或不是本部门监管的核查。")
REGULATORS_ONLY = _("核查队列只供行业主管部门的监管人员查看本部门的核查。")

FILTERS = [
    OpenApiParameter("item", OpenApiTypes.STR, OpenApiParameter.QUERY, description=_("事项编码，如 QZ-013")),
    OpenApiParameter("county", OpenApiTypes.STR, OpenApiParameter.QUERY,
                     description=_("县区：审批部门的机构代码，如 D03")),
    OpenApiParameter("status", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=InspectionStatus.values,
                     description=_("核查状态")),
    OpenApiParameter("inspector", OpenApiTypes.STR, OpenApiParameter.QUERY, description=_("核查人员的用户名")),
    OpenApiParameter("due_within", OpenApiTypes.INT, OpenApiParameter.QUERY,
                     description=format_lazy(_("未办结且在今后N天内（0至{max}）到期的"), max=MAX_DUE_WITHIN)),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                     description=_("true：只看逾期未核查的；false：只看未逾期的")),
]
ROLE = _("权限：该核查所属行业主管部门的监管人员；其他组织的核查一律 404。")


def presented(inspections):
    """What the API shows of each inspection, read in a fixed number of queries; `overdue` is the
    queue's own rule (supervision.queue.is_overdue_q) as of today in Qinzhou, as its filter reads it."""
    overdue = ExpressionWrapper(queue.is_overdue_q(timezone.localdate()), output_field=BooleanField())
    return (inspections.select_related("regulator", "revocation_request")
            .prefetch_related("results__files").annotate(overdue=overdue))


@extend_schema(tags=["inspections"])
@extend_schema_view(
    list=extend_schema(
        operation_id="inspections_list", summary=_("核查队列"), parameters=FILTERS,
        description=_("本部门（行业主管部门）的事后核查（告知承诺指引第七条：决定后2个月内），按核查期限排列，"
                      "与工作台页面的筛选相同；筛选值无效时 400，逐项说明。"
                      "权限：有所属部门的在岗监管人员；其他用户 403。"),
        responses={200: InspectionSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(
        operation_id="inspection_retrieve", summary=_("核查详情"),
        description=format_lazy("{}{}", _("一项核查及其历次结果、现场材料和撤销提请。"), ROLE),
        responses={200: InspectionSerializer, **error_responses(401, 404)}),
)
class InspectionViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = InspectionSerializer
    filter_backends = []  # the filters are the queue's (supervision.queue.queue_filter)
    queryset = Inspection.objects.none()  # replaced per user by get_queryset

    def get_queryset(self):
        return presented(queue.inspections_for(self.request.user))

    def get_object(self):
        inspection = queue.inspection_for(self.request.user, self.kwargs["pk"])
        if inspection is None:
            raise exceptions.NotFound(NOT_FOUND)
        return inspection

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def present(self, inspection, status_code=status.HTTP_200_OK):
        """The inspection as it is now (re-read, so a write's effects show)."""
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def list(self, request):
        if queue.queue_organisation_id(request.user) is None:
            raise NotAllowed(REGULATORS_ONLY)
        params = request.query_params
        inspections = queue.queue_filter(self.get_queryset(), **{name: params.get(name) for name in queue.FILTERS})
        page = self.paginate_queryset(inspections)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self.present(self.get_object())

    @extend_schema(
        operation_id="inspection_assign", summary=pgettext_lazy("supervision", "指派核查人员"),
        request=InspectionAssignSerializer,
        description=format_lazy("{}{}", _("指派本部门在岗的监管人员（按用户名，至少2名：现场核查由两名以上执法人员"
                                          "进行）。再次指派以新名单为准；已办结的核查 409。"), ROLE),
        responses={200: InspectionSerializer, **error_responses(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="assign", url_name="assign")
    def assign(self, request, pk=None):
        inspection = self.get_object()
        names = self.validated(InspectionAssignSerializer)["inspectors"]
        with transaction.atomic():
            inspectors = queue.inspectors_by_username(request.user, names)
            services.inspection_assign(inspection=inspection, inspectors=inspectors, actor=request.user)
        return self.present(inspection)

    @extend_schema(
        operation_id="inspection_record_result", summary=pgettext_lazy("supervision", "记录核查结果"),
        request={"application/json": InspectionResultInputSerializer,
                 "multipart/form-data": InspectionResultUploadSerializer},
        description=format_lazy("{}{}", _("记录一次核查（或整改期满后的复查）的结果，出具核查记录（复查记录）："
                                          "conforms 符合，核查办结；rectify 责令限期整改，按工作日计算整改期限并出具"
                                          "责令限期整改通知书，期满后复查；fails 承诺不实（或整改期满仍不符合、拒绝核查），"
                                          "向审批部门提请撤销许可。现场照片和材料用 multipart/form-data 上传（files 可重复）。"
                                          "须先指派2名以上核查人员；状态不允许（已办结、整改期限未满）时 409；"
                                          "带文件的提交与上传材料一样限次（429）。"), ROLE),
        responses={201: InspectionSerializer,
                   **error_responses(400, 401, 403, 404, 409, 429, **{"429": RATE_LIMITED})})
    @action(detail=True, methods=["post"], url_path="result", url_name="result",
            parser_classes=[SafeJSONParser, MultiPartParser])
    def result(self, request, pk=None):
        inspection = self.get_object()
        data = self.validated(InspectionResultUploadSerializer)
        with transaction.atomic():
            services.inspection_record_result(inspection=inspection, actor=request.user, **data)
        return self.present(inspection, status.HTTP_201_CREATED)
