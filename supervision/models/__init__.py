from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from supervision.constants import (
    CreditReason, FailureGround, InspectionOutcome, InspectionStatus, RevocationRequestStatus,
)


class CreditRecord(models.Model):
    """An entry in the applicant's 诚信档案; while unrepaired it bars notify-and-commit (附件3 第九条)."""

    applicant = models.ForeignKey("licensing.Applicant", verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="credit_records")
    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="credit_records")
    reason = models.CharField(_("事由"), max_length=32, choices=CreditReason.choices)
    details = models.TextField(_("情况说明"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # The authority that made the record (认定单位): it is published with the record and decides its repair.
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("认定机关"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="credit_records")
    repaired_at = models.DateTimeField(_("信用修复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诚信档案记录")
        verbose_name_plural = _("诚信档案")
        ordering = ["-recorded_at"]
        constraints = [
            # One record per application and reason: the overdue job may run twice.
            models.UniqueConstraint(fields=["application", "reason"], name="uniq_credit_per_application_reason"),
        ]

    def __str__(self):
        return f"{self.applicant} {self.get_reason_display()}"


class CreditRepairRule(models.Model):
    """Whether, and after how long, a kind of credit record may be repaired (信用修复).

    附件3 第九条 bars a recorded applicant from notify-and-commit "今后…不再适用" and names no repair
    and no end; 钦政发〔2019〕18号 and 20号 ask for a 信用修复机制 but set none. So each kind of
    record starts not repairable (migration 0004), and an admin opens repair, with its basis, only
    where a later rule allows it. One row per CreditReason; its history shows who changed what.
    """

    reason = models.CharField(_("记录事由"), max_length=32, choices=CreditReason.choices, unique=True)
    repairable = models.BooleanField(
        _("可以信用修复"), default=False,
        help_text=_("勾选后，此类记录满下列月数后可由管理员准予信用修复，修复后不再限制告知承诺；须在“依据”中写明出处"))
    after_months = models.PositiveSmallIntegerField(
        _("记入满几个月后可修复"), default=0,
        help_text=_("自记入诚信档案之日起算的自然月数（如 12 表示满 12 个月）；仅在“可以信用修复”时适用"))
    basis = models.TextField(_("依据"), help_text=_("本规则的出处：文件名称、文号及条款原文"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用修复规则")
        verbose_name_plural = _("信用修复规则")
        ordering = ["id"]

    def __str__(self):
        if self.repairable:
            return _("%(reason)s：满%(months)d个月后可修复") % {"reason": self.get_reason_display(),
                                                          "months": self.after_months}
        return _("%(reason)s：不予修复") % {"reason": self.get_reason_display()}


class Inspection(models.Model):
    """The follow-up check of a commitment, due within 2 months of the decision (附件3 第七条)."""

    # An application is checked once after its decision (附件3 第七条: pick is None, at most one, see
    # uniq_followup_inspection) and again each time a random draw picks its holder (双随机, issue 14).
    # Application.inspection (licensing) is the follow-up one.
    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="inspections")
    pick = models.ForeignKey("supervision.DrawPick", verbose_name=_("双随机抽查"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="inspections")
    regulator = models.ForeignKey("portal.Organisation", verbose_name=_("行业主管部门"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="inspections")
    # The approving authority (a county's own, where counties run the item): the queue's county filter.
    # Indexed by inspection_authority_idx (authority, regulator), which also serves the foreign key.
    authority = models.ForeignKey("portal.Organisation", verbose_name=_("审批部门"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    due_date = models.DateField(_("核查期限"))
    status = models.CharField(_("状态"), max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.PENDING)
    full_coverage = models.BooleanField(_("全覆盖例行检查"), default=False,
                                        help_text=_("序号4-19事项：每个决定都须核查，不得未经核查结果而关闭"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("核查人员"), blank=True,
                                        related_name="inspections_assigned")
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事后核查")
        verbose_name_plural = _("事后核查")
        ordering = ["due_date", "id"]
        # The regulator's queue at a million applications: its own rows, by state and due date.
        # Issue 13: and, unfiltered, the queue in its own order (due date, then id).
        indexes = [models.Index(fields=["regulator", "status", "due_date"], name="inspection_queue_idx"),
                   models.Index(fields=["regulator", "due_date", "id"], name="inspection_queue_order_idx"),
                   models.Index(fields=["regulator", "closed_at"], name="inspection_closed_idx",
                                condition=models.Q(closed_at__isnull=False)),
                   # The county filter's choices: does the regulator check anything this authority approved?
                   # (authority first: it replaces the foreign key's own index, which PostgreSQL would
                   # otherwise prefer for that question, walking every inspection of the authority.)
                   models.Index(fields=["authority", "regulator"], name="inspection_authority_idx")]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(pick__isnull=True),
                                    name="uniq_followup_inspection"),
            models.UniqueConstraint(fields=["pick", "application"], name="uniq_pick_inspection"),
        ]

    def __str__(self):
        return _("%(application)s 事后核查") % {"application": self.application}


class InspectionResult(models.Model):
    """One recorded check: what was found, by whom; the rectification deadline it set, if any.
    An inspection is closed only by a result (no status is written without one)."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("事后核查"), on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("核查结果"), max_length=16, choices=InspectionOutcome.choices)
    ground = models.CharField(_("撤销理由类别"), max_length=32, choices=FailureGround.choices, blank=True)
    note = models.TextField(_("核查情况"))
    inspector_names = models.CharField(_("核查人员"), max_length=200)
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    is_reinspection = models.BooleanField(_("复查"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("核查结果")
        verbose_name_plural = _("核查结果")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.inspection} {self.get_outcome_display()}"


class InspectionFile(models.Model):
    """An on-site photo or document of a check, judged by its content like every upload (portal.uploads)."""

    result = models.ForeignKey(InspectionResult, verbose_name=_("核查结果"), on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("核查现场材料")
        verbose_name_plural = _("核查现场材料")
        ordering = ["uploaded_at", "id"]


class RevocationRequest(models.Model):
    """The regulator asks the approving authority to revoke (谁审批、谁撤销): it sees the request on its
    desk and revokes through licensing's service, which closes the request."""

    inspection = models.OneToOneField(Inspection, verbose_name=_("事后核查"), on_delete=models.PROTECT,
                                      related_name="revocation_request")
    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="revocation_requests")
    ground = models.CharField(_("理由类别"), max_length=32, choices=FailureGround.choices)
    reason = models.TextField(_("提请撤销理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提请人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("提请时间"))
    status = models.CharField(_("状态"), max_length=16, choices=RevocationRequestStatus.choices,
                              default=RevocationRequestStatus.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("撤销许可提请")
        verbose_name_plural = _("撤销许可提请")
        ordering = ["requested_at", "id"]

    def __str__(self):
        return _("%(application)s 提请撤销") % {"application": self.application}


class InboxRecord(models.Model):
    """An approval record in a regulator's inbox in the portal (issue 9): a copy of what was pushed,
    kept by the regulator. `key` is the record's idempotency key, so a record delivered twice is
    still one row here."""

    key = models.CharField(_("幂等键"), max_length=64, unique=True)
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("接收部门"), on_delete=models.PROTECT,
                                     related_name="inbox_records")
    kind = models.CharField(_("类型"), max_length=32)
    kind_label = models.CharField(_("类型名称"), max_length=64)
    # About an application, or (双告知, issue 16) about a registration: then item_code is blank and the
    # registration's items are in the payload.
    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="inbox_records", null=True, blank=True)
    registration = models.ForeignKey("licensing.Registration", verbose_name=_("登记告知"), on_delete=models.PROTECT,
                                     related_name="inbox_records", null=True, blank=True)
    item_code = models.CharField(_("事项编码"), max_length=16, blank=True)
    applicant_name = models.CharField(_("申请人"), max_length=200)
    payload = models.JSONField(_("报文"))
    event_at = models.DateTimeField(_("事件时间"))
    due_at = models.DateTimeField(_("推送期限"))
    delivered_at = models.DateTimeField(_("送达时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("监管收件箱记录")
        verbose_name_plural = _("监管收件箱")
        ordering = ["-delivered_at", "-id"]
        indexes = [models.Index(fields=["organisation", "acknowledged_at", "delivered_at"])]

    def __str__(self):
        return f"{self.kind_label} {self.application_id or self.registration_id}"


from supervision.models.draws import DrawPick, DrawPlan, Inspector, InspectorConflict  # noqa: E402
from supervision.models.repair import CreditRepairEvidence, CreditRepairRequest  # noqa: E402

__all__ = [
    "CreditRecord", "CreditRepairEvidence", "CreditRepairRequest", "CreditRepairRule", "DrawPick", "DrawPlan",
    "InboxRecord", "Inspection", "InspectionFile", "InspectionResult", "Inspector", "InspectorConflict",
    "RevocationRequest",
]
