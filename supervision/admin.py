"""Admins read the 诚信档案 and the inspections, and repair credit through the service."""
from django.contrib import admin, messages

from portal.admin_readonly import ReadOnlyAdminMixin
from supervision.models import CreditRecord, InboxRecord, Inspection
from supervision.services import credit_record_repair


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["applicant", "reason", "application", "recorded_at", "repaired_at"]
    list_filter = ["reason", ("repaired_at", admin.EmptyFieldListFilter)]
    search_fields = ["applicant__name", "application__number"]
    actions = ["repair"]

    @admin.action(description="信用修复（不再限制告知承诺）", permissions=["repair"])
    def repair(self, request, queryset):
        for record in queryset.filter(repaired_at__isnull=True):
            credit_record_repair(record=record, actor=request.user, note="经管理员审核准予信用修复")
        self.message_user(request, "已完成信用修复。", messages.SUCCESS)

    def has_repair_permission(self, request):
        return request.user.has_perm("supervision.change_creditrecord")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "regulator", "due_date", "status"]
    list_filter = ["status", "regulator"]
    search_fields = ["application__number"]
    date_hierarchy = "due_date"


@admin.register(InboxRecord)
class InboxRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What reached each organisation's inbox, and whether it was signed for (admins look, never sign)."""

    list_display = ["kind_label", "application", "organisation", "item_code", "event_at", "due_at", "delivered_at",
                    "acknowledged_at"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter), "organisation"]
    search_fields = ["application__number", "key", "applicant_name"]
    date_hierarchy = "delivered_at"
    list_select_related = ["application", "organisation"]
