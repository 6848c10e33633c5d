"""What the inbox API (v1) presents: the record as the regulator received it."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supervision.constants import InboxKind
from supervision.models import InboxRecord


@extend_schema_field({"type": "string", "enum": InboxKind.values})
class KindField(serializers.CharField):
    """The record's kind, inline in the schema (each app's `kind` enum differs)."""


@extend_schema_field({
    "type": "object", "additionalProperties": True,
    "description": _("推送报文（v1）：{type, id, timestamp, data}；data 含 application、decision、authority、regulator、"
                     "item、applicant、licence、commitment（承诺书全文：7项确认及答复、承诺类型、meet_by、签署人、签署时间、"
                     "承诺补交材料及期限）、documents（文书编号、验证码）。"),
})
class PayloadField(serializers.JSONField):
    pass


class InboxRecordSerializer(serializers.ModelSerializer):
    kind = KindField(help_text=_("approval.decided 许可决定；filing.recorded 备案；cancel.registered 经营信息登记；"
                                 "approval.revoked 撤销许可；filing.corrected 备案信息改正；"
                                 "registration.notice 登记告知（双告知）"))
    kind_label = serializers.CharField(help_text=_("类型名称"))
    # 双告知 (issue 16): a registration's 告知 is about no application (null); its enterprise and items are in
    # the payload's data.registration and data.items.
    application = serializers.CharField(source="application.number", allow_null=True,
                                        help_text=_("办件编号；登记告知（双告知）为 null"))
    item = serializers.CharField(source="item_code", help_text=_("事项编码，如 QZ-013"))
    applicant = serializers.CharField(source="applicant_name", help_text=_("申请人名称"))
    acknowledged_by = serializers.SerializerMethodField(help_text=_("签收人（未签收为空）"))
    payload = PayloadField(help_text=_("推送报文"))

    class Meta:
        model = InboxRecord
        fields = ["id", "kind", "kind_label", "application", "item", "applicant", "event_at", "due_at",
                  "delivered_at", "acknowledged_at", "acknowledged_by", "payload"]
        read_only_fields = fields

    def get_acknowledged_by(self, record) -> str:
        return str(record.acknowledged_by) if record.acknowledged_by_id else ""
