from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from licensing.models import (
    Applicant,
    Application,
    ApplicationEvent,
    Item,
    ItemAuthority,
    Material,
    QuarterlyReport,
    Rating,
    RegulatorRoute,
    ScopeKeyword,
)
from licensing.models import Registration, RegistrationItem, RegistrationSender  # issue 16: 双告知 intake
from licensing.services import registrations as registration_services
from licensing.services.records import records_route_pending
from portal import exports
from portal.admin_a11y import LabelledTabularInline
from portal.admin_readonly import ReadOnlyAdminMixin
from portal.admin_safe import ExportFiltersMixin, HistoryAdmin


class MeasuresWidget(widgets.Widget):
    """Measures travel in spreadsheets as one cell, one measure per line, in order."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return [line.strip() for line in str(value).splitlines() if line.strip()]

    def render(self, value, obj=None, **kwargs):
        return "\n".join(value or [])


class ItemResource(resources.ModelResource):
    # A blank text cell reads back from xlsx as None; as text it is "" (the columns are NOT NULL).
    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "TextField": widgets.CharWidget}
    measures = fields.Field(attribute="measures", column_name="measures", widget=MeasuresWidget())

    class Meta:
        model = Item
        import_id_fields = ["code"]
        skip_unchanged = True
        report_skipped = True
        fields = ["seq_no", "code", "name", "reform_mode", "measures", "remark", "compression",
                  "legal_basis", "conditions", "statutory_days", "committed_days_override",
                  "inspection_months", "licence_valid_years", "is_demo_content",
                  "printed_name", "printed_authorities", "repair_note", "authority_note"]
        export_order = fields


class ItemAuthorityInline(LabelledTabularInline):
    """Each implementing authority and its role. A 委托 row names its 委托机关 (entrusted_by), and only a
    委托 row does: ItemAuthority.clean() says so on that field, which must therefore be in the form
    (an error on a field the form lacks is a ValueError, a 500). A plain select, not autocomplete, for
    the reason given on RegulatorRouteInline."""

    model = ItemAuthority
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["order", "organisation", "role", "entrusted_by", "variant_name", "remark"]


class RegulatorRouteInline(LabelledTabularInline):
    """Who gets this item's approval records (issue 9); with no row, an industry department that
    approves is its own regulator, and an approval bureau's records wait unrouted."""

    model = RegulatorRoute
    extra = 0
    # Plain selects, not autocomplete: the catalogue has a few dozen organisations, and the
    # autocomplete widget looks up whatever id a hostile form sends back (a 500, not a 400).
    fields = ["level", "authority", "regulator"]


class MaterialInline(LabelledTabularInline):
    model = Material
    extra = 0
    # shared_source: got through the data-sharing platform, never asked of the applicant (issue 16)
    fields = ["order", "name", "due", "due_working_days", "shared_source", "description"]


class ScopeKeywordInline(LabelledTabularInline):
    """The business-scope wording that leads the finder to this item (issue 15, licensing.selectors.scope)."""

    model = ScopeKeyword
    extra = 0
    fields = ["keyword", "weight"]


@admin.register(Item)
class ItemAdmin(ExportFiltersMixin, ImportExportModelAdmin, HistoryAdmin):
    resource_classes = [ItemResource]
    formats = exports.FORMATS  # xlsx and csv whose cells never start a formula
    list_display = ["seq_no", "code", "name", "reform_mode", "statutory_days", "committed_days_display",
                    "is_demo_content"]
    list_display_links = ["code", "name"]
    list_filter = ["reform_mode", "compression", "is_demo_content", "authorities__organisation__level",
                   "authorities__organisation"]
    search_fields = ["name", "code", "remark", "authorities__organisation__name", "authorities__variant_name"]
    ordering = ["seq_no", "code"]
    inlines = [ItemAuthorityInline, MaterialInline, RegulatorRouteInline, ScopeKeywordInline]
    history_list_display = ["reform_mode", "statutory_days", "legal_basis"]
    fieldsets = [
        (None, {"fields": ["seq_no", "code", "name", "reform_mode", "remark"]}),
        # What 附件2 printed where a cell was repaired or needs reading (issue 11); the guide shows it.
        (_("目录原文与修订说明"), {"fields": ["printed_name", "printed_authorities", "repair_note", "authority_note"],
                                 "description": _("公报附件2原文有误、经推断修订，或多个实施机关的关系需要说明时填写；"
                                                  "办事指南将原文与修订并列显示。")}),
        (_("改革举措"), {"fields": ["measures"]}),
        (_("办理要素（由审批部门补充）"), {"fields": [
            "legal_basis", "conditions", "statutory_days", "compression", "committed_days_override",
            "inspection_months", "licence_valid_years", "is_demo_content"]}),
    ]

    @admin.display(description=_("承诺时限（工作日）"))
    def committed_days_display(self, obj):
        return obj.committed_days

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _route_waiting_records(request)


def _route_waiting_records(request):
    """A route just saved may name the regulator that records waiting unrouted need: send them now
    rather than at the next beat run, and tell the admin."""
    routed = records_route_pending()
    if routed:
        messages.info(request, gettext("已按新的推送路由发出 %(count)s 件办件的待推送审批信息：%(numbers)s。") % {
            "count": len(routed), "numbers": gettext("、").join(routed[:20])})


@admin.register(ScopeKeyword)
class ScopeKeywordAdmin(admin.ModelAdmin):
    """经营范围 → 许可事项 (issue 15): the finder's keywords as one list. A save or delete renews the catalogue's
    cached answers (licensing/apps.py), so the finder's next answer uses it. A plain item select, for the reason
    given on RegulatorRouteInline."""

    list_display = ["keyword", "item", "weight"]
    list_editable = ["weight"]
    list_filter = ["item__reform_mode", "item"]
    search_fields = ["keyword", "item__name", "item__code"]
    list_select_related = ["item"]
    fields = ["keyword", "item", "weight"]


@admin.register(RegulatorRoute)
class RegulatorRouteAdmin(HistoryAdmin):
    """The routing table as one list: which regulator gets each item's approval records (issue 9)."""

    list_display = ["item", "level", "authority", "regulator"]
    list_filter = ["level", "regulator"]
    search_fields = ["item__name", "item__code", "regulator__name", "authority__name"]
    list_select_related = ["item", "authority", "regulator"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _route_waiting_records(request)


class ReadOnlyInline(ReadOnlyAdminMixin, LabelledTabularInline):
    extra = 0


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = readonly_fields = ["at", "action", "from_status", "to_status", "actor", "reason"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Admins look applications up; every change goes through the services (the pages and the API)."""

    list_display = ["number", "item", "applicant", "status", "route", "channel", "submitted_at", "decision_due"]
    list_filter = ["status", "item__reform_mode", "route", "channel"]
    search_fields = ["number", "item__name", "applicant__name"]
    date_hierarchy = "submitted_at"
    inlines = [EventInline]
    list_select_related = ["item", "applicant"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "masked_identifier", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "=identifier"]  # the full code, exactly: no browsing by fragments
    readonly_fields = ["kind", "identifier", "created_at"]
    fields = ["kind", "identifier", "name", "legal_representative", "address", "phone", "created_at"]

    @admin.display(description=_("证件号码"))
    def masked_identifier(self, obj):
        return obj.masked_identifier

    def has_add_permission(self, request):
        return False  # registered by the services, with the check character verified

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reports the beat job made (licensing.reports): admins look them up; each department downloads its own
    from its desk."""

    list_display = ["organisation", "year", "quarter", "generated_at"]
    list_filter = ["year", "quarter"]
    search_fields = ["organisation__name", "organisation__code"]
    list_select_related = ["organisation"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """好差评 (issue 15): admins look ratings and answers up; the applicant rates and the authority answers on
    their pages (licensing.services.ratings)."""

    list_display = ["application", "organisation", "level", "rated_at", "follow_up_due", "answered_at"]
    list_filter = ["level", "organisation"]
    search_fields = ["application__number", "organisation__name"]
    date_hierarchy = "rated_at"
    list_select_related = ["application", "organisation"]


# --- issue 16: 双告知 intake from the business registration system ------------------------------------------

SENDER_SHOWN_ONCE = _("%(sender)s 已添加。令牌和签名密钥只显示这一次，请立即交给登记系统妥善保存。"
                      "令牌（Authorization: Bearer）：%(token)s　签名密钥：%(secret)s")


@admin.register(RegistrationSender)
class RegistrationSenderAdmin(admin.ModelAdmin):
    """The systems allowed to post registrations. Adding one goes through the service, which makes its token
    and whsec_ secret and shows them once; only the token's SHA-256 is kept, so it is never shown again."""

    list_display = ["name", "organisation", "active", "secret_fingerprint", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["secret_fingerprint", "created_at", "last_used_at"]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("签名密钥（末4位）"))
    def secret_fingerprint(self, obj):
        return f"whsec_…{obj.secret[-4:]}" if obj.secret else ""

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "organisation"]
        return ["name", "organisation", "active", "secret_fingerprint", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        sender, token = registration_services.registration_sender_create(name=obj.name,
                                                                         organisation=obj.organisation)
        for field in RegistrationSender._meta.concrete_fields:
            setattr(obj, field.attname, getattr(sender, field.attname))
        obj._state.adding = False
        self.message_user(request, SENDER_SHOWN_ONCE % {"sender": sender, "token": token, "secret": sender.secret},
                          messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False  # its registrations name it: it is switched off instead

    @admin.action(description=_("启用所选发送方"), permissions=["change"])
    def activate(self, request, queryset):
        self._switch(request, queryset, True)
        self.message_user(request, gettext("已启用所选发送方。"), messages.SUCCESS)

    @admin.action(description=_("停用所选发送方"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._switch(request, queryset, False)
        self.message_user(request, gettext("已停用所选发送方：其令牌即时失效。"), messages.SUCCESS)

    def _switch(self, request, queryset, active: bool) -> None:
        for sender in queryset.exclude(active=active):  # each change in the admin's log (and so the audit trail)
            RegistrationSender.objects.filter(pk=sender.pk).update(active=active)
            self.log_change(request, sender, [{"changed": {"fields": ["active"]}}])


class RegistrationItemInline(ReadOnlyInline):
    model = RegistrationItem
    fields = readonly_fields = ["item", "reform_mode", "words"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The registrations received (read only): the intake service writes them, with the items they need."""

    list_display = ["name", "uscc", "event_id", "sender", "change", "registered_on", "received_at", "told_at"]
    list_filter = ["change", "sender"]
    search_fields = ["name", "=uscc", "=event_id"]
    date_hierarchy = "received_at"
    inlines = [RegistrationItemInline]
    list_select_related = ["sender"]
