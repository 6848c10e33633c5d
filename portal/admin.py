from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import services_otp
from portal.admin_safe import HistoryAdmin
from portal.exceptions import ServiceError
from portal.models import ExternalIdentity, Organisation, User

from . import admin_calendar  # noqa: F401  (registers the calendar tables)
from .audit import admin as audit_admin  # noqa: F401  (registers the read-only audit trail)

admin.site.site_header = gettext_lazy("钦州市“证照分离”政务服务平台 管理后台")
admin.site.site_title = gettext_lazy("管理后台")
admin.site.index_title = gettext_lazy("系统管理")

# django-otp's device admins show each authenticator's secret (its QR code): whoever reads it
# holds that user's second factor. Admins reset a user's devices from the user list instead
# (UserAdmin.reset_second_factor), and the user binds a new one.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["code", "name", "level", "kind", "contact_email"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__level"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (gettext_lazy("平台角色"), {"fields": ["full_name", "role", "organisation", "language"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (gettext_lazy("平台角色"), {"fields": ["full_name", "role", "organisation", "language"]}),)
    actions = ["reset_second_factor"]

    @admin.action(description=gettext_lazy("重置两步验证设备（用户须重新绑定身份验证器）"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            try:
                removed = services_otp.otp_devices_reset(user=user, actor=request.user)
            except ServiceError as refused:
                self.message_user(request, _("%(user)s：%(message)s") % {"user": user, "message": refused.message},
                                  messages.ERROR)
                continue
            self.message_user(request, _("%(user)s：已删除%(removed)s个两步验证设备，下次登录时须重新绑定。") % {
                "user": user, "removed": removed}, messages.SUCCESS)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Issue 16: the accounts' links to 统一身份认证, read only: made by the sign-in alone (licensing/oidc.py)."""

    list_display = ["user", "provider", "subject", "linked_at", "last_sign_in_at"]
    list_filter = ["provider"]
    search_fields = ["subject", "user__username", "user__full_name"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
