"""好差评 through the API v1 (issue 15).

POST /api/v1/applications/{number}/rating/ is the applicant account's rating of an ended application
(`level` 1–5, `comment`), once; GET /api/v1/ratings/summary/ the public aggregate per authority, as /ratings/
shows it. Who may rate and when are licensing.selectors.ratings; the write is licensing.services.ratings, in one
transaction. Refusals answer in the API's one shape (portal.api_errors): an application the user may not see
404, seen but not the applicant's account 403, a bad level 400 naming `level`, not ended or rated already 409.
"""
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing import selectors
from licensing.models import Rating
from licensing.selectors import ratings as ratings_selectors
from licensing.services import ratings as services
from portal.api_errors import ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import NotAllowed

NOT_FOUND = gettext_lazy("办件不存在，或您无权查看。")
CHOOSE_LEVEL = gettext_lazy("评价等级 level 须为 1 到 5 的整数：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。")
LEVELS_HELP = "5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意；2 和 1 为差评，审批机关在15个工作日内整改反馈"


class RatingInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(
        min_value=1, max_value=5, help_text=f"评价等级：{LEVELS_HELP}",
        error_messages={key: CHOOSE_LEVEL for key in ("required", "invalid", "null", "min_value", "max_value",
                                                       "max_string_length")})
    comment = serializers.CharField(
        max_length=ratings_selectors.COMMENT_LENGTH, required=False, allow_blank=True, default="",
        help_text="评价内容（可不填，最多500字）",
        error_messages={"max_length": gettext_lazy("评价内容最多 500 个字。"),
                        "invalid": gettext_lazy("评价内容须为文字。")})


class RatedAuthoritySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码")
    name = serializers.CharField(help_text="机构名称")


class RatingSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number", help_text="办件编号")
    level = serializers.IntegerField(help_text=f"评价等级：{LEVELS_HELP}")
    level_label = serializers.SerializerMethodField(help_text="评价等级的名称")
    authority = RatedAuthoritySerializer(source="organisation", help_text="被评价的审批机关")
    follow_up_due = serializers.DateField(allow_null=True, help_text="差评的整改反馈期限（工作日计算）；非差评为 null")
    answered_at = serializers.DateTimeField(allow_null=True, help_text="整改反馈时间；未反馈为 null")

    class Meta:
        model = Rating
        fields = ["application", "level", "level_label", "comment", "authority", "rated_at", "follow_up_due",
                  "answer", "answered_at"]
        read_only_fields = fields

    def get_level_label(self, rating) -> str:
        return ratings_selectors.level_label(rating.level)


class ApplicationRatingView(ApiErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        operation_id="application_rate", summary="评价办件（好差评）", tags=["applications"],
        request=RatingInputSerializer,
        description="办件办结后，申请人的办理账号对办理情况作出评价，每个办件一次（政务服务“好差评”制度）。"
                    "“不满意”“非常不满意”为差评，审批机关须在评价之日起15个工作日内核实、整改并反馈，反馈通过邮件发给评价人。"
                    "评价等级无效的 400（field 为 level），未办结或已评价的 409，能看到办件但不是申请人的办理账号的 403，"
                    "看不到的办件 404。权限：申请人的办理账号（licensing.act_as_applicant，窗口工作人员除外）。",
        responses={201: RatingSerializer, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, number):
        application = selectors.application_for(request.user, number)
        if application is None:
            raise exceptions.NotFound(NOT_FOUND)
        if not ratings_selectors.rates_for_applicant(request.user, application):
            raise NotAllowed(_("只有申请人的办理账号可以评价该办件。"))
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            rating = services.rating_submit(application=application, actor=request.user, **serializer.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


# --- the public aggregate -----------------------------------------------------------------------

class LevelCountSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="评价等级（5 最好）")
    label = serializers.CharField(help_text="评价等级的名称")
    count = serializers.IntegerField(help_text="件数")


class AuthorityRatingsSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码（合计行为空串）")
    name = serializers.CharField(help_text="机构名称")
    total = serializers.IntegerField(help_text="评价件数")
    levels = LevelCountSerializer(many=True, help_text="各评价等级的件数，非常满意在前")
    satisfied = serializers.IntegerField(help_text="非常满意、满意、基本满意的件数")
    satisfied_share = serializers.FloatField(help_text="满意率：satisfied / total（0 到 1，保留4位小数；无评价为 0）")


class RatingSummarySerializer(serializers.Serializer):
    authorities = AuthorityRatingsSerializer(many=True, help_text="各审批机关，按名称排列")
    total = AuthorityRatingsSerializer(help_text="全部机关合计")


def _authority_data(a: ratings_selectors.AuthorityRatings) -> dict:
    return {"code": a.code, "name": a.name, "total": a.total, "satisfied": a.satisfied,
            "satisfied_share": a.satisfied_share,
            "levels": [{"level": level, "label": label, "count": count} for level, label, count in a.levels]}


class RatingSummaryView(ApiErrorsMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public and read-only: no session, so no CSRF and no personal data

    @extend_schema(
        operation_id="ratings_summary", summary="好差评公示", tags=["ratings"], auth=[],
        description="各审批机关收到的评价，按评价等级计数，及满意率（非常满意、满意、基本满意所占比例）。"
                    "不含评价人和评价内容。",
        responses={200: RatingSummarySerializer})
    def get(self, request):
        summary = ratings_selectors.rating_summary()
        return Response(RatingSummarySerializer({
            "authorities": [_authority_data(a) for a in summary],
            "total": _authority_data(ratings_selectors.rating_totals(summary))}).data)
