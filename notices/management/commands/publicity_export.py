"""manage.py publicity_export [--date YYYY-MM-DD]: the daily 归集 file (issue 16) of one day, yesterday by
default, as the beat job writes it (notices/publicity.py); run again, it writes the same files."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices import publicity
from portal.exceptions import InvalidInput


def _day(value: str | None) -> dt.date:
    if not value:
        return publicity.yesterday()
    try:
        return publicity.parse_day(value)
    except InvalidInput as refused:
        raise CommandError(refused.message) from None


class Command(BaseCommand):
    help = gettext_lazy("导出某日的信用信息归集文件（CSV 和 JSON），默认为昨天。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=gettext_lazy("日期（YYYY-MM-DD），默认为昨天"))

    def handle(self, *args, date=None, **options):
        day = _day(date)
        for name in publicity.publicity_export(day):
            self.stdout.write(_("已写入：%(name)s") % {"name": name})
