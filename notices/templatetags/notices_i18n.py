"""Template filters for Chinese texts on notices' English pages (notices.i18n):

    {{ organisation.name|zh }}       any Chinese text (gazette or data) marked lang="zh-Hans" on an English page
    {{ item|item_name }}             the item's name, marked Chinese, with its English gloss on an English page
    {{ name|item_name:gloss }}       the same from the name and the gloss (a Verification has no item)
    {{ item|item_text }}             plain text (an e-mail): the name, with the gloss in brackets in English
    {{ document|document_label }}    plain text for a <title> or title="": no Chinese number on an English page
"""
from django import template

from notices import i18n

register = template.Library()

register.filter("zh", i18n.zh)


@register.filter
def item_name(item, gloss=""):
    if isinstance(item, str):
        return i18n.item_name(item, gloss)
    if item is None:
        return ""
    return i18n.item_name(item.name, getattr(item, "name_en", ""))


@register.filter
def item_text(item):
    """Plain text (an e-mail): the item's name, with its English gloss in brackets in English."""
    return i18n.item_text(item.name, getattr(item, "name_en", "")) if item is not None else ""


register.filter("document_label", i18n.document_label)
