"""Admins add regulators' endpoints and rotate their secrets, and watch and re-send approval records.

Every change goes through notices.endpoints / notices.outbox (audited there; the admin's own
LogEntry is audited too, portal/audit/receivers.py). A new secret is shown once, in a message to
the admin who made it; the pages show only its fingerprint afterwards.
"""
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notices import endpoints
from notices.constants import OutboxStatus
from notices.models import OutboxRecord, RegulatorEndpoint
from notices.outbox import outbox_resend
from portal.admin_readonly import ReadOnlyAdminMixin
from portal.exceptions import ServiceError

SECRET_SHOWN_ONCE = gettext_lazy("%(org)s 的新签名密钥（只显示这一次，请立即交给接收方妥善保存）：%(secret)s")


class EndpointAddForm(forms.ModelForm):
    # A plain text field: notices.endpoints.url_check is the one rule for what an address may be.
    url = forms.CharField(label=gettext_lazy("接收地址"), max_length=endpoints.URL_MAX_LENGTH,
                          help_text=gettext_lazy("须以 https:// 开头；保存后系统生成签名密钥，只显示一次。"))

    class Meta:
        model = RegulatorEndpoint
        fields = ["organisation", "url"]

    def clean(self):
        cleaned = super().clean()
        if self.has_error("organisation") or self.has_error("url"):
            return cleaned
        try:
            cleaned["url"] = endpoints.endpoint_check(organisation=cleaned.get("organisation"), url=cleaned.get("url"))
        except ServiceError as refused:
            for field, problems in refused.errors.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return cleaned


@admin.register(RegulatorEndpoint)
class RegulatorEndpointAdmin(admin.ModelAdmin):
    list_display = ["organisation", "url", "active", "secret_fingerprint", "rotated_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["organisation__code", "organisation__name", "url"]
    list_select_related = ["organisation"]
    # A plain select, not autocomplete: Django's autocomplete widget queries whatever value a
    # refused form sends back ("x1" as an id: a 500); the organisations are a few dozen.
    readonly_fields = ["secret_fingerprint", "previous_fingerprint", "rotated_at", "created_at"]
    actions = ["rotate_secret", "deactivate"]

    @admin.display(description=gettext_lazy("签名密钥（末4位）"))
    def secret_fingerprint(self, obj):
        return endpoints.fingerprint(obj.secret)

    @admin.display(description=gettext_lazy("上一个签名密钥（末4位）"))
    def previous_fingerprint(self, obj):
        return endpoints.fingerprint(obj.previous_secret)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EndpointAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "url"]
        return ["organisation", "url", "active", "secret_fingerprint", "previous_fingerprint", "rotated_at",
                "created_at"]

    def save_model(self, request, obj, form, change):
        """Adding goes through the service, which makes the secret; the admin sees it here, once."""
        endpoint, secret = endpoints.endpoint_add(organisation=obj.organisation, url=obj.url, actor=request.user)
        for field in RegulatorEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(endpoint, field.attname))
        obj._state.adding = False
        self.message_user(request, SECRET_SHOWN_ONCE % {"org": endpoint.organisation, "secret": secret},
                          messages.WARNING)

    # Changes only through the actions (each a service, audited); nobody deletes an endpoint that
    # records name: it is switched off instead.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_manage_permission(self, request):
        return request.user.has_perm("notices.change_regulatorendpoint")

    def _refused(self, request, endpoint, refused):
        self.message_user(request, _("%(endpoint)s：%(message)s") % {"endpoint": endpoint, "message": refused.message},
                          messages.ERROR)

    @admin.action(description=gettext_lazy("轮换签名密钥"), permissions=["manage"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset.select_related("organisation"):
            try:
                secret = endpoints.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
            except ServiceError as refused:
                self._refused(request, endpoint, refused)
                continue
            self.message_user(request, SECRET_SHOWN_ONCE % {"org": endpoint.organisation, "secret": secret},
                              messages.WARNING)

    @admin.action(description=gettext_lazy("停用接收接口"), permissions=["manage"])
    def deactivate(self, request, queryset):
        for endpoint in queryset.select_related("organisation"):
            try:
                endpoints.endpoint_deactivate(endpoint=endpoint, actor=request.user)
            except ServiceError as refused:
                self._refused(request, endpoint, refused)
                continue
            self.message_user(request, _("%(endpoint)s：已停用。") % {"endpoint": endpoint}, messages.SUCCESS)


@admin.register(OutboxRecord)
class OutboxRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "application", "registration", "recipient_org", "destination", "status", "attempts",
                    "due_at", "delivered_at", "last_error"]
    list_filter = ["status", "kind", "destination"]
    search_fields = ["application__number", "registration__uscc", "idempotency_key"]
    list_select_related = ["application", "registration", "recipient_org"]
    date_hierarchy = "due_at"
    actions = ["resend"]

    def has_resend_permission(self, request):
        return request.user.has_perm("notices.change_outboxrecord")

    @admin.action(description=gettext_lazy("重新推送"), permissions=["resend"])
    def resend(self, request, queryset):
        sent, skipped = 0, 0
        for record in queryset:
            try:
                outbox_resend(record=record, actor=request.user)
            except ServiceError:
                skipped += 1  # not dead (delivered, pending, on its way): nothing to re-send
                continue
            sent += 1
        resent = ngettext("已重新推送%(count)d条记录。", "已重新推送%(count)d条记录。", sent) % {"count": sent}
        self.message_user(request, resent, messages.SUCCESS if sent else messages.INFO)
        if skipped:
            self.message_user(request, ngettext("%(count)d条记录不是“%(status)s”状态，已跳过。",
                                                "%(count)d条记录不是“%(status)s”状态，已跳过。", skipped)
                              % {"count": skipped, "status": OutboxStatus.DEAD.label}, messages.WARNING)
