"""Template filters for the gazette's texts on English pages (licensing.i18n):

    {{ item|item_name }}        the name, marked Chinese, with its English gloss on an English page
    {{ item|item_title }}       for <title>: the gloss on an English page where there is one
    {{ item|item_text }}        plain text (an e-mail): the name, with the gloss in brackets in English
    {{ organisation.name|zh }}  any Chinese text (gazette or data) marked lang="zh-Hans" on an English page
    {{ event.reason|recorded }} a text the portal recorded: its own fixed sentences in the reader's language
"""
from django import template

from licensing import i18n

register = template.Library()

register.filter("zh", i18n.zh)
register.filter("item_name", i18n.item_name)
register.filter("item_title", i18n.item_title)
register.filter("item_text", i18n.item_text)
register.filter("recorded", i18n.recorded)
