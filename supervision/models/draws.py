"""双随机、一公开 (issue 14): the inspectors' directory with its declared conflicts, the plans and their draws.

钦政发〔2019〕20号 asks for inspections that draw both the inspected entities and the inspectors at random
and publish what they find. A plan fixes its pool before the draw; the draw records its seed and the
snapshot it drew from (pool, inspectors, exclusions), so that anyone can repeat it from what is published
(supervision.draws, README "双随机").
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.db.models import Q
from simple_history.models import HistoricalRecords

from supervision.constants import DrawStatus


class Inspector(models.Model):
    """执法检查人员库: a regulator's officer who may be drawn to inspect, with the number published with draws."""

    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("所属部门"), on_delete=models.PROTECT,
                                     related_name="inspectors")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.PROTECT,
                                related_name="inspector_entry")
    code = models.CharField(_("执法证号"), max_length=32, unique=True,
                            help_text=_("行政执法证件号码；随抽查结果公开，抽取算法以此编号排序"))
    active = models.BooleanField(_("在库"), default=True, help_text=_("取消勾选：不再参加以后的抽取（已抽取的不受影响）"))
    added_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员库")
        ordering = ["organisation", "code"]

    def __str__(self):
        return f"{self.user}（{self.code}）"


class InspectorConflict(models.Model):
    """回避: an inspector declared related to an entity is never drawn to inspect it."""

    inspector = models.ForeignKey(Inspector, verbose_name=_("执法检查人员"), on_delete=models.CASCADE,
                                  related_name="conflicts")
    applicant = models.ForeignKey("licensing.Applicant", verbose_name=_("监管对象"), on_delete=models.PROTECT,
                                  related_name="+")
    relation = models.CharField(_("回避事由"), max_length=200, help_text=_("如：近亲属任该企业法定代表人"))
    declared_at = models.DateTimeField(_("申报时间"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["inspector", "applicant"]
        constraints = [models.UniqueConstraint(fields=["inspector", "applicant"], name="uniq_inspector_conflict")]

    def __str__(self):
        return _("%(inspector)s 回避 %(applicant)s") % {"inspector": self.inspector, "applicant": self.applicant}


class DrawPlan(models.Model):
    """抽查计划: a regulator's pool (its items, counties, licensed in a period), its sample and its inspectors.
    Editable while a draft; its draw fixes it for good (supervision.draws)."""

    number = models.CharField(_("计划编号"), max_length=20, unique=True)
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("抽查部门"), on_delete=models.PROTECT,
                                     related_name="draw_plans")
    title = models.CharField(_("计划名称"), max_length=200)
    items = models.ManyToManyField("licensing.Item", verbose_name=_("事项"), blank=True, related_name="+",
                                   help_text=_("留空：本部门监管的所有事项"))
    authorities = models.ManyToManyField("portal.Organisation", verbose_name=_("县区（审批部门）"), blank=True,
                                         related_name="+", help_text=_("留空：不限审批部门"))
    licensed_from = models.DateField(_("许可（备案）日期起"))
    licensed_until = models.DateField(_("许可（备案）日期止"))
    sample_percent = models.PositiveSmallIntegerField(_("抽取比例（%）"), null=True, blank=True)
    sample_count = models.PositiveIntegerField(_("抽取户数"), null=True, blank=True)
    inspectors_per_entity = models.PositiveSmallIntegerField(_("每户执法检查人员数"), default=2)
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("参加抽取的执法检查人员"), related_name="plans")
    due_date = models.DateField(_("检查完成期限"))
    status = models.CharField(_("状态"), max_length=16, choices=DrawStatus.choices, default=DrawStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("制定时间"))
    # The draw (all empty until it is made): what anyone needs to repeat it.
    algorithm = models.CharField(_("抽取算法"), max_length=32, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    pool = models.JSONField(_("抽取名录"), default=list, blank=True,
                            help_text=_("抽取时的监管对象名录，按统一社会信用代码（证件号码）排序编号"))
    roster = models.JSONField(_("执法检查人员名录"), default=list, blank=True)
    exclusions = models.JSONField(_("回避"), default=list, blank=True, help_text=_("[名录序号, 执法证号]"))
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("双随机抽查计划")
        verbose_name_plural = _("双随机抽查计划")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(sample_percent__isnull=False, sample_count__isnull=True)
                           | Q(sample_percent__isnull=True, sample_count__isnull=False)),
                name="draw_plan_one_sample_size"),
            models.CheckConstraint(condition=Q(inspectors_per_entity__gte=2), name="draw_plan_two_inspectors"),
            models.CheckConstraint(condition=Q(licensed_until__gte=models.F("licensed_from")),
                                   name="draw_plan_period_order"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class DrawPick(models.Model):
    """One entity the draw picked, in the order drawn, with the inspectors drawn for it."""

    plan = models.ForeignKey(DrawPlan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="picks")
    order = models.PositiveIntegerField(_("抽取顺序"))
    pool_no = models.PositiveIntegerField(_("名录序号"))
    applicant = models.ForeignKey("licensing.Applicant", verbose_name=_("监管对象"), on_delete=models.PROTECT,
                                  related_name="+")
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("执法检查人员"), related_name="picks")

    class Meta:
        verbose_name = _("抽取结果")
        verbose_name_plural = _("抽取结果")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="uniq_pick_order"),
                       models.UniqueConstraint(fields=["plan", "applicant"], name="uniq_pick_applicant")]

    def __str__(self):
        return f"{self.plan.number} #{self.order}"
