"""Applications API v1 (issue 3): submit, follow and move applications; public progress lookup.

Every write is one licensing.services call inside one transaction, so a refusal changes
nothing. Who may do what is asked of licensing/rules.py and what one may see of
licensing.selectors; refusals answer in one shape, {"detail": "<中文说明>", "field": "<字段>",
"errors": {…}}, made by portal.api_errors: not visible → 404, visible but not allowed → 403,
wrong state → 409, bad input → 400.
"""
import re

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing import selectors, services
from licensing.constants import Status
from licensing.models import Application
from licensing.serializers_applications import (
    LIST_COLUMNS, ApplicationDetailSerializer, ApplicationListSerializer, CommitSerializer, CorrectFilingSerializer,
    FilingUntrueSerializer, ForwardSerializer, MaterialSerializer, MaterialUploadSerializer, NoteSerializer,
    NoticeReceiptSerializer, ProgressSerializer, ReasonSerializer, RequiredReasonSerializer, RevokeSerializer,
    SubmitSerializer, application_list_rows,
)
from portal.api_errors import RATE_LIMITED, ApiErrorsMixin, ErrorSerializer, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import InvalidInput, NotAllowed

_errors = error_responses
NOT_FOUND = gettext_lazy("办件不存在，或您无权查看。")
# What an id in a path may look like; anything else is not looked up at all (PostgreSQL refuses
# integers past bigint with a server error).
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
APPLICANT_SIDE_ONLY = gettext_lazy("只有申请人或代为办理的窗口工作人员可以进行此操作。")
OFFICER_SIDE_ONLY = gettext_lazy("只有该事项实施机关的审批人员可以进行此操作。")
REGULATOR_ONLY = gettext_lazy("只有该办件的行业主管部门可以进行此操作。")


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices, label=gettext_lazy("状态"))
    item = filters.CharFilter(field_name="item__code", label=gettext_lazy("事项编码，如 QZ-013"), max_length=16)


# --- the viewset -------------------------------------------------------------------------------

def _transition(name, service, permission, serializer=None, *, summary, description=""):
    """One POST /applications/{number}/<name>/ calling `service`, for users with `permission`."""
    def view(self, request, number=None):
        application = self.get_object()
        self.require(permission, application)
        data = self.validated(serializer)
        with transaction.atomic():
            service(application=application, actor=request.user, **data)
        return self.detail_response(application.number)

    view.__name__ = name
    view = action(detail=True, methods=["post"], url_path=name.replace("_", "-"),
                  url_name=name.replace("_", "-"))(view)
    side = SIDE_LABELS[permission]
    return extend_schema(operation_id=f"application_{name}", summary=summary, request=serializer,
                         description=f"{description}\n\n权限：{side}（{permission}）。".strip(),
                         responses={200: ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)})(view)


AS_APPLICANT, AS_OFFICER = "licensing.act_as_applicant", "licensing.act_as_officer"
AS_REGULATOR = "licensing.act_as_regulator"  # 钦政发〔2019〕20号 二（四）: the regulator acts on filings
SIDE_LABELS = {AS_APPLICANT: "申请人一方（申请人或窗口工作人员）",
               AS_OFFICER: "当前办理该办件的机关（初审机关，或审批机关及其受委托机关）的审批人员",
               AS_REGULATOR: "该办件的行业主管部门"}
REFUSALS = {AS_APPLICANT: APPLICANT_SIDE_ONLY, AS_OFFICER: OFFICER_SIDE_ONLY, AS_REGULATOR: REGULATOR_ONLY}


@extend_schema(tags=["applications"])
@extend_schema_view(
    list=extend_schema(operation_id="applications_list", summary="我可查看的办件",
                       description="申请人：所代办申请人的办件；审批人员：本机关实施事项的办件；监管人员：本部门监管事项的办件；"
                                   "窗口工作人员、管理员：全部。证件号码对无权查看身份信息者打码。",
                       responses={200: ApplicationListSerializer(many=True), **_errors(400, 401, 404)}),
    retrieve=extend_schema(operation_id="application_retrieve", summary="办件详情",
                           responses={200: ApplicationDetailSerializer, **_errors(401, 404)}),
)
class ApplicationViewSet(ApiErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    # The services name the browser form's fields; the API's own names differ here.
    service_field_names = {"files": "materials"}
    parser_classes = [SafeJSONParser]  # JSON only; too deep, NUL or not JSON: 400 (issue 8)
    lookup_field = "number"
    filterset_class = ApplicationFilter
    serializer_class = ApplicationListSerializer
    queryset = Application.objects.none()  # replaced per user by get_queryset

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user)

    def get_object(self):
        """The application if the user may view it; otherwise 404, the same whether it exists or not."""
        application = selectors.application_for(self.request.user, self.kwargs["number"])
        if application is None:
            raise exceptions.NotFound(NOT_FOUND)
        return application

    def require(self, permission, application):
        if not self.request.user.has_perm(permission, application):
            raise NotAllowed(REFUSALS[permission])

    def validated(self, serializer_class) -> dict:
        if serializer_class is None:
            return {}
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def detail_response(self, number, status_code=status.HTTP_200_OK, *, application=None):
        """The detail of the application numbered `number`, read again (a step has just changed it),
        or of `application` when it was read with its details already."""
        if application is None:
            application = selectors.application_with_details(number)
        data = ApplicationDetailSerializer(application, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def list(self, request):
        applications, counted = selectors.applications_listed(
            request.user, self.filter_queryset, rows=self.paginator.rows_to_read(request),
            counted=self.paginator.rows_to_count())
        page = self.paginator.paginate_queryset(applications.prefetch_related(None).values(*LIST_COLUMNS), request,
                                                view=self, counted_from=counted)
        return self.get_paginated_response(application_list_rows(page))

    def retrieve(self, request, number=None):
        # one read: whether the user may see it and everything the detail shows (issue 13)
        application = selectors.application_with_details(number, user=request.user)
        if application is None:
            raise exceptions.NotFound(NOT_FOUND)
        return self.detail_response(number, application=application)

    @extend_schema(operation_id="application_submit", summary="提交申请",
                   description="申请人网上申请，或窗口工作人员为到场的申请人录入（一窗受理）。"
                               "窗口申请的告知承诺事项当场出具告知书。权限：licensing.apply_for（申请人所代办的申请人；窗口工作人员）。",
                   request=SubmitSerializer,
                   responses={201: ApplicationDetailSerializer,
                              **_errors(400, 401, 403, 409, 429, **{"429": RATE_LIMITED})})
    def create(self, request):
        if not request.user.has_perm("licensing.use_window_desk") and not request.user.has_perm(
                "licensing.use_applicant_desk"):
            raise NotAllowed(gettext("只有申请人或窗口工作人员可以提交申请。"))
        data = self.validated(SubmitSerializer)
        with transaction.atomic():
            applicant = services.applicant_for_submission(actor=request.user, **data["applicant"])
            application = services.application_submit(
                item=data["item"], applicant=applicant, actor=request.user,
                channel=services.submission_channel(actor=request.user, requested=data.get("channel")),
                details=data["details"], wants_commitment=data["wants_commitment"], authority=data.get("authority"))
        return self.detail_response(application.number, status.HTTP_201_CREATED)

    issue_notice = _transition(
        "issue_notice", services.application_issue_notice, AS_OFFICER, summary="出具告知书",
        description="远程申请在收到后3个工作日内出具告知书（告知承诺指引第三条）；申请人须在3个工作日内递交承诺书。")
    commit = _transition(
        "commit", services.application_commit, AS_APPLICANT, CommitSerializer, summary="递交承诺书",
        description="递交签署的承诺书（7项确认）。申请时和承诺时应交的材料须已通过 materials/{material_id}/ 上传。"
                    "此后审批人员当场作出决定（告知承诺指引第五条）。")
    decide = _transition(
        "decide", services.application_decide, AS_OFFICER, summary="当场作出许可决定",
        description="收到承诺书和材料后当场作出准予许可决定，发放许可证，开始2个月核查期限。")
    choose_ordinary = _transition(
        "choose_ordinary", services.application_choose_ordinary, AS_APPLICANT, ReasonSerializer,
        summary="不作承诺，转一般程序", description="申请人不愿作出承诺的，按一般程序办理（告知承诺指引第十条）。")
    accept = _transition("accept", services.application_accept, AS_OFFICER, summary="受理（一般程序）",
                         description="受理后按承诺时限（工作日）计算决定期限。")
    request_correction = _transition(
        "request_correction", services.application_request_correction, AS_OFFICER, RequiredReasonSerializer,
        summary="要求补正", description="一次告知需补正的内容；补正期间暂停计时。")
    resubmit = _transition("resubmit", services.application_resubmit, AS_APPLICANT, ReasonSerializer,
                           summary="提交补正", description="补正后按剩余工作日继续计时。")
    approve = _transition("approve", services.application_approve, AS_OFFICER, ReasonSerializer,
                          summary="准予许可（一般程序）")
    reject = _transition("reject", services.application_reject, AS_OFFICER, RequiredReasonSerializer,
                         summary="不予许可", description="须说明理由。")
    withdraw = _transition("withdraw", services.application_withdraw, AS_APPLICANT, ReasonSerializer,
                           summary="撤回申请")
    revoke = _transition(
        "revoke", services.application_revoke, AS_OFFICER, RevokeSerializer, summary="撤销许可",
        description="承诺不实或未按期提交材料的，撤销许可决定（告知承诺指引第六、七条）；可同时记入诚信档案（第九条）。")
    forward = _transition(
        "forward", services.application_forward, AS_OFFICER, ForwardSerializer, summary="初审意见报送",
        description="初审（审核、审查）机关提出初审意见，连同全部申请材料报送下一环节，最后报送审批机关；"
                    "只有审批机关作出决定（行政许可法第三十五条；谁审批、谁负责）。")
    record_notice_receipt = _transition(
        "record_notice_receipt", services.application_record_notice_receipt, AS_OFFICER, NoticeReceiptSerializer,
        summary="登记告知书送达",
        description="以信函、传真或电子邮件送达告知书的，按送达回证登记送达日期；申请人自收到告知书之日起3个工作日内递交承诺书"
                    "（告知承诺指引第三条），登记前承诺书递交期限尚未起算。")
    declare_conditions = _transition(
        "declare_conditions", services.application_declare_conditions, AS_APPLICANT, NoteSerializer,
        summary="申报已具备经营许可条件",
        description="承诺在约定期限内具备许可条件的，提交约定材料后申报已达到条件；审批机关确认后方可开展经营（钦政发〔2019〕20号）。")
    confirm_conditions = _transition(
        "confirm_conditions", services.application_confirm_conditions, AS_OFFICER, NoteSerializer,
        summary="确认具备经营许可条件", description="确认后许可证载明自当日起可开展经营（钦政发〔2019〕20号）。")
    mark_filing_untrue = _transition(
        "mark_filing_untrue", services.application_mark_filing_untrue, AS_REGULATOR, FilingUntrueSerializer,
        summary="认定备案信息不实，责令改正",
        description="行业主管部门认定备案信息不实，责令备案人限期改正；备案信息虚假的同时记入诚信档案"
                    "（钦政发〔2019〕20号 二（四））。")
    correct_filing = _transition(
        "correct_filing", services.application_correct_filing, AS_APPLICANT, CorrectFilingSerializer,
        summary="改正备案信息", description="备案人改正备案信息，改正后重新推送行业主管部门。")

    @extend_schema(operation_id="application_material_upload", summary="上传材料",
                   description="上传一项材料（申请时、承诺时或决定后限期提交的）。权限：申请人一方（licensing.act_as_applicant）。",
                   parameters=[OpenApiParameter("material_id", int, OpenApiParameter.PATH,
                                                description="材料编号（见办件详情 materials[].id）")],
                   request={"multipart/form-data": MaterialUploadSerializer},
                   responses={200: MaterialSerializer, **_errors(400, 401, 403, 404, 409, 429, **{"429": RATE_LIMITED})})
    @action(detail=True, methods=["post"], url_path=r"materials/(?P<material_id>[0-9]+)", url_name="material-upload",
            parser_classes=[MultiPartParser])
    def upload_material(self, request, number=None, material_id=None):
        application = self.get_object()
        self.require(AS_APPLICANT, application)
        if not _ID.fullmatch(material_id):
            raise InvalidInput(gettext("该事项没有这项材料。"), field="material_id")
        upload = self.validated(MaterialUploadSerializer)["file"]
        try:
            with transaction.atomic():
                submission = services.material_submit(application=application, material_id=int(material_id),
                                                      upload=upload, actor=request.user)
        except InvalidInput as exc:
            raise exc.renamed({"files": "file"})  # the service speaks of the commit form's files
        return Response(MaterialSerializer(submission).data)


# --- public progress (公开办理进度, 钦政办〔2019〕72号) ------------------------------------------

PROGRESS_NOT_FOUND = gettext_lazy("办件编号或查询码不正确。")


class ProgressView(ApiErrorsMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public and read-only: no session, so no CSRF and no personal data

    @extend_schema(
        operation_id="progress_retrieve", summary="公开查询办理进度", tags=["progress"], auth=[],
        description="凭办件编号和查询码查询状态和各项期限，不含申请人信息。编号和查询码不区分大小写、忽略空格。"
                    "编号或查询码不正确时一律答 404，不透露办件是否存在。",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                                     description="办件的查询码（8位，提交时告知申请人）")],
        responses={200: ProgressSerializer, 404: OpenApiResponse(ErrorSerializer, description="编号或查询码不正确"),
                   429: OpenApiResponse(ErrorSerializer, description=RATE_LIMITED)},
    )
    def get(self, request, number):
        application = selectors.application_progress(number, request.query_params.get("code"))
        if application is None:
            raise exceptions.NotFound(PROGRESS_NOT_FOUND)
        return Response(ProgressSerializer(application).data)


urlpatterns = [
    path("progress/<str:number>/", ProgressView.as_view(), name="application-progress"),
]
