"""What the applications API (v1) reads and writes.

Serializers only check the shape of the input and present the output; every rule of the
domain (check characters, the 7 confirmations, reasons, dates) is checked by the services,
so the browser, the API and the admin give the same answer.
"""
import datetime as dt

from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing import selectors
from licensing.constants import (
    COMMITMENT_CONFIRMATIONS, TRANSITIONS, Action, ApplicantKind, AuthorityRole, Channel, CommitmentKind, MaterialDue,
    MaterialStatus, ReformMode, ReviewOpinion, Route, Status,
)
from licensing.models import Item
from licensing.validators import normalise
from notices import services as notice_services
from notices.constants import DocumentKind, SealKind
from portal.masking import mask_identifier
from supervision.constants import CreditReason, FailureGround, InspectionStatus


# --- input -----------------------------------------------------------------------------------

class NewApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ApplicantKind.choices, error_messages={"invalid_choice": gettext_lazy("申请人类型无效。")},
                                   help_text=gettext_lazy("enterprise：企业（统一社会信用代码）；person：个人（居民身份证号码）"))
    identifier = serializers.CharField(max_length=40, allow_blank=True, help_text=gettext_lazy("统一社会信用代码或居民身份证号码"))
    name = serializers.CharField(max_length=200, allow_blank=True, help_text=gettext_lazy("企业名称或个人姓名"))


_NEW_APPLICANT_SCHEMA = {
    "type": "object",
    "required": ["kind", "identifier", "name"],
    "properties": {
        "kind": {"type": "string", "enum": ApplicantKind.values},
        "identifier": {"type": "string", "maxLength": 40},
        "name": {"type": "string", "maxLength": 200},
    },
}


@extend_schema_field({
    "oneOf": [{"type": "string", "maxLength": 40, "description": "已登记申请人的证件号码"}, _NEW_APPLICANT_SCHEMA],
    "description": "已登记申请人的证件号码，或 {kind, identifier, name} 以登记新申请人",
})
class ApplicantField(serializers.Field):
    """Either the identifier of a registered applicant, or {kind, identifier, name} to register one."""

    default_error_messages = {"invalid": gettext_lazy("申请人应为证件号码，或包含 kind、identifier、name 的对象。")}

    def to_internal_value(self, data):
        if isinstance(data, str) and normalise(data) and "\x00" not in data and len(data) <= 40:
            return {"identifier": normalise(data)}
        if isinstance(data, dict):
            new = NewApplicantSerializer(data=data)
            new.is_valid(raise_exception=True)
            return {"identifier": normalise(new.validated_data["identifier"]), "new": new.validated_data}
        self.fail("invalid")

    def to_representation(self, value):
        return value


AUTHORITY_NOT_AN_ID = gettext_lazy("审批机关应为机构编号。")


class SubmitSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=16, help_text=gettext_lazy("事项编码，如 QZ-013"))
    applicant = ApplicantField()
    channel = serializers.ChoiceField(
        Channel.choices, required=False, error_messages={"invalid_choice": gettext_lazy("申请渠道无效。")},
        help_text=gettext_lazy("申请人只能网上申请（默认 online）；窗口工作人员为 window（默认）或 mail"))
    details = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="",
                                    help_text=gettext_lazy("申请事项说明"))
    wants_commitment = serializers.BooleanField(
        default=True, help_text=gettext_lazy("实行告知承诺的事项：false 表示不愿作出承诺，按一般程序办理（告知承诺指引第十条）"))
    authority = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1,
        error_messages={"invalid": AUTHORITY_NOT_AN_ID, "min_value": AUTHORITY_NOT_AN_ID,
                        "max_value": AUTHORITY_NOT_AN_ID, "max_string_length": AUTHORITY_NOT_AN_ID},
        help_text=gettext_lazy("审批机关（实际办理机关的机构编号，见事项详情）：目录列有多个审批机关（择一审批或受委托机关）的事项"
                  "必须选择其一；只有一个审批机关的事项不填（谁审批、谁负责）"))

    def validate_item(self, code):
        item = Item.objects.filter(code=code.strip().upper()).first()
        if item is None:
            raise serializers.ValidationError(gettext("没有编码为“%(code)s”的事项。") % {"code": code[:16]})
        return item

    def validate(self, data):
        # As on the pages: an item with alternative deciders is never filed with the first by default.
        item = data.get("item")
        if item is not None and data.get("authority") is None and len(selectors.decider_options(item)) > 1:
            names = gettext("、").join(o.label for o in selectors.decider_options(item))
            raise serializers.ValidationError({"authority": gettext("请选择本事项的审批机关（%(names)s）。") % {"names": names}})
        return data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="", help_text=gettext_lazy("说明"))


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000, help_text=gettext_lazy("理由（必填）"),
                                   error_messages={"required": gettext_lazy("请填写理由。")})


class RevokeSerializer(RequiredReasonSerializer):
    credit_reason = serializers.ChoiceField(
        CreditReason.choices, required=False, allow_null=True, allow_blank=True, default=None,
        error_messages={"invalid_choice": gettext_lazy("记入诚信档案的原因无效。")},
        help_text=gettext_lazy("填写时同时记入申请人诚信档案（告知承诺指引第九条），此后该申请人不再适用告知承诺"))


_CONFIRMATIONS_HELP = format_lazy("{}{}", gettext_lazy("承诺书的7项确认，按顺序逐项为 true："), "".join(
    f"（{i}）{text}" for i, text in enumerate(COMMITMENT_CONFIRMATIONS, start=1)))  # the gazette's words
_CONFIRMATIONS_MESSAGE = gettext_lazy("承诺书的7项确认内容须逐项确认后方可提交。")


class CommitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        CommitmentKind.choices, error_messages={"invalid_choice": gettext_lazy("请选择承诺类型。"), "required": gettext_lazy("请选择承诺类型。")},
        help_text=gettext_lazy("already_meets：已具备许可条件；will_meet：承诺在约定期限内具备许可条件"))
    meet_by = serializers.DateField(required=False, allow_null=True, default=None,
                                    help_text=gettext_lazy("will_meet 时必填：承诺具备条件的日期（今天以后）"))
    confirmations = serializers.ListField(
        child=serializers.BooleanField(), min_length=len(COMMITMENT_CONFIRMATIONS),
        max_length=len(COMMITMENT_CONFIRMATIONS), help_text=_CONFIRMATIONS_HELP,
        error_messages={"required": _CONFIRMATIONS_MESSAGE, "min_length": _CONFIRMATIONS_MESSAGE,
                        "max_length": _CONFIRMATIONS_MESSAGE, "not_a_list": _CONFIRMATIONS_MESSAGE})
    signatory = serializers.CharField(allow_blank=True, max_length=64, help_text=gettext_lazy("签署人"),
                                      error_messages={"required": gettext_lazy("请填写签署人。")})


def _date_field(label, **kwargs):
    fill_in = format_lazy(gettext_lazy("请填写{label}。"), label=label)
    return serializers.DateField(help_text=format_lazy(gettext_lazy("{label}（YYYY-MM-DD）"), label=label), error_messages={
        "required": fill_in, "null": fill_in,
        "invalid": format_lazy(gettext_lazy("{label}格式应为 YYYY-MM-DD，如 2025-01-31。"), label=label),
        "datetime": format_lazy(gettext_lazy("{label}应为日期，不含时间。"), label=label)}, **kwargs)


class ForwardSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(
        ReviewOpinion.choices, help_text=gettext_lazy("agree：同意，建议准予许可；disagree：不同意，建议不予许可"),
        error_messages={"required": gettext_lazy("请选择初审意见（同意或不同意）。"), "invalid_choice": gettext_lazy("请选择初审意见（同意或不同意）。")})
    comments = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="",
                                     help_text=gettext_lazy("意见说明；不同意的须说明理由"))


class NoticeReceiptSerializer(serializers.Serializer):
    received_on = _date_field(gettext_lazy("送达回证载明的送达日期"))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="", help_text=gettext_lazy("说明（可不填）"))


class FilingUntrueSerializer(serializers.Serializer):
    findings = serializers.CharField(allow_blank=True, max_length=2000, help_text=gettext_lazy("备案信息哪些内容不实（必填）"),
                                     error_messages={"required": gettext_lazy("请写明备案信息哪些内容不实。")})
    correct_by = _date_field(gettext_lazy("改正期限"))
    false_filing = serializers.BooleanField(default=False,
                                            help_text=gettext_lazy("true：备案信息虚假，同时记入备案人的诚信档案"))


class CorrectFilingSerializer(serializers.Serializer):
    details = serializers.CharField(allow_blank=True, max_length=4000, help_text=gettext_lazy("改正后的备案信息（必填）"),
                                    error_messages={"required": gettext_lazy("请填写改正后的备案信息。")})


class MaterialUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("PDF、JPG 或 PNG，不超过10MB（按内容判断，不看扩展名）"),
                                 error_messages={"required": gettext_lazy("请选择要上传的文件。"), "empty": gettext_lazy("上传的文件是空的。")})


# --- output ----------------------------------------------------------------------------------

class ItemBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicantBriefSerializer(serializers.Serializer):
    """The applicant as its viewer may see it: the identifier masked unless view_applicant_identity."""

    name = serializers.CharField(source="applicant.name")
    kind = serializers.ChoiceField(ApplicantKind.choices, source="applicant.kind")
    identifier = serializers.SerializerMethodField(help_text=gettext_lazy("无权查看身份信息者只见前4位和后4位"))

    def get_identifier(self, application) -> str:
        return selectors.identifier_for(self.context["request"].user, application)


class MaskedApplicantSerializer(ApplicantBriefSerializer):
    """In lists the identifier is always masked (issue 4): the full one is on the application itself."""

    def get_identifier(self, application) -> str:
        return selectors.identifier_for(self.context["request"].user, application, in_list=True)


class DeadlinesSerializer(serializers.Serializer):
    notice_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("告知书送达期限（远程申请：收到申请后3个工作日）"))
    commitment_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("承诺书递交期限（收到告知书后3个工作日）"))
    decision_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("作出决定期限（告知承诺：承诺当日；一般程序：承诺时限）"))
    materials_due = serializers.SerializerMethodField(help_text=gettext_lazy("最早一项决定后限期提交材料的期限"))
    inspection_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("事后核查期限（决定后2个月）"))

    def get_materials_due(self, application) -> dt.date | None:
        return selectors.materials_due(application)


class ApplicationListSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = ItemBriefSerializer()
    status = serializers.ChoiceField(Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    reform_mode = serializers.ChoiceField(ReformMode.choices, source="item.reform_mode")
    route = serializers.ChoiceField(Route.choices)
    channel = serializers.ChoiceField(Channel.choices)
    applicant = MaskedApplicantSerializer(source="*")
    submitted_at = serializers.DateTimeField()
    decision_due = serializers.DateField(allow_null=True)


# --- the list without a serializer per row (issue 13) ---------------------------------------------
# ApplicationListSerializer declares the API (the OpenAPI schema, and a row's shape); a page of the list
# is the same fields read as plain values: no model instances, serializer or field objects per row, and
# only the columns shown, not every column of the application, its item and its applicant.
# tests/licensing/test_api_list_rows.py checks the rows against ApplicationListSerializer.

LIST_COLUMNS = ("number", "status", "route", "channel", "submitted_at", "decision_due", "item__code",
                "item__name", "item__reform_mode", "applicant__name", "applicant__kind", "applicant__identifier")
_STATUS_LABELS = dict(Status.choices)
_TIMESTAMP, _DATE = serializers.DateTimeField(), serializers.DateField()


def application_list_rows(page) -> list[dict]:
    """ApplicationListSerializer's output for `page`: rows of `applications.values(*LIST_COLUMNS)`."""
    def when(field, value):
        return None if value is None else field.to_representation(value)

    return [{
        "number": r["number"],
        "item": {"code": r["item__code"], "name": r["item__name"]},
        "status": r["status"],
        "status_display": str(_STATUS_LABELS.get(r["status"], r["status"])),
        "reform_mode": r["item__reform_mode"],
        "route": r["route"],
        "channel": r["channel"],
        # In lists the identifier is always masked (MaskedApplicantSerializer).
        "applicant": {"name": r["applicant__name"], "kind": r["applicant__kind"],
                      "identifier": mask_identifier(r["applicant__identifier"])},
        "submitted_at": when(_TIMESTAMP, r["submitted_at"]),
        "decision_due": when(_DATE, r["decision_due"]),
    } for r in page]


class MaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="material_id", help_text=gettext_lazy("材料编号，上传时用于 materials/{material_id}/"))
    name = serializers.CharField(source="material.name")
    due = serializers.ChoiceField(MaterialDue.choices, source="material.due")
    due_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(MaterialStatus.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    # issue 16: a material obtained by sharing (status "shared") is not uploaded; where and when it came from
    obtained_from = serializers.CharField(help_text=gettext_lazy("通过信息共享获取的来源；申请人提交的材料为空"))
    obtained_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("通过信息共享获取的时间"))


class CommitmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(CommitmentKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    meet_by = serializers.DateField(allow_null=True)
    signatory = serializers.CharField()
    signed_at = serializers.DateTimeField()


class LicenceSerializer(serializers.Serializer):
    number = serializers.CharField()
    may_operate_from = serializers.DateField(allow_null=True, help_text=gettext_lazy("承诺在约定期限内具备条件的，具备条件并提交材料前为 null"))
    revoked_at = serializers.DateTimeField(allow_null=True)


class OperatingSerializer(serializers.Serializer):
    """钦政发〔2019〕20号 "达到经营许可条件并按要求提交材料后，方可开展经营" (licensing.selectors.operating_status)."""

    may_operate = serializers.BooleanField(help_text=gettext_lazy("持证人现在可否开展经营"))
    may_operate_from = serializers.DateField(allow_null=True, help_text=gettext_lazy("可开展经营日期；未达到经营条件为 null"))
    label = serializers.CharField(help_text=gettext_lazy("如“未达到经营条件，不得开展经营”或“可开展经营日期：…”"))
    note = serializers.CharField(help_text=gettext_lazy("承诺期限或申报情况，可为空"))


def _operating(application):
    status = selectors.operating_status(application)
    return OperatingSerializer(status).data if status else None


class DocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(DocumentKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    verification_code = serializers.CharField()
    issued_at = serializers.DateTimeField()
    # issue 12: versions, the seal, the PDF kept ahead of the download, the public verification page
    version = serializers.IntegerField(help_text=gettext_lazy("版本：许可证每次变更或撤销出具新版本，其他文书均为 1"))
    superseded = serializers.SerializerMethodField(help_text=gettext_lazy("许可证的旧版本（已被新版本取代）为 true"))
    seal = serializers.ChoiceField(SealKind.choices, help_text=gettext_lazy("PDF 所加签章：机关电子签章、演示签章或未加盖"))
    seal_display = serializers.CharField(source="get_seal_display")
    pdf_ready = serializers.SerializerMethodField(
        help_text=gettext_lazy("调用者可下载的 PDF（原件，或证件号码隐去部分字符的副本）已生成；为 false 时下载页提示正在生成"))
    verify_url = serializers.SerializerMethodField(help_text=gettext_lazy("公开验证网址（二维码所指），在平台的公开地址上"))

    def get_superseded(self, document) -> bool:
        # The licence's version is its newest document's (licensing.services.licences).
        licence = getattr(document.application, "licence", None)
        return document.kind == DocumentKind.LICENCE and licence is not None and document.version < licence.version

    def get_pdf_ready(self, document) -> bool:
        # The copy the caller downloads: the same right that shows the identifier in full (notices.views).
        masked = not selectors.may_see_identity(self.context["request"].user, document.application)
        return notice_services.document_pdf_ready(document, masked=masked)

    def get_verify_url(self, document) -> str:
        return notice_services.verification_url(document.verification_code)


def actor_label(user) -> str:
    """Staff appear by role and organisation, applicants by name; None is the system (a beat job)."""
    if user is None:
        return gettext("系统")
    if user.is_staff_role:
        org = gettext("（%(organisation)s）") % {"organisation": user.organisation.name} if user.organisation_id else ""
        return f"{user.get_role_display()}{org}"
    return str(user)


class EventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(Action.choices)
    action_display = serializers.CharField(source="get_action_display")
    from_status = serializers.CharField(help_text=gettext_lazy("提交时为空"))
    to_status = serializers.ChoiceField(Status.choices)
    actor = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    due_date = serializers.DateField(allow_null=True, help_text=gettext_lazy("该步骤应办的期限；无期限的为 null"))
    late_working_days = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("超过期限的工作日数；按期或无期限的为 null（逾期照常办理，如实记录）"))

    def get_actor(self, event) -> str:
        return actor_label(event.actor)


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    """One first-review stage (初审/审核/审查) and the opinion it forwarded (行政许可法 第三十五条)."""

    organisation = OrganisationBriefSerializer()
    role = serializers.ChoiceField(AuthorityRole.choices)
    role_display = serializers.CharField(source="get_role_display")
    opinion = serializers.ChoiceField(ReviewOpinion.choices, allow_blank=True, help_text=gettext_lazy("尚未报送的为空"))
    comments = serializers.CharField()
    forwarded_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("报送时间；尚未报送的为 null"))


class RevocationRequestSerializer(serializers.Serializer):
    """The regulator's open request to revoke (issue 10); the approving officer answers with revoke/."""

    regulator = serializers.CharField(source="inspection.regulator.name", default="", help_text=gettext_lazy("提请的行业主管部门"))
    ground = serializers.ChoiceField(FailureGround.choices)
    ground_display = serializers.CharField(source="get_ground_display")
    reason = serializers.CharField(help_text=gettext_lazy("提请撤销理由（核查情况）"))
    requested_at = serializers.DateTimeField()


class ApplicationDetailSerializer(ApplicationListSerializer):
    applicant = ApplicantBriefSerializer(source="*")
    query_code = serializers.SerializerMethodField(help_text=gettext_lazy("公开查询进度用；仅申请人及窗口工作人员可见，其他人为 null"))
    reform_mode_display = serializers.CharField(source="item.get_reform_mode_display")
    route_display = serializers.CharField(source="get_route_display")
    channel_display = serializers.CharField(source="get_channel_display")
    details = serializers.CharField()
    authority = serializers.SerializerMethodField(help_text=gettext_lazy("审批机关：以其名义作出决定的机关（谁审批、谁负责）"))
    entrusted = OrganisationBriefSerializer(allow_null=True, help_text=gettext_lazy("受委托机关：以审批机关名义办理的；无委托为 null"))
    reviewing = OrganisationBriefSerializer(
        allow_null=True, help_text=gettext_lazy("当前初审（审核、审查）机关；办件在审批机关办理时为 null"))
    reviews = ReviewSerializer(many=True, help_text=gettext_lazy("初审各环节，按办理顺序"))
    deadlines = DeadlinesSerializer(source="*")
    deadlines_provisional = serializers.BooleanField(help_text=gettext_lazy("期限涉及节假日安排尚未公布的年份，为暂定"))
    notice_received_at = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("申请人收到告知书的时间：网上、窗口为出具时；邮寄的为送达回证载明的日期，登记前为 null"
                                   "（此前承诺书递交期限 deadlines.commitment_due 尚未起算，为 null）"))
    conditions_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("承诺具备经营许可条件的期限；无此承诺为 null"))
    conditions_declared_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("持证人申报达到条件的时间"))
    conditions_met_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("审批机关确认具备条件的时间，此后可开展经营"))
    filing_correct_by = serializers.DateField(allow_null=True, help_text=gettext_lazy("备案信息不实、责令改正的期限；无则为 null"))
    overdue = serializers.SerializerMethodField(help_text=gettext_lazy("告知书送达或作出决定已超过期限"))
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closing_reason = serializers.CharField()
    materials = MaterialSerializer(many=True)
    commitment = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()
    operating = serializers.SerializerMethodField(help_text=gettext_lazy("许可证有效时持证人可否开展经营；无有效许可证为 null"))
    documents = DocumentSerializer(many=True)
    events = EventSerializer(many=True)
    revocation_request = serializers.SerializerMethodField(
        help_text=gettext_lazy("行业主管部门核查不实、提请撤销且尚待审批部门处理的，为提请内容；否则为 null"))
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("当前用户现在可以进行的操作（POST /applications/{number}/<操作>/，下划线写作连字符；rate 为"
                  " POST /applications/{number}/rating/）；页面按钮与此一致"))

    def get_query_code(self, application) -> str | None:
        if self.context["request"].user.has_perm("licensing.act_as_applicant", application):
            return application.query_code
        return None

    def get_overdue(self, application) -> bool:
        return selectors.application_overdue(application)

    @extend_schema_field(OrganisationBriefSerializer(allow_null=True))
    def get_authority(self, application):
        authority = selectors.authority_of(application)  # rows filed before the choice: the item's
        return OrganisationBriefSerializer(authority).data if authority else None

    # issue 15: "rate" (好差评) once the application has ended, posted to /applications/{number}/rating/
    @extend_schema_field(serializers.ListField(
        child=serializers.ChoiceField([a.value for a in TRANSITIONS] + ["rate"])))
    def get_allowed_actions(self, application) -> list[str]:
        return selectors.application_allowed_actions(application, self.context["request"].user)

    @extend_schema_field(CommitmentSerializer(allow_null=True))
    def get_commitment(self, application):
        commitment = getattr(application, "commitment", None)
        return CommitmentSerializer(commitment).data if commitment else None

    @extend_schema_field(RevocationRequestSerializer(allow_null=True))
    def get_revocation_request(self, application):
        revocation = selectors.revocation_request_of(application)
        return RevocationRequestSerializer(revocation).data if revocation else None

    @extend_schema_field(LicenceSerializer(allow_null=True))
    def get_licence(self, application):
        licence = getattr(application, "licence", None)
        return LicenceSerializer(licence).data if licence else None

    @extend_schema_field(OperatingSerializer(allow_null=True))
    def get_operating(self, application):
        return _operating(application)


class InspectionProgressSerializer(serializers.Serializer):
    """The regulator's check as the public sees it: status and dates, no finding and no names."""

    status = serializers.ChoiceField(InspectionStatus.choices)
    label = serializers.CharField(help_text=gettext_lazy("如：待核查、限期整改（整改期限…）、核查属实、承诺不实，已提请撤销许可"))
    due_date = serializers.DateField(allow_null=True, help_text=gettext_lazy("核查期限（决定后2个月）"))
    rectify_due = serializers.DateField(allow_null=True, help_text=gettext_lazy("限期整改中的整改期限，其他状态为 null"))


class ProgressSerializer(serializers.Serializer):
    """Public progress (公开办理进度, 简易办): status and dates, and nothing about who applied."""

    number = serializers.CharField()
    item = ItemBriefSerializer()
    reform_mode = serializers.ChoiceField(ReformMode.choices, source="item.reform_mode")
    status = serializers.ChoiceField(Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField()
    deadlines = DeadlinesSerializer(source="*")
    deadlines_provisional = serializers.BooleanField()
    overdue = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.SerializerMethodField(help_text=gettext_lazy("办结时间；备案信息不实、待改正期间为 null"))
    correct_by = serializers.DateField(allow_null=True, help_text=gettext_lazy("备案信息不实、责令改正的期限；无则为 null"))
    inspection = serializers.SerializerMethodField(help_text=gettext_lazy("事后核查状态（告知承诺件决定后），无则为 null"))
    operating = serializers.SerializerMethodField(help_text=gettext_lazy("许可证有效时持证人可否开展经营；无有效许可证为 null"))

    def get_overdue(self, application) -> bool:
        return selectors.application_overdue(application)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_closed_at(self, application):
        # One rule with the page (selectors.progress.settled_on): an untrue filing is not settled.
        return None if application.settled_on is None else serializers.DateTimeField().to_representation(
            application.closed_at)

    @extend_schema_field(OperatingSerializer(allow_null=True))
    def get_operating(self, application):
        return _operating(application)

    @extend_schema_field(InspectionProgressSerializer(allow_null=True))
    def get_inspection(self, application):
        progress = selectors.inspection_progress(application)
        return InspectionProgressSerializer(progress).data if progress else None
