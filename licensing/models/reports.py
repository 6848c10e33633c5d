"""The quarterly report each department owes (钦政办〔2019〕72号; 钦政发〔2019〕20号 for 钦州港片区: by the 5th
of a quarter's first month, the lead unit by the 10th). Kept once made, so that what was sent can be
read again; made by the beat job before those dates (licensing.reports), or on demand."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuarterlyReport(models.Model):
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("部门"), on_delete=models.PROTECT,
                                     related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    figures = models.JSONField(_("统计数据"))
    generated_at = models.DateTimeField(_("生成时间"))
    xlsx = models.FileField(_("Excel 文件"), max_length=255, blank=True)
    pdf = models.FileField(_("PDF 文件"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("季度报告")
        verbose_name_plural = _("季度报告")
        ordering = ["-year", "-quarter", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "quarter"], name="uniq_quarterly_report"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarterly_report_quarter"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}年第{self.quarter}季度"
