"""Template tags of the interface's language (issue 15).

    {% load portal_i18n %}<html lang="{% html_lang %}">   zh-Hans, or en
"""
from django import template

from portal import i18n

register = template.Library()


@register.simple_tag
def html_lang():
    """The active language as a BCP 47 tag, for `lang` attributes: zh-Hans or en."""
    return i18n.html_lang()


@register.filter
def zh(text):
    """{{ user|zh }}: a Chinese text (a name, an organisation) marked lang="zh-Hans" on an English page."""
    return i18n.zh(text)
