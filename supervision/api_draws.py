"""The 双随机 API v1 (issue 14): a regulator's plans, and their draw.

What a regulator sees is supervision.selectors_draws (its own organisation's plans, the rule of its
inspection queue); each write is one supervision.draws call. Refusals answer in the API's one shape
(portal.api_errors): the list and a new plan are 403 for anyone who draws for no organisation; a plan of
another organisation, or asked for by anyone but its regulators, is 404, the same as one that does not
exist. A draw is made once: running it again answers the same draw (200), never a new one.
"""
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api_errors import ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import NotAllowed
from supervision import draws as draw_services
from supervision import selectors_draws as draws
from supervision.models import DrawPlan
from supervision.queue import queue_organisation_id
from supervision.serializers_draws import DrawPlanDetailSerializer, DrawPlanInputSerializer, DrawPlanSerializer

NOT_FOUND = _("抽查计划不存在，或不是本部门的抽查计划。")
REGULATORS_ONLY = _("双随机抽查计划只供行业主管部门的监管人员制定和查看本部门的计划。")
ROLE = _("权限：该计划所属行业主管部门的监管人员；其他组织的计划一律 404。")


@extend_schema(tags=["draws"])
@extend_schema_view(
    list=extend_schema(
        operation_id="draws_list", summary=_("双随机抽查计划"),
        description=_("本部门的抽查计划，新制定的在前（不含名录等抽取数据，见详情）。"
                      "权限：有所属部门的在岗监管人员；其他用户 403。"),
        responses={200: DrawPlanSerializer(many=True), **error_responses(401, 403, 404)}),
    retrieve=extend_schema(
        operation_id="draw_retrieve", summary=_("抽查计划详情"),
        description=format_lazy("{}{}", _("计划的范围和状态；已抽取的，还有抽取算法、随机种子、抽取时的名录（pool）、"
                                          "执法检查人员（roster）、回避（exclusions）和抽取结果（picks，每户的"
                                          "执法检查人员和由此生成的检查任务）。"), ROLE),
        responses={200: DrawPlanDetailSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        operation_id="draw_create", summary=_("制定抽查计划"), request=DrawPlanInputSerializer,
        description=_("制定一份待抽取的计划：事项、县区（审批部门）、许可（备案）日期、抽取比例或户数（只填一项）、"
                      "每户执法检查人员数（不少于2）、参加抽取的执法检查人员和检查完成期限。输入有误时 400，逐项说明。"
                      "权限：有所属部门的在岗监管人员；其他用户 403。"),
        responses={201: DrawPlanDetailSerializer, **error_responses(400, 401, 403)}),
)
class DrawPlanViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = DrawPlanSerializer
    filter_backends = []
    queryset = DrawPlan.objects.none()  # replaced per user by get_queryset

    def get_queryset(self):
        return draws.plans_for(self.request.user)

    def get_object(self):
        plan = draws.plan_for(self.request.user, self.kwargs["pk"])
        if plan is None:
            raise exceptions.NotFound(NOT_FOUND)
        return plan

    def present(self, plan, status_code=status.HTTP_200_OK):
        """The plan as it is now (re-read, so a write's effects show)."""
        fresh = draws.plan_for(self.request.user, plan.pk)
        return Response(DrawPlanDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code)

    def list(self, request):
        if queue_organisation_id(request.user) is None:
            raise NotAllowed(REGULATORS_ONLY)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self.present(self.get_object())

    def create(self, request):
        if queue_organisation_id(request.user) is None:
            raise NotAllowed(REGULATORS_ONLY)
        serializer = DrawPlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            plan = draw_services.draw_plan_create(actor=request.user, data=dict(serializer.validated_data))
        return self.present(plan, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="draw_run", summary=_("抽取"), request=None,
        description=format_lazy("{}{}", _("按计划抽取一次：生成随机种子，固定并公开名录、执法检查人员和回避，随机抽取"
                                          "监管对象并为每户随机选派执法检查人员（不选派申报回避的），抽中的对象进入"
                                          "核查工作台。已抽取的计划再次调用返回同一次抽取（200），不会重新抽取。名录为空、"
                                          "超过上限或因回避可选派的人员不足时 409，不生成种子。"), ROLE),
        responses={200: DrawPlanDetailSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="run", url_name="run")
    def run(self, request, pk=None):
        plan = self.get_object()
        plan = draw_services.draw_run(plan=plan, actor=request.user)
        return self.present(plan)
