from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal.models import Organisation, User

from . import admin_calendar  # noqa: F401  (registers the calendar tables)
from .audit import admin as audit_admin  # noqa: F401  (registers the read-only audit trail)

admin.site.site_header = "钦州市“证照分离”政务服务平台 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "系统管理"


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "kind"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__level"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台角色", {"fields": ["full_name", "role", "organisation"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("平台角色", {"fields": ["full_name", "role", "organisation"]}),)
