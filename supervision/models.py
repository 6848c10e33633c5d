from django.conf import settings
from django.db import models

from supervision.constants import CreditReason, InspectionStatus


class CreditRecord(models.Model):
    """An entry in the applicant's 诚信档案; while unrepaired it bars notify-and-commit (附件3 第九条)."""

    applicant = models.ForeignKey("licensing.Applicant", verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="credit_records")
    application = models.ForeignKey("licensing.Application", verbose_name="办件", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="credit_records")
    reason = models.CharField("事由", max_length=32, choices=CreditReason.choices)
    details = models.TextField("情况说明", blank=True)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    repaired_at = models.DateTimeField("信用修复时间", null=True, blank=True)

    class Meta:
        verbose_name = "诚信档案记录"
        verbose_name_plural = "诚信档案"
        ordering = ["-recorded_at"]
        constraints = [
            # One record per application and reason: the overdue job may run twice.
            models.UniqueConstraint(fields=["application", "reason"], name="uniq_credit_per_application_reason"),
        ]

    def __str__(self):
        return f"{self.applicant} {self.get_reason_display()}"


class Inspection(models.Model):
    """The follow-up check of a commitment, due within 2 months of the decision (附件3 第七条)."""

    application = models.OneToOneField("licensing.Application", verbose_name="办件", on_delete=models.PROTECT,
                                       related_name="inspection")
    regulator = models.ForeignKey("portal.Organisation", verbose_name="行业主管部门", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="inspections")
    due_date = models.DateField("核查期限")
    status = models.CharField("状态", max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PENDING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "事后核查"
        verbose_name_plural = "事后核查"
        ordering = ["due_date"]


class InboxRecord(models.Model):
    """An approval record in a regulator's inbox in the portal (issue 9): a copy of what was pushed,
    kept by the regulator. `key` is the record's idempotency key, so a record delivered twice is
    still one row here."""

    key = models.CharField("幂等键", max_length=64, unique=True)
    organisation = models.ForeignKey("portal.Organisation", verbose_name="接收部门", on_delete=models.PROTECT,
                                     related_name="inbox_records")
    kind = models.CharField("类型", max_length=32)
    kind_label = models.CharField("类型名称", max_length=64)
    application = models.ForeignKey("licensing.Application", verbose_name="办件", on_delete=models.PROTECT,
                                    related_name="inbox_records")
    item_code = models.CharField("事项编码", max_length=16)
    applicant_name = models.CharField("申请人", max_length=200)
    payload = models.JSONField("报文")
    event_at = models.DateTimeField("事件时间")
    due_at = models.DateTimeField("推送期限")
    delivered_at = models.DateTimeField("送达时间")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "监管收件箱记录"
        verbose_name_plural = "监管收件箱"
        ordering = ["-delivered_at", "-id"]
        indexes = [models.Index(fields=["organisation", "acknowledged_at", "delivered_at"])]

    def __str__(self):
        return f"{self.kind_label} {self.application_id}"
