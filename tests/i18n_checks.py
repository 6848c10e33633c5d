"""What an English reader would still see in Chinese on a page (issue 15).

The gazette's own texts (item names, measures, legal bases, quotations) stay in Chinese on English pages, and
are marked so with `lang="zh-Hans"` (WCAG 3.1.2, language of parts: a screen reader then reads them in
Chinese). Everything else is interface text and must be in English. `english_leftovers` returns the Chinese
text found outside such marked parts: in text, and in the attributes a person sees or hears (title,
aria-label, placeholder, alt, a button's value).
"""
import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
SEEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED = {"script", "style"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, lang in force)
        self.found = []

    def _lang(self):
        return self.stack[-1][1] if self.stack else ""

    def _note(self, text, lang):
        if lang.lower().startswith("zh"):
            return
        self.found.extend(CJK.findall(text))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html" and (attrs.get("lang") or "").lower().startswith("zh"):
            # A page that says it is all Chinese would pass unread: it is itself a leftover.
            self.found.append(f'<html lang="{attrs["lang"]}">')
        lang = attrs.get("lang") if attrs.get("lang") is not None else self._lang()
        for name in SEEN_ATTRIBUTES:
            if attrs.get(name):
                self._note(attrs[name], lang)
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self._note(attrs["value"], lang)
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in SKIPPED:
            return
        self._note(data, self._lang())


def english_leftovers(html: str) -> list[str]:
    """The runs of Chinese characters an English reader would meet outside parts marked lang="zh…"."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
