"""信用修复 applied for online (issue 14): the enterprise's reasons and evidence, the deciding authority's answer.

The record itself stays in the 诚信档案 whatever the answer; a grant sets its repaired_at (supervision.credit),
which lifts the bar on notify-and-commit. What may be repaired, and after how long, is the kind's
CreditRepairRule (issue 11).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.db.models import Q

from supervision.constants import RepairStatus


class CreditRepairRequest(models.Model):
    record = models.ForeignKey("supervision.CreditRecord", verbose_name=_("诚信档案记录"), on_delete=models.PROTECT,
                               related_name="repair_requests")
    reasons = models.TextField(_("申请理由"), help_text=_("已纠正失信行为、履行相关义务的情况"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请账号"), on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("申请时间"))
    due_date = models.DateField(_("决定期限"))
    status = models.CharField(_("状态"), max_length=16, choices=RepairStatus.choices, default=RepairStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定理由"), blank=True)
    late_working_days = models.PositiveSmallIntegerField(_("逾期工作日数"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=Q(status=RepairStatus.PENDING),
                                               name="uniq_pending_repair_request")]
        indexes = [models.Index(fields=["status", "due_date"], name="repair_request_due_idx")]

    def __str__(self):
        return _("%(record)s 信用修复申请") % {"record": self.record}


class CreditRepairEvidence(models.Model):
    """A file the enterprise sends with its request, judged by its content like every upload (portal.uploads)."""

    request = models.ForeignKey(CreditRepairRequest, verbose_name=_("信用修复申请"), on_delete=models.PROTECT,
                                related_name="evidence")
    file = models.FileField(_("文件"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("信用修复证明材料")
        verbose_name_plural = _("信用修复证明材料")
        ordering = ["uploaded_at", "id"]
