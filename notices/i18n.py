"""Chinese texts on notices' English pages (issue 15).

The gazette's own texts (item names) and the data the portal keeps in Chinese (document numbers such as
钦告〔2026〕000001号, organisations, applicants) are never translated. On an English page each is marked
`lang="zh-Hans"` (WCAG 3.1.2, language of parts: a screen reader reads it in Chinese), and an item's name is
followed by its English gloss (Item.name_en) where one exists; on a Chinese page nothing is added, so those
pages stay as they were. licensing.i18n does the same for licensing's pages (notices may not import it).
The documents themselves are always Chinese (notices.constants.DOCUMENT_LANGUAGE).
"""
from django.utils.html import format_html
from django.utils.translation import gettext

from portal.i18n import in_chinese, item_name, zh  # noqa: F401 (this module's for its callers too)


def document_title(document):
    """A document as a page names it: its kind in the reader's language, its number as issued (Chinese)."""
    if in_chinese():
        return f"{document.get_kind_display()} {document.number}"
    return format_html("{} {}", document.get_kind_display(), zh(document.number))


def item_text(name, gloss="") -> str:
    """An item's name in plain text (an e-mail): with its English gloss in brackets on an English page."""
    return f"{name} ({gloss})" if gloss and not in_chinese() else name


def document_label(document) -> str:
    """A document in plain text, for a <title> or a title attribute, which cannot mark a part as Chinese:
    its kind and number in Chinese; its kind and verification code on an English page."""
    if in_chinese():
        return f"{document.get_kind_display()} {document.number}"
    return gettext("%(kind)s（验证码 %(code)s）") % {"kind": document.get_kind_display(),
                                                   "code": document.verification_code}
