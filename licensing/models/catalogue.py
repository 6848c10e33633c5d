import math

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from licensing.constants import AuthorityRole, Compression, MaterialDue, ReformMode, SharedSource
from portal.constants import OrgLevel

# 附件3 第七条: the regulator checks the commitment within 2 months of the decision.
DEFAULT_INSPECTION_MONTHS = 2



class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Store Chinese as characters, not \\u escapes, so keyword search finds it on SQLite too."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


_COMPRESSION_FRACTION = {Compression.ONE_THIRD: (1, 3), Compression.ONE_QUARTER: (1, 4)}


class Item(models.Model):
    """One licensing item (事项) of the catalogue, 附件2 of 钦政发〔2019〕18号."""

    seq_no = models.PositiveSmallIntegerField(_("序号"), db_index=True)
    code = models.CharField(_("事项编码"), max_length=16, unique=True)
    name = models.CharField(_("事项名称"), max_length=255)
    # Issue 15: the gazette's names stay in Chinese; English pages show this gloss beside them where one exists.
    name_en = models.CharField(_("英文释义"), max_length=255, blank=True, help_text=_("英文界面中附在事项名称旁的释义，不替代中文名称"))
    reform_mode = models.CharField(_("改革方式"), max_length=16, choices=ReformMode.choices, db_index=True)
    measures = models.JSONField(_("改革举措"), default=list, encoder=UnicodeJSONEncoder, blank=True, help_text=_("按顺序排列的举措，每项一条"))
    remark = models.TextField(_("备注"), blank=True)
    compression = models.CharField(
        _("时限压缩方式"), max_length=16, choices=Compression.choices, default=Compression.NONE)
    # Filled by admins: the gazette gives none of these (item 38's 20 days aside).
    legal_basis = models.TextField(_("法律依据"), blank=True, help_text=_("法律、法规、规章名称及具体条款内容"))
    conditions = models.TextField(_("许可条件"), blank=True, help_text=_("条件、标准和技术要求"))
    statutory_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), null=True, blank=True)
    committed_days_override = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"), null=True, blank=True,
        help_text=_("留空时按压缩方式由法定时限计算；举措写明具体天数时（如序号38：20→15）在此填写"))
    inspection_months = models.PositiveSmallIntegerField(
        _("核查期限（月）"), default=DEFAULT_INSPECTION_MONTHS,
        help_text=_("许可决定后行业主管部门核查承诺内容的期限，按自然月计算（附件3第七条）：到期月的对应日为最后一日，"
                  "没有对应日的为该月末日（民法典第二百零二条）；最后一日为休息日或法定节假日的，"
                  "顺延至其后第一个工作日（民法典第二百零三条）"))
    # issue 12: the licence's validity. The gazette sets none; the law of each item does, and admins enter it.
    licence_valid_years = models.PositiveSmallIntegerField(
        _("许可证有效期（年）"), null=True, blank=True,
        help_text=_("准予许可后发给的许可证自发证之日起的有效年数；留空为长期有效（法律、法规未规定有效期的）"))
    # As printed (附件2), where the catalogue's cell was repaired by inference: the guide shows the
    # printed text beside the repair, and repair_note says what was inferred and why.
    printed_name = models.CharField(_("目录原文：事项名称"), max_length=255, blank=True,
                                    help_text=_("仅当公报印刷的事项名称有误、经推断修订时填写"))
    printed_authorities = models.CharField(_("目录原文：实施机关"), max_length=255, blank=True,
                                           help_text=_("公报附件2“实施机关”栏原文"))
    repair_note = models.TextField(_("修订说明"), blank=True, help_text=_("公报原文有误时：推断了什么、依据是什么"))
    authority_note = models.TextField(
        _("实施机关说明"), blank=True,
        help_text=_("多个实施机关之间的关系，如“或者”（择一审批）、初审与审批、委托，及其依据"))
    is_demo_content = models.BooleanField(
        _("含演示数据"), default=False, help_text=_("法律依据、条件或材料为演示用内容，不具法律效力"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项目录")
        ordering = ["seq_no", "code"]

    def __str__(self):
        return f"{self.seq_no}. {self.name}"

    @property
    def committed_days(self):
        """The committed limit in working days, following from the statutory one."""
        if self.committed_days_override is not None:
            return self.committed_days_override
        if self.statutory_days is None:
            return None
        if self.compression in _COMPRESSION_FRACTION:
            num, den = _COMPRESSION_FRACTION[self.compression]
            # "压缩三分之一" is a floor on the cut: round the remaining days down.
            return self.statutory_days - math.ceil(self.statutory_days * num / den)
        return self.statutory_days

    def clean(self):
        if (self.statutory_days is not None and self.committed_days_override is not None
                and self.committed_days_override > self.statutory_days):
            raise ValidationError({"committed_days_override": _("承诺时限不能长于法定时限。")})


class ItemAuthority(models.Model):
    """An implementing authority of an item, with its role and, for rows of another level, its own name."""

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="authorities")
    organisation = models.ForeignKey(
        "portal.Organisation", verbose_name=_("实施机关"), on_delete=models.PROTECT, related_name="item_roles")
    role = models.CharField(_("职责"), max_length=16, choices=AuthorityRole.choices, default=AuthorityRole.APPROVE)
    variant_name = models.CharField(_("该层级事项名称"), max_length=255, blank=True)
    # A 委托 row decides in the name of this authority (行政许可法 第二十四条).
    entrusted_by = models.ForeignKey(
        "portal.Organisation", verbose_name=_("委托机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("仅“委托”职责填写：以哪个审批机关的名义作出决定"))
    remark = models.TextField(_("备注"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实施机关")
        verbose_name_plural = _("实施机关")
        ordering = ["item_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "organisation", "role"], name="uniq_item_authority_role"),
        ]

    def __str__(self):
        return f"{self.organisation}（{self.get_role_display()}）"

    def clean(self):
        if (self.role == AuthorityRole.DELEGATED) != (self.entrusted_by_id is not None):
            raise ValidationError({"entrusted_by": _("“委托”职责须填写委托机关，其他职责不填写。")})


class Material(models.Model):
    """A material the applicant submits, and when it is owed."""

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=255)
    description = models.TextField(_("要求说明"), blank=True)
    due = models.CharField(_("提交时间"), max_length=16, choices=MaterialDue.choices, default=MaterialDue.AT_APPLICATION)
    due_working_days = models.PositiveSmallIntegerField(
        _("决定后提交期限（工作日）"), null=True, blank=True, help_text=_("仅“许可决定后限期提交”的材料填写"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # issue 16: got through the data-sharing platform, never asked of the applicant (附件2: 在线获取核验营业执照等材料)
    shared_source = models.CharField(_("通过信息共享获取"), max_length=32, choices=SharedSource.choices, blank=True,
                                     help_text=_("选择来源后，申请人无需提交此材料，平台记录获取来源和时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item_id", "order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        later = self.due == MaterialDue.AFTER_DECISION
        if later and not self.due_working_days:
            raise ValidationError({"due_working_days": _("许可决定后提交的材料必须填写提交期限（工作日）。")})
        if not later and self.due_working_days:
            raise ValidationError({"due_working_days": _("只有许可决定后提交的材料才填写期限。")})


class RegulatorRoute(models.Model):
    """Who regulates what an authority approves (谁审批谁负责，谁主管谁监管; 钦政办〔2019〕72号).

    Kept by admins: item × level of the approving authority → the industry regulator that gets the
    approval records. `authority` narrows a row to one implementing authority of that level (a
    county's own bureau, where an item is run by counties); a row without it covers the whole level.
    Where no row applies, an industry department that approves is its own regulator
    (licensing.selectors.routing); an approval bureau's items must be routed here.
    """

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="regulator_routes")
    level = models.CharField(_("审批层级"), max_length=16, choices=OrgLevel.choices)
    authority = models.ForeignKey(
        "portal.Organisation", verbose_name=_("实施机关（县区）"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("留空：适用于该层级的所有实施机关；填写：仅适用于该实施机关（如某县区）"))
    regulator = models.ForeignKey(
        "portal.Organisation", verbose_name=_("接收审批信息的行业主管部门"), on_delete=models.PROTECT,
        related_name="regulated_routes")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批信息推送路由")
        verbose_name_plural = _("审批信息推送路由")
        ordering = ["item", "level", "authority"]
        constraints = [
            models.UniqueConstraint(fields=["item", "level", "authority"], name="uniq_route_item_level_authority"),
            models.UniqueConstraint(fields=["item", "level"], condition=models.Q(authority__isnull=True),
                                    name="uniq_route_item_level_any_authority"),
        ]

    def __str__(self):
        where = self.authority.name if self.authority_id else self.get_level_display()
        return f"{self.item.name}（{where}）→ {self.regulator.name}"

    def clean(self):
        if self.authority_id and self.authority.level != self.level:
            raise ValidationError({"authority": _("实施机关的层级须与所选审批层级一致。")})
