"""The gazette's own texts on English pages, and dates in the reader's language (issue 15).

Item names, measures, legal bases and the other texts of the gazette (钦政发〔2019〕18号), and the data the
portal keeps in Chinese (organisations, applicants, what officers wrote), are never translated. On an
English page each is marked `lang="zh-Hans"` (WCAG 3.1.2, language of parts: a screen reader reads it in
Chinese) and an item's name is followed by its English gloss (Item.name_en) where one exists. On a Chinese
page nothing is added: the page is Chinese already, and stays as it was.
"""
import datetime as dt

from django import forms
from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext, override

from portal import i18n
from portal.i18n import in_chinese, zh  # noqa: F401 (zh is this module's for its callers too)
from portal.widgets import FastSelect




def item_name(item):
    """The item's name as the gazette prints it, with its English gloss on an English page."""
    return i18n.item_name(getattr(item, "name", item), getattr(item, "name_en", ""))  # a name alone passes too


def item_title(item) -> str:
    """The item as a page's title names it (portal.i18n.item_title); a name alone passes too."""
    return i18n.item_title(getattr(item, "name", item), getattr(item, "name_en", ""))


def local_date(day: dt.date | None) -> str:
    """A date as the pages write it: 2024年10月8日, or 8 Oct 2024 in English."""
    return dateformat.format(day, gettext("Y年n月j日")) if day else ""


def item_text(item) -> str:
    """The item's name in plain text (an e-mail, a list's option): with its gloss in brackets on English."""
    name = getattr(item, "name", item)
    gloss = "" if in_chinese() else getattr(item, "name_en", "")
    return f"{name} ({gloss})" if gloss else name


class ChineseOptionsMixin:
    """A select whose options (but the empty one) are names kept in Chinese (organisations, items):
    each marked so on an English page, the option the reader chose among them included."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, "") and not in_chinese():
            option["attrs"] = {**option["attrs"], "lang": "zh-Hans"}
        return option


class ChineseSelect(ChineseOptionsMixin, forms.Select):
    pass


class ChineseFastSelect(ChineseOptionsMixin, FastSelect):
    pass


def in_source_language():
    """Records (events' reasons, approval records, documents' data) are written in the portal's own
    language, Chinese, whatever the language of the page that made them: `with in_source_language(): …`."""
    return override(settings.LANGUAGE_CODE)


def recorded(text):
    """A text the portal recorded (an event's reason): one of the portal's own fixed sentences is shown in
    the reader's language (they are in the catalogue, marked with gettext_noop where written); anything
    else (what a person wrote, a sentence with names or dates in it) as recorded, marked Chinese."""
    if not text:
        return text
    translated = gettext(text)
    return translated if translated != text else zh(text)
