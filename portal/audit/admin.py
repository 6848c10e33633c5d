"""The audit trail in the admin: read-only, searchable, filterable, exported as CSV.

Nobody adds, changes or deletes rows here, the superuser included; exporting is itself audited.
"""
import csv

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.admin_readonly import ReadOnlyAdminMixin
from portal.exports import defuse
from portal.models import AuditAction, AuditEvent

CSV_COLUMNS = ["at", "actor_display", "role", "ip_address", "action", "outcome", "object_type", "object_id",
               "object_repr", "details"]


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    return defuse("" if value is None else str(value))  # no cell starts a formula (portal/exports.py)


def _csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the Chinese text as UTF-8
    yield writer.writerow([AuditEvent._meta.get_field(name).verbose_name for name in CSV_COLUMNS])
    for event in queryset.iterator(chunk_size=2000):
        row = [timezone.localtime(event.at).isoformat(), event.actor_display, event.role, event.ip_address,
               event.get_action_display(), event.get_outcome_display(), event.object_type, event.object_id,
               event.object_repr, event.details]
        yield writer.writerow([_cell(value) for value in row])


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_display", "role", "ip_address", "action", "outcome", "object_type", "object_repr"]
    list_filter = ["action", "outcome", "role", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_display", "ip_address", "object_id", "object_repr", "object_type"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    list_per_page = 100
    actions = ["export_csv"]

    @admin.action(description=_("导出所选审计日志（CSV）"), permissions=["view"])
    def export_csv(self, request, queryset):
        audit.record(request, AuditAction.EXPORT, None, "success", model="portal.auditevent",
                     rows=queryset.count())
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(_csv_rows(queryset.order_by("at", "id")), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
