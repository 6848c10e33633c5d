"""Admins read the 诚信档案 and the inspections, and repair credit through the service, under the
credit-repair rules they can read and edit here (issue 11). They read the 执法检查人员库 that regulators
keep on their desk, and remove a declared conflict (回避) entered by mistake, through the service (issue 14)."""
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from portal.admin_readonly import ReadOnlyAdminMixin
from portal.admin_safe import HistoryAdmin
from portal.exceptions import ServiceError
from supervision.constants import credit_repair_default_basis
from supervision.directories import inspector_conflict_remove
from supervision.models import CreditRecord, CreditRepairRule, InboxRecord, Inspection, Inspector, InspectorConflict
from supervision.services import credit_record_repair

# Shown above the list of rules: the default and where it comes from.
REPAIR_RULES_DESCRIPTION = _(
    "默认规则：各类诚信档案记录均不予信用修复。依据：《告知承诺指引》（钦政发〔2019〕18号附件3）第九条规定，"
    "记入诚信档案的申请单位（人）“今后…不再适用告知承诺的许可方式”，未规定信用修复，也未规定期限；"
    "钦政发〔2019〕18号、20号只要求建立信用修复机制，未规定可修复的记录种类和期限。"
    "自治区或本市此后出台信用修复办法的，可依该办法勾选“可以信用修复”、设定记入满几个月后可修复，"
    "并在“依据”中写明该办法的名称、文号和条款。规则的每次修改都留有历史记录。"
)


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["applicant", "reason", "application", "recorded_at", "repaired_at"]
    list_filter = ["reason", ("repaired_at", admin.EmptyFieldListFilter)]
    search_fields = ["applicant__name", "application__number"]
    actions = ["repair"]

    @admin.action(description=_("信用修复（不再限制告知承诺）"), permissions=["repair"])
    def repair(self, request, queryset):
        repaired = 0
        for record in queryset.filter(repaired_at__isnull=True):
            try:
                # the note is kept in the record itself, in Chinese whatever the admin's language
                credit_record_repair(record=record, actor=request.user, note="经管理员审核准予信用修复")
                repaired += 1
            except ServiceError as refusal:  # the repair rule says no: say why, per record
                said = gettext("%(record)s：%(refusal)s") % {"record": record, "refusal": refusal.message}
                self.message_user(request, said, messages.ERROR)
        if repaired:
            self.message_user(request, ngettext("已完成信用修复 %(count)d 条。", "已完成信用修复 %(count)d 条。", repaired)
                              % {"count": repaired}, messages.SUCCESS)

    def has_repair_permission(self, request):
        return request.user.has_perm("supervision.change_creditrecord")


class CreditRepairRuleForm(forms.ModelForm):
    class Meta:
        model = CreditRepairRule
        fields = ["repairable", "after_months", "basis"]

    def clean(self):
        data = super().clean()
        # Opening repair departs from 第九条's default: it must name the rule that allows it.
        if data.get("repairable") and data.get("basis", "").strip() == credit_repair_default_basis(
                self.instance.reason):
            self.add_error("basis", gettext("开放信用修复须在“依据”中写明允许修复的文件名称、文号和条款。"))
        return data


@admin.register(CreditRepairRule)
class CreditRepairRuleAdmin(HistoryAdmin):
    """One rule per kind of record (created by migration 0004): edited, never added or deleted."""

    form = CreditRepairRuleForm
    list_display = ["reason", "repairable", "after_months", "basis"]
    fields = ["reason", "repairable", "after_months", "basis"]
    readonly_fields = ["reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "rules_description": REPAIR_RULES_DESCRIPTION}
        return super().changelist_view(request, extra_context)


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "regulator", "due_date", "status"]
    list_filter = ["status", "regulator"]
    search_fields = ["application__number"]
    date_hierarchy = "due_date"


@admin.register(InboxRecord)
class InboxRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What reached each organisation's inbox, and whether it was signed for (admins look, never sign)."""

    list_display = ["kind_label", "application", "registration", "organisation", "item_code", "event_at", "due_at",
                    "delivered_at", "acknowledged_at"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter), "organisation"]
    search_fields = ["application__number", "key", "applicant_name"]
    date_hierarchy = "delivered_at"
    list_select_related = ["application", "registration", "organisation"]


# --- issue 14: 执法检查人员库 ------------------------------------------------------------------------

@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Kept by each organisation's regulators on their desk (supervision.directories, audited); read here."""

    list_display = ["code", "user", "organisation", "active", "added_at"]
    list_filter = ["active", "organisation"]
    search_fields = ["=code", "user__username", "user__full_name"]
    list_select_related = ["user", "organisation"]
    date_hierarchy = "added_at"


@admin.register(InspectorConflict)
class InspectorConflictAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Declared by the regulators on their desk; only an admin removes one, through the service (an audit
    row), and its history stays."""

    list_display = ["inspector", "applicant_name", "applicant_identifier", "relation", "declared_at", "declared_by"]
    list_filter = ["inspector__organisation", "declared_at"]
    search_fields = ["=inspector__code", "inspector__user__username", "inspector__user__full_name",
                     "applicant__name", "=applicant__identifier"]
    list_select_related = ["inspector__user", "applicant", "declared_by"]
    date_hierarchy = "declared_at"

    @admin.display(description=_("监管对象"))
    def applicant_name(self, conflict):
        return conflict.applicant.name

    @admin.display(description=_("证件号码"))
    def applicant_identifier(self, conflict):
        return conflict.applicant.masked_identifier  # lists mask it; the search finds the full code

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("supervision.delete_inspectorconflict")

    def delete_model(self, request, obj):
        inspector_conflict_remove(conflict=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for conflict in queryset.select_related("inspector"):
            inspector_conflict_remove(conflict=conflict, actor=request.user)
