"""Admin for the working-day calendar: where a new State Council notice goes in.

To enter a new year: add its holidays (休息) and make-up days (上班) as 节假日与调休 rows,
then tick 已确认 on the year under 日历年度. Until then deadlines in that year are computed
by the fallback rule in portal/calendar.py and shown as provisional.
"""

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.calendar import calendar_changed
from portal.models import CalendarDay, CalendarYear

WEEKDAYS = (gettext_lazy("星期一"), gettext_lazy("星期二"), gettext_lazy("星期三"), gettext_lazy("星期四"),
            gettext_lazy("星期五"), gettext_lazy("星期六"), gettext_lazy("星期日"))


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), _("%(year)s 年") % {"year": d.year}) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_working_day", "name"]
    list_filter = [YearFilter, "is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("星期"), ordering="date")
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "confirmed", "source", "entered_days"]
    list_filter = ["confirmed"]
    search_fields = ["year", "source"]
    ordering = ["-year"]
    actions = ["mark_confirmed", "mark_unconfirmed"]

    def get_queryset(self, request):
        days = (
            CalendarDay.objects.filter(date__year=OuterRef("year"))
            .order_by()
            .values("date__year")
            .annotate(n=Count("id"))
            .values("n")
        )
        entered = Coalesce(Subquery(days, output_field=IntegerField()), 0)
        return super().get_queryset(request).annotate(entered_days_count=entered)

    @admin.display(description=gettext_lazy("已录入天数"), ordering="entered_days_count")
    def entered_days(self, obj):
        return obj.entered_days_count

    def changelist_view(self, request, extra_context=None):
        # Warn before a deadline can run into a year whose notice nobody has entered.
        this_year = timezone.localdate().year
        upcoming = [this_year, this_year + 1]
        confirmed = set(
            CalendarYear.objects.filter(year__in=upcoming, confirmed=True).values_list("year", flat=True)
        )
        missing = [str(y) for y in upcoming if y not in confirmed]
        if missing and request.method == "GET":
            self.message_user(
                request,
                _("%(years)s 年的节假日安排尚未确认：涉及这些年份的期限按暂定规则计算"
                  "（周末及元旦、劳动节、国庆节法定日期休息），结果标为“暂定”。"
                  "国务院办公厅通知发布后，请录入节假日与调休并勾选“已确认”。") % {"years": _("、").join(missing)},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description=gettext_lazy("标记为已确认"))
    def mark_confirmed(self, request, queryset):
        updated = queryset.update(confirmed=True)
        calendar_changed()  # a bulk update sends no signal (portal.calendar keeps a copy)
        self.message_user(request, ngettext("已确认 %(n)d 个年度。", "已确认 %(n)d 个年度。", updated) % {"n": updated},
                          messages.SUCCESS)

    @admin.action(description=gettext_lazy("标记为未确认"))
    def mark_unconfirmed(self, request, queryset):
        updated = queryset.update(confirmed=False)
        calendar_changed()
        self.message_user(request, ngettext("已将 %(n)d 个年度标记为未确认。", "已将 %(n)d 个年度标记为未确认。",
                                            updated) % {"n": updated}, messages.SUCCESS)
