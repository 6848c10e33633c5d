"""PDF rendering: the one module where WeasyPrint lives.

WeasyPrint is imported inside the functions: it loads Pango through cffi, which is slow and
needs the system libraries, and nothing else in the project should pay for that at import
time (management commands, migrations, the Celery worker's start-up).

The HTML is returned beside the PDF so tests and the verification page can read what was
rendered without parsing the PDF.
"""
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    pdf: bytes


def render_pdf(template_name, context, *, request=None) -> RenderedDocument:
    """Render a Django template to HTML, then that HTML to an A4 PDF."""
    html = render_to_string(template_name, context, request=request)
    return RenderedDocument(html=html, pdf=html_to_pdf(html, request=request))


def html_to_pdf(html, *, request=None) -> bytes:
    from weasyprint import HTML  # lazy: see the module docstring

    document = HTML(string=html, base_url=_base_url(request), url_fetcher=_url_fetcher)
    return document.write_pdf()


# The element of a document where its seal is stamped (notices/templates/notices/documents/_document.html).
SEAL_ANCHOR = "seal"
SEAL_SIZE_MM = 40
CSS_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF counts points (72 per inch)


def html_to_sealed_pdf(html, *, seal=None, reason="") -> bytes:
    """An issued document's HTML as an A4 PDF, signed with `seal` (notices.seal.OrganisationSeal) where
    the document marks its place, or unsigned when `seal` is None."""
    from weasyprint import HTML  # lazy: see the module docstring

    document = HTML(string=html, base_url=_base_url(None), url_fetcher=_url_fetcher).render()
    pdf = document.write_pdf()
    if seal is None:
        return pdf
    from notices import seal as seals

    page_index, box = _seal_box(document)
    return seals.sign_pdf(pdf, seal, page_index=page_index, box=box, reason=reason,
                          stamp_file=_stamp_file(seal.name, demo=seal.demo))


def _seal_box(document):
    """Where the stamp goes: over the element with id="seal" (the issuer's name and date), else at the
    foot of the last page; as (page index, (x1, y1, x2, y2) in points from the page's bottom left)."""
    size = SEAL_SIZE_MM * 72 / 25.4
    for index, page in enumerate(document.pages):
        if SEAL_ANCHOR in page.anchors:
            x1, y1, x2, y2 = (value * CSS_PX_TO_PT for value in page.anchors[SEAL_ANCHOR])
            height = page.height * CSS_PX_TO_PT
            centre_x, centre_y = (x1 + x2) / 2, height - (y1 + y2) / 2
            return index, (centre_x - size / 2, centre_y - size / 2, centre_x + size / 2, centre_y + size / 2)
    last = document.pages[-1]
    width = last.width * CSS_PX_TO_PT
    return len(document.pages) - 1, (width - 60 - size, 80, width - 60, 80 + size)


_STAMPS: dict[tuple[str, bool], Path] = {}


def _stamp_file(name: str, *, demo: bool) -> Path:
    """The stamp's picture as a one-page PDF (pyHanko imports it as the signature's appearance), drawn
    once per organisation and process into the temporary directory."""
    import hashlib
    import tempfile

    from weasyprint import HTML

    key = (name, demo)
    path = _STAMPS.get(key)
    if path is not None and path.is_file():
        return path
    html = render_to_string("notices/seal_stamp.html", {"name": name, "demo": demo, "size_mm": SEAL_SIZE_MM})
    directory = Path(tempfile.gettempdir()) / f"portal-stamps-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / f"{hashlib.sha256(html.encode()).hexdigest()[:24]}.pdf"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(HTML(string=html, url_fetcher=_url_fetcher).write_pdf())
        partial.replace(path)  # atomic: a concurrent render never reads half a file
    _STAMPS[key] = path
    return path


# The window's print bundle (notices/printing.py) marks each copy at the top right of its pages.
COPY_LABEL_SIZE_MM = (64, 9)


@functools.lru_cache(maxsize=8)
def copy_label_pdf(text: str) -> bytes:
    """A one-page PDF, COPY_LABEL_SIZE_MM wide and high, with `text` (e.g. "第一联 申请人留存") set
    flush right in a thin frame: overlaid at the top right of each page of a printed copy. Drawn once
    per text and process (a handful of labels, each ~10 kB)."""
    from django.utils.html import escape
    from weasyprint import HTML  # lazy: see the module docstring

    width, height = COPY_LABEL_SIZE_MM
    html = (f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><style>'
            f"@page {{ size: {width}mm {height}mm; margin: 0; }}"
            "html, body { margin: 0; }"
            'p { margin: 1mm 0 0; float: right; padding: 0.6mm 2.5mm; border: 0.6pt solid #000; font-size: 10.5pt;'
            ' line-height: 1.3; font-weight: bold; letter-spacing: 0.08em; white-space: nowrap;'
            ' font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; }'
            f"</style></head><body><p>{escape(text)}</p></body></html>")
    return HTML(string=html, url_fetcher=_url_fetcher).write_pdf()


def _base_url(request):
    # With a request, relative URLs resolve as the browser would; without one (Celery tasks),
    # against the site root. Either way /static/… is then read from disk by _url_fetcher.
    if request is not None:
        return request.build_absolute_uri("/")
    return "file:///"


def _url_fetcher(url, *args, **kwargs):
    """Serve static files from disk and data: URLs; refuse everything else.

    Documents carry applicants' text, so rendering must never read arbitrary local files
    (file://) or make network requests (SSRF), nor call our own web server while it may be
    the process doing the rendering. WeasyPrint logs a refused resource and goes on.
    """
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    path = _static_path(url)
    if path is None:
        raise ValueError(f"PDF rendering fetches only static files, not {url!r}")
    return {"file_obj": path.open("rb"), "filename": path.name, "redirected_url": url}


def _static_path(url):
    prefix = urlsplit(settings.STATIC_URL).path  # "/static/", even for a CDN STATIC_URL
    url_path = unquote(urlsplit(url).path)
    if not url_path.startswith(prefix):
        return None
    relative = url_path[len(prefix):]
    try:
        found = finders.find(relative) or safe_join(settings.STATIC_ROOT, relative)
    except SuspiciousFileOperation:
        return None
    path = Path(found)
    return path if path.is_file() else None
