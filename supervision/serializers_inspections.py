"""What the inspections API (v1, issue 10) reads and presents: the regulator's queue and its results.

Input serializers only check the shape; what an outcome needs (a note, the rectification days in
range, a ground, files that are really PDF/JPG/PNG) is checked by supervision.services, all at
once, so the desk page and the API give the same answers.
"""
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing import selectors as licensing_selectors
from supervision.constants import (
    RECTIFY_DAYS_RANGE, FailureGround, InspectionOutcome, InspectionStatus, RevocationRequestStatus,
)
from supervision.i18n import listed_lazy
from supervision.models import Inspection

# --- input -----------------------------------------------------------------------------------------


class InspectionAssignSerializer(serializers.Serializer):
    inspectors = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=50,
        error_messages={"required": _("请选择核查人员。"), "not_a_list": _("核查人员应为用户名列表。")},
        help_text=_("核查人员的用户名（本部门在岗的监管人员，至少2名）"))


# The outcome is the service's to check (one message naming the valid values, with the other
# fields' problems); the schema still lists them.
@extend_schema_field({"type": "string", "enum": InspectionOutcome.values})
class OutcomeInput(serializers.CharField):
    pass


class InspectionResultInputSerializer(serializers.Serializer):
    outcome = OutcomeInput(max_length=32, error_messages={"required": _("请选择核查结果。")},
                           help_text=_("conforms：符合承诺；rectify：不符合，责令限期整改（须填 rectify_within_days）；"
                                       "fails：不符合，提请审批部门撤销许可"))
    rectify_within_days = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=format_lazy(_("整改期限（工作日，{low}至{high}）；outcome 为 rectify 时必填"),
                              low=RECTIFY_DAYS_RANGE[0], high=RECTIFY_DAYS_RANGE[1]))
    ground = serializers.ChoiceField(
        FailureGround.choices, required=False, allow_blank=True, default="",
        error_messages={"invalid_choice": format_lazy(_("撤销理由类别无效，可选：{choices}。"),
                                                   choices=listed_lazy(FailureGround.values))},
        help_text=_("提请撤销的理由类别（outcome 为 fails 时；不填为 false_commitment 承诺内容不实）"))
    note = serializers.CharField(max_length=4000, allow_blank=True, error_messages={"required": _("请填写核查情况。")},
                                 help_text=_("核查情况"))


class InspectionResultUploadSerializer(InspectionResultInputSerializer):
    """The same, with the on-site photos and files (multipart/form-data, `files` repeated)."""

    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text=_("现场照片和材料：PDF、JPG 或 PNG，每个不超过10MB，最多20个（按内容判断，不看扩展名）"))


# --- output ----------------------------------------------------------------------------------------

@extend_schema_field({"type": "string", "enum": InspectionStatus.values})
class StatusOutput(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": InspectionOutcome.values})
class OutcomeOutput(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": RevocationRequestStatus.values})
class RevocationStatusOutput(serializers.CharField):
    pass


class InspectionOrganisationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("机构代码"))
    name = serializers.CharField(help_text=_("机构名称"))


class InspectionInspectorSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="full_name", help_text=_("姓名"))


class InspectionFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name", help_text=_("原文件名（清理后）"))
    content_type = serializers.CharField(help_text=_("按内容判断的类型：application/pdf、image/jpeg 或 image/png"))


class InspectionResultSerializer(serializers.Serializer):
    outcome = OutcomeOutput()
    outcome_label = serializers.CharField(source="get_outcome_display")
    ground = serializers.ChoiceField(FailureGround.choices, allow_blank=True, help_text=_("提请撤销的理由类别（仅 fails）"))
    note = serializers.CharField(help_text=_("核查情况"))
    inspector_names = serializers.CharField(help_text=_("核查人员姓名"))
    rectify_due = serializers.DateField(allow_null=True, help_text=_("整改期限（仅 rectify）"))
    is_reinspection = serializers.BooleanField(help_text=_("整改期满后的复查"))
    recorded_at = serializers.DateTimeField()
    files = InspectionFileSerializer(many=True, help_text=_("现场照片和材料"))


class InspectionRevocationSerializer(serializers.Serializer):
    status = RevocationStatusOutput(help_text=_("open：待审批部门撤销；revoked：已撤销许可"))
    status_label = serializers.CharField(source="get_status_display")
    requested_at = serializers.DateTimeField()


class InspectionSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number", help_text=_("办件编号"))
    item = serializers.CharField(source="application.item.code", help_text=_("事项编码，如 QZ-013"))
    applicant = serializers.SerializerMethodField(help_text=_("申请人名称（个人姓名只显示姓）"))
    authority = InspectionOrganisationSerializer(allow_null=True, help_text=_("审批部门（县区筛选按此）"))
    regulator = InspectionOrganisationSerializer(allow_null=True, help_text=_("行业主管部门"))
    status = StatusOutput(help_text=_("pending 待核查；passed 核查属实；rectify 限期整改；failed 承诺不实；cancelled 已取消"))
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.BooleanField(help_text=_("逾期未核查：仍未办结且已过核查期限"))
    inspectors = InspectionInspectorSerializer(many=True, help_text=_("指派的核查人员"))
    results = InspectionResultSerializer(many=True, help_text=_("历次核查结果，按记录时间"))
    revocation_request = serializers.SerializerMethodField(help_text=_("向审批部门提请撤销许可（未提请为 null）"))

    class Meta:
        model = Inspection
        fields = ["id", "application", "item", "applicant", "authority", "regulator", "status", "status_label",
                  "due_date", "overdue", "full_coverage", "assigned_at", "rectify_due", "closed_at", "inspectors",
                  "results", "revocation_request"]
        read_only_fields = fields

    def get_applicant(self, inspection) -> str:
        return licensing_selectors.public_name(inspection.application.applicant)

    @extend_schema_field(InspectionRevocationSerializer(allow_null=True))
    def get_revocation_request(self, inspection):
        request = getattr(inspection, "revocation_request", None)
        return InspectionRevocationSerializer(request).data if request is not None else None
