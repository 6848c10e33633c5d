"""The credit-record API v1 (issue 14): the 诚信档案 as each user may read it, and 信用修复 requests.

GET /api/v1/credit-records/ lists, by who asks (supervision.selectors_credit.credit_records_scope):
anonymous and anyone without a scope of their own the public subset (the records that bar
notify-and-commit, persons masked, as /credit/ shows them); an applicant account the records of the
applicants it acts for, repaired ones too, with their repair requests; an approval officer or regulator
the records its organisation made; an admin all. A record outside that set is 404, as one that does
not exist. POST …/{id}/repair-requests/ is the applicant side's request; POST
/api/v1/credit-repair-requests/{id}/decide/ the deciding authority's answer. Each write is one
supervision.services call; refusals answer in the API's one shape (portal.api_errors).
"""
import dataclasses

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from portal.api_errors import ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import NotAllowed
from supervision import selectors_credit as credit, services
from supervision.constants import CreditReason, RepairStatus
from supervision.credit import APPLICANT_ONLY, MAX_EVIDENCE_FILES, NOTE_LENGTH, REASONS_LENGTH, repair_refusal
from supervision.models import CreditRecord, CreditRepairRequest

RECORD_NOT_FOUND = _("诚信档案记录不存在，或不在您可查看的范围内。")
REQUEST_NOT_FOUND = _("信用修复申请不存在，或不是向本机关提出的。")
DECISIONS = ("grant", "refuse")


# --- input -------------------------------------------------------------------------------------------

class RepairRequestInputSerializer(serializers.Serializer):
    reasons = serializers.CharField(
        max_length=REASONS_LENGTH, allow_blank=True, trim_whitespace=False,
        error_messages={"required": _("请填写申请理由：已纠正失信行为、履行相关义务的情况。")},
        help_text=_("申请理由：已纠正失信行为、履行相关义务（如已补交材料、已整改）的情况"))


class RepairRequestUploadSerializer(RepairRequestInputSerializer):
    """The same, with the evidence (multipart/form-data, `files` repeated)."""

    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text=format_lazy(_("证明材料：PDF、JPG 或 PNG，每个不超过10MB，最多{count}个（按内容判断）"),
                                                        count=MAX_EVIDENCE_FILES))


class RepairDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        DECISIONS, error_messages={"required": _("请选择决定：grant（准予修复）或 refuse（不予修复）。"),
                                   "invalid_choice": _("决定应为 grant（准予修复）或 refuse（不予修复）。")},
        help_text=_("grant：准予信用修复，记录不再限制告知承诺并终止公示；refuse：不予修复"))
    note = serializers.CharField(max_length=NOTE_LENGTH, allow_blank=True,
                                 error_messages={"required": _("请填写决定理由。")}, help_text=_("决定理由（申请人可见）"))


# --- output ------------------------------------------------------------------------------------------

@extend_schema_field({"type": "string", "enum": CreditReason.values})
class ReasonOutput(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": RepairStatus.values})
class RepairStatusOutput(serializers.CharField):
    pass


class CreditApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("企业名称；个人在公示范围内只显示姓氏"))
    identifier = serializers.CharField(help_text=_("统一社会信用代码（企业完整公示）或身份证号码（公示范围内只显示前4位和后4位）"))
    is_enterprise = serializers.BooleanField()


class CreditOrganisationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("机构代码"))
    name = serializers.CharField(help_text=_("机构名称"))


class RepairRuleSerializer(serializers.Serializer):
    repairable = serializers.BooleanField(help_text=_("此类记录是否可以信用修复"))
    after_months = serializers.IntegerField(help_text=_("记入满几个月后可以修复"))
    allowed_from = serializers.DateField(allow_null=True, help_text=_("可以修复的第一天（不可修复为 null）"))
    basis = serializers.CharField(help_text=_("规则的依据"))
    open_now = serializers.BooleanField(help_text=_("今天是否已可修复"))


class RepairEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name", help_text=_("原文件名（清理后）"))
    content_type = serializers.CharField(help_text=_("按内容判断的类型"))


class RepairRequestSerializer(serializers.ModelSerializer):
    record = serializers.IntegerField(source="record_id", help_text=_("诚信档案记录的 id"))
    status = RepairStatusOutput(help_text=_("pending 待认定机关决定；granted 准予修复；refused 不予修复"))
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField(help_text=_("已超过决定期限仍未决定"))
    evidence = RepairEvidenceSerializer(many=True, help_text=_("证明材料"))

    class Meta:
        model = CreditRepairRequest
        fields = ["id", "record", "reasons", "submitted_at", "due_date", "status", "status_label", "overdue",
                  "decided_at", "decision_note", "late_working_days", "evidence"]
        read_only_fields = fields

    def get_overdue(self, request) -> bool:
        return credit.repair_request_overdue(request)


class CreditRecordSerializer(serializers.Serializer):
    """A record; the fields after `authority` only for the applicant's own side, the authority's
    organisation and admins (the public subset has none of them)."""

    id = serializers.IntegerField()
    applicant = CreditApplicantSerializer()
    reason = ReasonOutput(help_text=_("记入事由"))
    reason_label = serializers.CharField()
    recorded_on = serializers.DateField(help_text=_("记入日期"))
    authority = CreditOrganisationSerializer(allow_null=True, help_text=_("认定机关"))
    details = serializers.CharField(required=False, help_text=_("情况说明"))
    repaired_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("信用修复时间（未修复为 null）"))
    repair_rule = RepairRuleSerializer(required=False, help_text=_("此类记录的信用修复规则"))
    repair_refusal = serializers.CharField(required=False, help_text=_("现在不能申请修复的原因（可以申请时为空串）"))
    repair_requests = RepairRequestSerializer(many=True, required=False, help_text=_("信用修复申请，新的在前"))

    def to_representation(self, instance: dict):
        return {field.field_name: (None if instance[field.field_name] is None
                                   else field.to_representation(instance[field.field_name]))
                for field in self._readable_fields if field.field_name in instance}


def record_data(record: CreditRecord, *, full: bool, rules: dict | None = None) -> dict:
    row = credit.public_row(record)
    organisation = record.organisation if record.organisation_id else None
    data = {"id": record.pk, "reason": record.reason, "reason_label": row.reason_label, "recorded_on": row.recorded_on,
            "applicant": {"name": row.name, "identifier": row.identifier, "is_enterprise": row.is_enterprise},
            "authority": {"code": organisation.code, "name": organisation.name} if organisation else None}
    if full:
        applicant = record.applicant
        data["applicant"] = {"name": applicant.name, "identifier": applicant.identifier,
                             "is_enterprise": row.is_enterprise}
        rule = (rules or {}).get(record.reason)
        data.update(details=record.details, repaired_at=record.repaired_at,
                    repair_rule=dataclasses.asdict(credit.repair_rule_view(record, timezone.localdate(), rule)),
                    repair_refusal=repair_refusal(record, rule), repair_requests=list(record.repair_requests.all()))
    return data


QUERY = [OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY,
                          description=_("企业名称或统一社会信用代码（包含即可；个人不按姓名、证件号码检索），最多100个字符"))]
SCOPE = _("匿名用户及窗口工作人员：公示范围（限制适用告知承诺、未修复的记录，个人姓名和证件号码部分隐藏）；"
          "申请人账号：已核验的办理主体的全部记录（含已修复），及其信用修复申请；审批人员、监管人员：本机关作出的记录；"
          "管理员：全部。")


@extend_schema(tags=["credit"])
@extend_schema_view(
    list=extend_schema(operation_id="credit_records_list", summary=_("诚信档案"), parameters=QUERY,
                       description=format_lazy(_("诚信档案记录，新的在前。{scope}查询条件无效时 400。"), scope=SCOPE),
                       responses={200: CreditRecordSerializer(many=True), **error_responses(400, 401, 404)}),
    retrieve=extend_schema(operation_id="credit_record_retrieve", summary=_("诚信档案记录"),
                           description=format_lazy(_("一条记录。{scope}范围外的记录一律 404。"), scope=SCOPE),
                           responses={200: CreditRecordSerializer, **error_responses(401, 404)}),
)
class CreditRecordViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]  # the public subset is public; the request below signs in
    parser_classes = [SafeJSONParser]
    serializer_class = CreditRecordSerializer
    filter_backends = []
    queryset = CreditRecord.objects.none()  # replaced per user by get_queryset

    def get_queryset(self):
        return credit.credit_records_visible_to(self.request.user)

    def get_object(self):
        record = credit.credit_record_visible_to(self.request.user, self.kwargs["pk"])
        if record is None:
            raise exceptions.NotFound(RECORD_NOT_FOUND)
        return record

    def present(self, records):
        full = credit.credit_records_scope(self.request.user) != "public"
        rules = credit.repair_rules() if full else None
        return [record_data(record, full=full, rules=rules) for record in records]

    def list(self, request):
        records = credit.credit_search(self.get_queryset(), request.query_params.get("q"))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.get_serializer(self.present(page), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.present([self.get_object()])[0]).data)

    @extend_schema(
        operation_id="credit_record_repair_request", summary=pgettext_lazy("supervision", "申请信用修复"),
        request={"application/json": RepairRequestInputSerializer,
                 "multipart/form-data": RepairRequestUploadSerializer},
        description=_("申请人（已核验的办理账号）向作出记录的认定机关申请信用修复，写明理由；证明材料用 "
                      "multipart/form-data 上传（files 可重复）。认定机关在决定期限（工作日）内作出决定。"
                      "记录已修复、已有待决定的申请、按信用修复规则此类记录不予修复或尚未到可修复日期的，409；"
                      "理由为空、文件不合要求的，400；范围外的记录 404；能看到记录但不是申请人一方的，403。"),
        responses={201: RepairRequestSerializer, **error_responses(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="repair-requests", url_name="repair-requests",
            permission_classes=[IsAuthenticated], parser_classes=[SafeJSONParser, MultiPartParser])
    def repair_requests(self, request, pk=None):
        record = self.get_object()
        if credit.credit_records_scope(request.user) != "own":
            raise NotAllowed(APPLICANT_ONLY)
        serializer = RepairRequestUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            repair = services.credit_repair_request_submit(record=record, actor=request.user,
                                                           **serializer.validated_data)
        return Response(RepairRequestSerializer(repair).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["credit"])
class CreditRepairRequestViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = RepairRequestSerializer
    filter_backends = []
    queryset = CreditRepairRequest.objects.none()

    def get_object(self):
        repair = credit.repair_request_for(self.request.user, self.kwargs["pk"])
        if repair is None:
            raise exceptions.NotFound(REQUEST_NOT_FOUND)
        return repair

    @extend_schema(
        operation_id="credit_repair_request_decide", summary=pgettext_lazy("supervision", "决定信用修复申请"),
        request=RepairDecisionInputSerializer,
        description=_("作出记录的认定机关的审批人员决定：grant 准予修复（按信用修复规则再次核对，记录不再限制告知承诺并终止公示），"
                      "refuse 不予修复（记录继续有效）；都须写明理由，申请和记录都保留。超过决定期限的照常决定，并记录逾期的工作日数。"
                      "已决定的申请、规则不允许修复的，409。权限：认定机关的审批人员；其他用户一律 404。"),
        responses={200: RepairRequestSerializer, **error_responses(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    def decide(self, request, pk=None):
        repair = self.get_object()
        serializer = RepairDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            repair = services.credit_repair_request_decide(request=repair, actor=request.user,
                                                           grant=data["decision"] == "grant", note=data["note"])
        fresh = CreditRepairRequest.objects.prefetch_related("evidence").get(pk=repair.pk)
        return Response(RepairRequestSerializer(fresh).data)
