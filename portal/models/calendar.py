from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day that differs from the Monday-to-Friday rule, or a public holiday.

    Seeded from the chinese-calendar package; admins add the State Council's notice for a
    new year here, without a deploy.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=64, blank=True, help_text=_("如：国庆节、国庆节调休上班"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {_('上班') if self.is_working_day else _('休息')} {self.name}"


class CalendarYear(models.Model):
    """Whether a year's holidays are known (published by the State Council and entered)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self):
        return _("%(year)s（%(state)s）") % {"year": self.year, "state": _("已确认") if self.confirmed else _("未确认")}
