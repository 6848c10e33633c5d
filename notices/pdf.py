"""PDF rendering: the one module where WeasyPrint lives.

WeasyPrint is imported inside the functions: it loads Pango through cffi, which is slow and
needs the system libraries, and nothing else in the project should pay for that at import
time (management commands, migrations, the Celery worker's start-up).

The HTML is returned beside the PDF so tests and the verification page can read what was
rendered without parsing the PDF.
"""
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
