"""Chinese texts on supervision's English pages, and dates in the reader's language (issue 15).

The gazette's own texts (item names, legal bases) and the data the portal keeps in Chinese (organisations,
applicants, inspectors, what regulators wrote) are never translated. On an English page each is marked
`lang="zh-Hans"` (WCAG 3.1.2, language of parts: a screen reader reads it in Chinese), and an item's name is
followed by its English gloss (Item.name_en) where one exists; on a Chinese page nothing is added, so those
pages stay as they were. licensing.i18n does the same for licensing's pages (supervision may not import it).
"""
import datetime as dt

from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal import i18n
from portal.i18n import in_chinese, zh  # noqa: F401 (zh is this module's for its callers too)





def lang_attr(text):
    """` lang="zh-Hans"` for an element whose whole text is a Chinese text on an English page (an <option>,
    which cannot hold a marked part), else nothing: <option value="D03"{{ name|lang_attr }}>."""
    if text in (None, "") or in_chinese() or not i18n.CJK.search(str(text)):
        return ""
    return mark_safe(' lang="zh-Hans"')


def item_name(item):
    """The item's name as the gazette prints it, with its English gloss on an English page."""
    return "" if item is None else i18n.item_name(item.name, getattr(item, "name_en", ""))


def item_title(item) -> str:
    """The item as a page's <title> names it (portal.i18n.item_title)."""
    return i18n.item_title(item.name, getattr(item, "name_en", ""))


def marked(message: str, **values):
    """A translated message with Chinese data in it (a person's or an organisation's name), each value
    marked as Chinese on an English page: for flash messages, which cannot mark parts themselves.
    `message` uses %(name)s placeholders; the result is safe HTML with everything else escaped."""
    if in_chinese():
        return message % values
    return mark_safe(conditional_escape(message) % {name: conditional_escape(zh(str(value)))
                                                    for name, value in values.items()})


def local_date(day, *, padded: bool = False) -> str:
    """A date as the pages write it: 2024年10月8日 (padded: 2024年10月08日), or 8 Oct 2024 in English
    (a datetime: its Qinzhou day)."""
    if not day:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return dateformat.format(day, gettext("Y年m月d日") if padded else gettext("Y年n月j日"))


def local_datetime(moment, *, padded: bool = False) -> str:
    """A moment as the pages write it, in Qinzhou time: 2024年10月8日 09:30 (padded: 2024年10月08日 09:30),
    or 8 Oct 2024 09:30 in English."""
    if not moment:
        return ""
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return dateformat.format(moment, gettext("Y年m月d日 H:i") if padded else gettext("Y年n月j日 H:i"))


def listed(values) -> str:
    """Values named in a sentence: joined with 、 in Chinese, with commas in English."""
    return gettext("、").join(str(value) for value in values)


listed_lazy = lazy(listed, str)
