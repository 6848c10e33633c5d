"""What the 双随机 API (v1, issue 14) reads and presents: a regulator's plans and their draws.

The input serializer only checks the shape (lists of codes, dates, integers); what a plan needs (a title,
known items and authorities, the period, one sample size, at least two inspectors of the regulator's own
library) is supervision.draws.clean_plan's, all at once, so the page and the API give the same answers.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supervision import selectors_draws as draws
from supervision.constants import DrawStatus
from supervision.models import DrawPlan

# --- input -----------------------------------------------------------------------------------------

CODES = {"not_a_list": _("应为编码的列表。"), "max_length": _("编码过多。")}
DATE = {"invalid": _("请按 YYYY-MM-DD 填写日期。")}
INTEGER = {"invalid": _("应为整数。"), "max_string_length": _("数字过长。")}


def _codes(help_text):
    return serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=2000,
                                 error_messages=CODES, help_text=help_text)


def _date(help_text):
    return serializers.DateField(required=False, allow_null=True, error_messages=DATE, help_text=help_text)


def _integer(help_text):
    return serializers.IntegerField(required=False, allow_null=True, error_messages=INTEGER, help_text=help_text)


class DrawPlanInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text=_("计划名称（200字以内）"),
                                  error_messages={"max_length": _("计划名称不超过200个字。")})
    items = _codes(_("事项编码，如 [\"QZ-013\"]；不填：本部门监管的所有事项"))
    authorities = _codes(_("县区：审批部门的机构代码；不填：不限审批部门"))
    licensed_from = _date(_("许可（备案）日期起（YYYY-MM-DD）"))
    licensed_until = _date(_("许可（备案）日期止（YYYY-MM-DD，不晚于今天）"))
    sample_percent = _integer(_("抽取比例（%，1至100，向上取整）；与 sample_count 只填一项"))
    sample_count = _integer(_("抽取户数；与 sample_percent 只填一项"))
    inspectors_per_entity = _integer(_("每户执法检查人员数，不少于2（默认2）"))
    inspectors = _codes(_("参加抽取的执法检查人员的执法证号（本部门执法检查人员库中在库的）"))
    due_date = _date(_("检查完成期限（YYYY-MM-DD，晚于今天）"))


# --- output ----------------------------------------------------------------------------------------



@extend_schema_field({"type": "array", "description": _("[名录序号, 执法证号]：申报回避的组合"),
                      "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}})
class ExclusionsOutput(serializers.JSONField):
    pass


class PoolEntrySerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text=_("名录序号（按统一社会信用代码或证件号码排序，从1起）"))
    code = serializers.CharField(help_text=_("统一社会信用代码（个人的证件号码打码）"))
    name = serializers.CharField(help_text=_("名称（个人只显示姓）"))


class RosterEntrySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("执法证号"))
    name = serializers.CharField(help_text=_("姓名（打码）"))


class PickInspectorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("执法证号"))
    name = serializers.SerializerMethodField(help_text=_("姓名"))

    def get_name(self, inspector) -> str:
        return inspector.user.full_name or inspector.user.username


class PickInspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("核查编号：/api/v1/inspections/{id}/"))
    application = serializers.CharField(source="application.number", help_text=_("办件编号"))
    item = serializers.CharField(source="application.item.code", help_text=_("事项编码"))
    status = serializers.CharField(help_text=_("核查状态（同 /api/v1/inspections/）"))
    status_label = serializers.CharField(source="get_status_display")


class PickSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text=_("抽取顺序"))
    n = serializers.IntegerField(source="pool_no", help_text=_("名录序号"))
    entity = serializers.SerializerMethodField(help_text=_("名录中的该户（与 pool 相同）"))
    inspectors = PickInspectorSerializer(many=True, help_text=_("抽中的执法检查人员"))
    inspections = PickInspectionSerializer(many=True, help_text=_("由此生成的检查任务（每个在名录内的办件一项）"))

    @extend_schema_field(PoolEntrySerializer)
    def get_entity(self, pick):
        return draws.pool_entry(pick.plan, pick.pool_no)


class DrawPlanSerializer(serializers.ModelSerializer):
    """抽查计划（列表中不含名录等抽取数据，见 GET /api/v1/draws/{id}/）。"""

    organisation = serializers.CharField(source="organisation.name", help_text=_("抽查部门"))
    status = serializers.CharField(help_text=_("draft 待抽取；drawn 已抽取（不能再修改或重新抽取）"))
    status_label = serializers.CharField(source="get_status_display")
    pool_size = serializers.SerializerMethodField(help_text=_("抽取时名录的户数（待抽取的为 null）"))

    class Meta:
        model = DrawPlan
        fields = ["id", "number", "organisation", "title", "status", "status_label", "licensed_from",
                  "licensed_until", "sample_percent", "sample_count", "inspectors_per_entity", "due_date",
                  "created_at", "drawn_at", "algorithm", "seed", "pool_size"]
        read_only_fields = fields

    def get_pool_size(self, plan) -> int | None:
        return plan.pool_size if plan.status == DrawStatus.DRAWN else None


class DrawPlanDetailSerializer(DrawPlanSerializer):
    """抽查计划的范围；已抽取的，还有抽取所依据的名录、执法检查人员、回避和抽取结果。"""

    items = serializers.SerializerMethodField(help_text=_("事项编码（空：本部门监管的所有事项）"))
    authorities = serializers.SerializerMethodField(help_text=_("审批部门的机构代码（空：不限）"))
    inspectors = serializers.SerializerMethodField(help_text=_("参加抽取的执法检查人员的执法证号"))
    pool_size = serializers.SerializerMethodField(help_text=_("名录户数：已抽取的为抽取时的户数，待抽取的为按当前条件的户数"))
    pool = PoolEntrySerializer(many=True, help_text=_("抽取时的监管对象名录（待抽取的为空）"))
    roster = RosterEntrySerializer(many=True, help_text=_("抽取时参加抽取的执法检查人员（待抽取的为空）"))
    exclusions = ExclusionsOutput(help_text=_("回避（待抽取的为空）"))
    picks = serializers.SerializerMethodField(help_text=_("抽取结果，按抽取顺序（待抽取的为空）"))

    class Meta(DrawPlanSerializer.Meta):
        fields = [*DrawPlanSerializer.Meta.fields, "items", "authorities", "inspectors", "pool", "roster",
                  "exclusions", "picks"]
        read_only_fields = fields

    @staticmethod
    def _scope(plan) -> dict:
        if not hasattr(plan, "_scope"):
            plan._scope = draws.plan_data(plan)
        return plan._scope

    def get_items(self, plan) -> list[str]:
        return self._scope(plan)["items"]

    def get_authorities(self, plan) -> list[str]:
        return self._scope(plan)["authorities"]

    def get_inspectors(self, plan) -> list[str]:
        return self._scope(plan)["inspectors"]

    def get_pool_size(self, plan) -> int:
        return draws.pool_size(plan)

    @extend_schema_field(PickSerializer(many=True))
    def get_picks(self, plan):
        picks = list(draws.picks_of(plan))
        for pick in picks:
            pick.plan = plan  # the pool to name each pick's entity from, without reading it again
        return PickSerializer(picks, many=True).data
