"""GET /api/v1/reports/quarterly/ (issue 14): a department's quarterly report, as its figures (JSON) or its
files, chosen by the Accept header: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet for
the xlsx, application/pdf for the PDF, application/json or */* for the figures.

Who reads which department's report is licensing.reports.selectors.report_organisation, as on the pages.
The report is made on demand when there is none yet (licensing.reports.services); refusals answer in the
API's one shape (portal.api_errors), always as JSON whatever the Accept header asked for.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.reports import selectors
from licensing.reports.periods import FIRST_YEAR, parse_quarter
from licensing.reports.services import quarterly_report_generate
from portal import exports
from portal.api_errors import ApiErrorsMixin, ErrorSerializer
from portal.downloads import attachment
from portal.exceptions import InvalidInput
from portal.models import Organisation

XLSX = exports.XLSX.CONTENT_TYPE
PDF = "application/pdf"
JSON = "application/json"


class _FileRenderer(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data  # the stored file's bytes, as they are


class XlsxRenderer(_FileRenderer):
    media_type = XLSX
    format = "xlsx"


class PdfRenderer(_FileRenderer):
    media_type = PDF
    format = "pdf"


# --- what the JSON says (licensing.reports.figures) ------------------------------------------------

class _Organisation(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码")
    name = serializers.CharField(help_text="机构名称")
    kind = serializers.CharField(help_text="机构类型代码：authority、approval_bureau、regulator")
    kind_label = serializers.CharField(help_text="机构类型")


class _ByMode(serializers.Serializer):
    mode = serializers.CharField(help_text="改革方式代码：cancel、filing、commitment、optimise")
    label = serializers.CharField(help_text="改革方式")
    count = serializers.IntegerField(help_text="办件数")


class _Applications(serializers.Serializer):
    total = serializers.IntegerField(help_text="本季度提交的办件总数")
    by_mode = _ByMode(many=True)


class _Step(serializers.Serializer):
    kind = serializers.CharField(help_text="环节代码：notice（出具告知书）、decision（作出许可决定）、all（合计）")
    label = serializers.CharField()
    total = serializers.IntegerField(help_text="办理数")
    on_time = serializers.IntegerField(help_text="按期办理数")
    late = serializers.IntegerField(help_text="逾期办理数")
    late_days = serializers.IntegerField(help_text="逾期工作日合计")


class _Month(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    label = serializers.CharField()
    steps = _Step(many=True)
    total = _Step()


class _Steps(serializers.Serializer):
    months = _Month(many=True, help_text="逐月（与“办理时效（电子监察）”页面该月的数字相同）")
    quarter = _Step(many=True, help_text="本季度各环节")
    total = _Step(help_text="本季度合计")


class _Inspections(serializers.Serializer):
    done = serializers.IntegerField(help_text="本季度办结（核查属实与承诺不实之和）")
    passed = serializers.IntegerField(help_text="核查属实")
    failed = serializers.IntegerField(help_text="承诺不实，提请撤销")
    rectify = serializers.IntegerField(help_text="本季度责令限期整改的次数")
    cancelled = serializers.IntegerField(help_text="因许可另行撤销而取消的核查")
    done_from_draws = serializers.IntegerField(help_text="办结中由双随机抽查产生的")
    drawn = serializers.IntegerField(help_text="本季度双随机抽取产生的核查")
    open_at_end = serializers.IntegerField(help_text="季度末未办结")
    overdue_at_end = serializers.IntegerField(help_text="季度末已超过核查期限仍未办结")


class _Revocation(serializers.Serializer):
    number = serializers.CharField(help_text="办件编号")
    item = serializers.CharField(help_text="事项")
    applicant = serializers.CharField(help_text="申请人（个人姓名已遮蔽）")
    at = serializers.CharField(help_text="撤销时间（ISO 8601，北京时间）")
    by = serializers.CharField(help_text="本部门办理，或系统逾期自动撤销")
    reason = serializers.CharField(help_text="理由（前200字）")


class _Revocations(serializers.Serializer):
    total = serializers.IntegerField()
    by_officers = serializers.IntegerField(help_text="本部门审批人员办理的")
    by_portal = serializers.IntegerField(help_text="系统因逾期按期自动撤销的本部门许可")
    rows = _Revocation(many=True)


class _ByReason(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class _CreditRecord(serializers.Serializer):
    number = serializers.CharField(help_text="办件编号（无办件时为空）")
    applicant = serializers.CharField(help_text="申请人（个人姓名已遮蔽）")
    reason = serializers.CharField()
    reason_label = serializers.CharField()
    recorded_at = serializers.CharField(help_text="记录时间（ISO 8601，北京时间）")
    repaired = serializers.BooleanField(help_text="已信用修复")


class _CreditRecords(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = _ByReason(many=True)
    rows = _CreditRecord(many=True)


class _Pushes(serializers.Serializer):
    due = serializers.IntegerField(help_text="推送期限在本季度内的审批信息推送记录")
    on_time = serializers.IntegerField(help_text="按时送达")
    late = serializers.IntegerField(help_text="超时送达")
    undelivered = serializers.IntegerField(help_text="生成报告时仍未送达")
    missed = serializers.IntegerField(help_text="超时送达与已过期限仍未送达之和")


class _Ratings(serializers.Serializer):
    rated = serializers.IntegerField(help_text="本季度收到的评价（好差评）")
    poor = serializers.IntegerField(help_text="其中差评（不满意、非常不满意）")
    answered = serializers.IntegerField(help_text="本季度作出的差评整改反馈")
    answered_late = serializers.IntegerField(help_text="其中超过15个工作日反馈的")
    open_at_end = serializers.IntegerField(help_text="季度末尚未反馈的差评")
    overdue_at_end = serializers.IntegerField(help_text="季度末已超过反馈期限仍未反馈的差评")


class QuarterlyReportSerializer(serializers.Serializer):
    """A department's quarterly report: the figures as they were when it was made."""

    version = serializers.IntegerField()
    organisation = _Organisation()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    label = serializers.CharField(help_text="如 2024年第4季度")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    generated_at = serializers.CharField(help_text="生成时间（ISO 8601，北京时间）")
    applications = _Applications()
    steps = _Steps()
    inspections = _Inspections()
    revocations = _Revocations()
    credit_records = _CreditRecords()
    pushes = _Pushes()
    ratings = _Ratings(required=False, help_text="好差评（issue 15 起生成的报告才有）")


def _errors(**descriptions) -> dict:
    """Refusals are JSON whatever was accepted."""
    return {(code, JSON): OpenApiResponse(ErrorSerializer, description=text) for code, text in descriptions.items()}


class QuarterlyReportView(ApiErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, XlsxRenderer, PdfRenderer]

    @extend_schema(
        operation_id="reports_quarterly", summary="部门季度报告", tags=["reports"],
        description=(
            "一个部门一个季度的工作情况报告（钦政发〔2019〕20号：每季度首月5日前报送上一季度情况）：按改革方式统计的办件、"
            "按期与逾期办理的环节、事后核查、撤销许可、诚信档案记录和审批信息推送时效。按 Accept 请求头返回："
            f"{XLSX} 为 Excel 文件，{PDF} 为 PDF 文件（含统计图），{JSON} 或 */* 为统计数字。"
            "报告尚未生成的，即时生成并留存。权限：本部门的审批人员、监管人员（organisation 默认为本部门，指定其他部门 403）；"
            "系统管理员须用 organisation 指定部门。季度尚未结束、参数缺失或有误时 400。"),
        parameters=[
            OpenApiParameter("year", {"type": "integer", "minimum": FIRST_YEAR}, OpenApiParameter.QUERY, required=True,
                             description=f"年度，{FIRST_YEAR} 年（试点开始）至今"),
            OpenApiParameter("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, OpenApiParameter.QUERY,
                             required=True, description="季度，1 至 4；须已结束"),
            OpenApiParameter("organisation", OpenApiTypes.STR, OpenApiParameter.QUERY,
                             description="部门的机构代码；默认为本人所属部门，系统管理员必填"),
        ],
        responses={
            (200, JSON): QuarterlyReportSerializer,
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件，每部分一个工作表"),
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="A4 PDF，每部分一幅统计图及其表格"),
            **_errors(**{"400": "参数缺失、格式有误，或季度尚未结束", "401": "未登录或令牌无效",
                         "403": "不是审批人员、监管人员或系统管理员，或指定了其他部门", "404": "没有这个部门",
                         "406": "Accept 请求头不是 JSON、Excel 或 PDF"}),
        })
    def get(self, request):
        params = request.query_params
        organisation = self._organisation(params.get("organisation"))
        period = parse_quarter(params.get("year"), params.get("quarter"))
        report = quarterly_report_generate(organisation=organisation, year=period.year, quarter=period.quarter,
                                           actor=request.user)
        kind = request.accepted_renderer.format
        if kind in ("xlsx", "pdf"):
            response = Response(self._file(report, kind), content_type=XLSX if kind == "xlsx" else PDF)
            response["Content-Disposition"] = attachment(f"{organisation.name}{period.label}报告.{kind}",
                                                         fallback=f"report-{period.year}-q{period.quarter}")
            return response
        return Response(QuarterlyReportSerializer(report.figures).data)

    @staticmethod
    def _file(report, kind) -> bytes:
        try:
            with getattr(report, kind).open("rb") as stored:
                return stored.read()
        except (FileNotFoundError, ValueError):  # no file kept, or the storage lost it
            raise exceptions.NotFound("该季度报告的文件不存在，请联系管理员重新生成。") from None

    def _organisation(self, code):
        try:
            organisation = selectors.report_organisation(self.request.user, code)
        except (InvalidInput, Organisation.DoesNotExist):
            raise exceptions.NotFound(selectors.NO_SUCH) from None
        if organisation is None:
            raise InvalidInput(selectors.NAME_ONE, field="organisation")
        return organisation

    def finalize_response(self, request, response, *args, **kwargs):
        """A refusal is the API's JSON error, even to a client that asked for a file."""
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSON
        return super().finalize_response(request, response, *args, **kwargs)
