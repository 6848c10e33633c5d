"""Template filters for Chinese texts on supervision's English pages (supervision.i18n):

    {{ item|item_name }}        the name, marked Chinese, with its English gloss on an English page
    {{ item|item_title }}       for <title>: the gloss on an English page where there is one
    {{ organisation.name|zh }}  any Chinese text (gazette or data) marked lang="zh-Hans" on an English page
    <option{{ name|lang_attr }}>  the same for an element that cannot hold a marked part
"""
from django import template

from supervision import i18n

register = template.Library()

register.filter("zh", i18n.zh)
register.filter("item_name", i18n.item_name)
register.filter("item_title", i18n.item_title)
register.filter("lang_attr", i18n.lang_attr)
