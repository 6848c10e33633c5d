"""The regulator's inbox API v1 (issue 9): the approval records pushed to the regulator's own
organisation, with their full commitment, and 签收 (acknowledgement).

Who reads which inbox is one selector (supervision.selectors.inbox_for), the same the pages use.
Refusals answer in the API's one shape (portal.api_errors): a record of another organisation, or
asked for by anyone but a regulator, is 404, the same as one that does not exist; the list is
403 for anyone who reads no inbox, as the staff desks of the pages answer (desk_required).
"""
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api_errors import ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import NotAllowed
from supervision import selectors, services
from supervision.constants import InboxKind
from supervision.models import InboxRecord
from supervision.serializers import InboxRecordSerializer

NOT_FOUND = _("记录不存在，或不是推送给本部门的记录。")
REGULATORS_ONLY = _("收件箱只供有所属部门的监管人员和审批人员查看本部门收到的记录。")

FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=InboxKind.values,
                     description=_("记录类型")),
    OpenApiParameter("acknowledged", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                     description=_("true：只看已签收的；false：只看未签收的")),
    OpenApiParameter("item", OpenApiTypes.STR, OpenApiParameter.QUERY, description=_("事项编码，如 QZ-013")),
    OpenApiParameter("since", OpenApiTypes.STR, OpenApiParameter.QUERY,
                     description=_("只看此时及以后送达的记录：ISO 8601 日期（当天零时起，北京时间）或日期时间，"
                                   "如 2024-10-14 或 2024-10-14T09:00:00+08:00")),
]


@extend_schema(tags=["inbox"])
@extend_schema_view(
    list=extend_schema(
        operation_id="inbox_list", summary=_("监管收件箱"), parameters=FILTERS,
        description=_("推送给本部门（行业主管部门）的审批记录：许可决定（含承诺内容）、备案、经营信息登记、撤销许可。"
                      "未签收的在前，其余按送达时间从新到旧。权限：有所属部门的监管人员或审批人员（supervision.view_inbox；审批部门收到其许可被撤销的记录）；"
                      "其他用户 403。"),
        responses={200: InboxRecordSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(
        operation_id="inbox_retrieve", summary=_("收件箱记录"),
        description=_("一条记录及其完整报文。不是推送给本部门的记录一律 404。"),
        responses={200: InboxRecordSerializer, **error_responses(401, 404)}),
)
class InboxViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = InboxRecordSerializer
    filter_backends = []  # the filters are the selector's (supervision.selectors.inbox_filter)
    queryset = InboxRecord.objects.none()  # replaced per user by get_queryset

    def get_queryset(self):
        return selectors.inbox_for(self.request.user)

    def get_object(self):
        record = selectors.inbox_record_for(self.request.user, self.kwargs["pk"])
        if record is None:
            raise exceptions.NotFound(NOT_FOUND)
        return record

    def list(self, request):
        if not request.user.has_perm("supervision.view_inbox"):
            raise NotAllowed(REGULATORS_ONLY)
        params = request.query_params
        records = selectors.inbox_filter(self.get_queryset(), **{
            name: params.get(name) for name in ("kind", "acknowledged", "item", "since")})
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        operation_id="inbox_acknowledge", summary=_("签收记录"), request=None,
        description=_("签收一条推送给本部门的记录。再次签收保留第一次的签收时间和签收人，仍答 200。"
                      "权限：本部门的监管人员或审批人员（supervision.acknowledge_inbox_record）。"),
        responses={200: InboxRecordSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"], url_path="ack", url_name="ack")
    def ack(self, request, pk=None):
        record = self.get_object()
        if not request.user.has_perm("supervision.acknowledge_inbox_record", record):
            raise NotAllowed(REGULATORS_ONLY)
        with transaction.atomic():
            record = services.inbox_acknowledge(record=record, actor=request.user)
        return Response(self.get_serializer(record).data)
