"""PDF rendering: the one module where WeasyPrint lives.

WeasyPrint is imported inside the functions: it loads Pango through cffi, which is slow and
needs the system libraries, and nothing else in the project should pay for that at import
time (management commands, migrations, the Celery worker's start-up).

The HTML is returned beside the PDF so tests and the verification page can read what was
rendered without parsing the PDF.
"""
import functools
import gc
import hashlib
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.translation import override

from notices.constants import DOCUMENT_LANGUAGE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    pdf: bytes


def render_pdf(template_name, context, *, request=None) -> RenderedDocument:
    """Render a Django template to HTML, then that HTML to an A4 PDF. In Chinese whatever the language of the
    page that asked (issue 15): a report, like a document, is the authority's own text, not the interface."""
    with override(DOCUMENT_LANGUAGE):
        html = render_to_string(template_name, context, request=request)
    return RenderedDocument(html=html, pdf=html_to_pdf(html, request=request))


def _releasing_fonts(function):
    """Collect garbage once `function` has rendered: WeasyPrint's font configuration for a document (a
    Pango font map that has loaded the Noto CJK faces, ~130 MB) lies in reference cycles, which only the
    cyclic collector frees, and it comes round to them only every few renders: a worker rendering PDFs
    grew by ~130 MB a PDF, to 1.5 GB, before falling back (issue 13). A collection costs ~50 ms."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            gc.collect()
    return wrapper


def _render(html, base_url):
    from weasyprint import HTML  # lazy: see the module docstring

    return HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher).render()


def _write(document) -> bytes:
    return document.write_pdf(finisher=compact_fonts)


@_releasing_fonts
def html_to_pdf(html, *, request=None) -> bytes:
    return _write(_render(html, _base_url(request)))


# The element of a document where its seal is stamped (notices/templates/notices/documents/_document.html).
SEAL_ANCHOR = "seal"
SEAL_SIZE_MM = 40
CSS_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF counts points (72 per inch)


@_releasing_fonts
def html_to_sealed_pdf(html, *, seal=None, reason="") -> bytes:
    """An issued document's HTML as an A4 PDF, signed with `seal` (notices.seal.OrganisationSeal) where
    the document marks its place, or unsigned when `seal` is None."""
    document = _render(html, _base_url(None))
    pdf = _write(document)
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
# Part of a stamp file's name beside its HTML's hash: raised when the same HTML draws a different PDF
# (2: compact fonts, issue 13), so that no process reuses a stamp an older version left in the directory.
_STAMP_DRAWING = 2


def _stamp_file(name: str, *, demo: bool) -> Path:
    """The stamp's picture as a one-page PDF (pyHanko imports it as the signature's appearance), drawn
    once per organisation and process into the temporary directory."""
    import tempfile

    key = (name, demo)
    path = _STAMPS.get(key)
    if path is not None and path.is_file():
        return path
    with override(DOCUMENT_LANGUAGE):
        html = render_to_string("notices/seal_stamp.html", {"name": name, "demo": demo, "size_mm": SEAL_SIZE_MM})
    directory = Path(tempfile.gettempdir()) / f"portal-stamps-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / f"{hashlib.sha256(html.encode()).hexdigest()[:24]}-{_STAMP_DRAWING}.pdf"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(_write(_render(html, None)))
        partial.replace(path)  # atomic: a concurrent render never reads half a file
    _STAMPS[key] = path
    return path


# The window's print bundle (notices/printing.py) marks each copy at the top right of its pages.
COPY_LABEL_SIZE_MM = (64, 9)


@functools.lru_cache(maxsize=8)
@_releasing_fonts
def copy_label_pdf(text: str) -> bytes:
    """A one-page PDF, COPY_LABEL_SIZE_MM wide and high, with `text` (e.g. "第一联 申请人留存") set
    flush right in a thin frame: overlaid at the top right of each page of a printed copy. Drawn once
    per text and process (a handful of labels, each ~3 kB)."""
    from django.utils.html import escape

    width, height = COPY_LABEL_SIZE_MM
    html = (f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><style>'
            f"@page {{ size: {width}mm {height}mm; margin: 0; }}"
            "html, body { margin: 0; }"
            'p { margin: 1mm 0 0; float: right; padding: 0.6mm 2.5mm; border: 0.6pt solid #000; font-size: 10.5pt;'
            ' line-height: 1.3; font-weight: bold; letter-spacing: 0.08em; white-space: nowrap;'
            ' font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; }'
            f"</style></head><body><p>{escape(text)}</p></body></html>")
    return _write(_render(html, None))


# --- fonts: each embedded once, with the glyphs the document draws and nothing else -----------------

def compact_fonts(document, pdf):
    """WeasyPrint's finisher (called on the pydyf.PDF before it is written): each CID-keyed CFF font cut
    down to the glyphs its text draws, embedded as bare CFF, and tagged after its glyphs.

    WeasyPrint subsets a font keeping every glyph's number in the whole font, since its text draws glyph
    numbers: a Noto CJK face has 44,000-65,000 glyphs, and the subset keeps an (empty) entry for each in
    its CFF, hmtx and vmtx tables, 50-200 kB compressed per face whether 4 glyphs are used or 400. A
    CID-keyed CFF font needs no such padding: the viewer finds a glyph by its CID through the font's
    charset (ISO 32000-1, 9.7.4.2), so the font keeps its used glyphs only, each under the CID the text
    draws. The widths (/W) and the text map (/ToUnicode) are keyed by CID and stay as they are.

    WeasyPrint's subset tag (ABCDEF+) comes from the face's name, so the stamp's and the page's subsets
    of one face shared a tag with different glyphs, where the standard asks different subsets for
    different tags (9.6.4), lest a viewer that keeps fonts by name mix them up: the tag is made from the
    subset's own bytes instead."""
    for number, (names, cids) in _cff_font_files(pdf).items():
        stream = pdf.objects[number]
        cff = _compact_cff(b"".join(stream.stream), cids)
        if cff is None:
            continue
        stream.stream = [cff]
        stream.extra["Subtype"] = "/CIDFontType0C"
        tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256(cff).digest()[:6]).encode()
        for name in names:
            _rename_font(pdf, name, b"/" + tag + b"+" + name[1:].split(b"+", 1)[-1])


def _cff_font_files(pdf) -> dict[int, tuple[set[bytes], set[int]]]:
    """Object number of each OpenType (CFF) font file -> the names of the fonts made from it and the CIDs
    they draw, read from their /W widths (WeasyPrint gives a width to each glyph it draws)."""
    descriptors = {}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/FontDescriptor" and "FontFile3" in obj:
            descriptors[obj.reference] = (_object_number(obj["FontFile3"]), obj["FontName"])
    files: dict[int, tuple[set[bytes], set[int]]] = {}
    for obj in pdf.objects:
        if not (isinstance(obj, dict) and obj.get("Subtype") == "/CIDFontType0"):
            continue
        number, name = descriptors.get(obj.get("FontDescriptor"), (None, None))
        if number is not None and pdf.objects[number].extra.get("Subtype") == "/OpenType":
            names, cids = files.setdefault(number, (set(), {0}))
            names.add(name)
            cids.update(_cids_of_widths(obj.get("W") or []))
    return files


def _rename_font(pdf, old: bytes, new: bytes) -> None:
    for obj in pdf.objects:
        if isinstance(obj, dict):
            for key in ("BaseFont", "FontName"):
                if obj.get(key) == old:
                    obj[key] = new


def _object_number(reference: bytes) -> int:
    return int(reference.split()[0])


def _cids_of_widths(widths) -> set[int]:
    """The CIDs of a /W array: `first [w1 w2 ...]` runs, or `first last w` ranges."""
    cids, index = set(), 0
    while index < len(widths) - 1:
        first, following = widths[index], widths[index + 1]
        if isinstance(following, list):
            cids.update(range(first, first + len(following)))
            index += 2
        else:
            cids.update(range(first, following + 1))
            index += 3
    return cids


def _compact_cff(font_file: bytes, cids: set[int]) -> bytes | None:
    """The CFF table of an OpenType font holding only `cids` (and the few variants HarfBuzz keeps beside
    them), renumbered from 0 but each still reached by its CID; None (the font is left as WeasyPrint made
    it) unless the font is CID-keyed in the Adobe-Identity order, where a glyph's CID is its number in the
    whole font, as in Noto CJK: only then does the text draw the same glyph before and after."""
    kept = sorted(cids)
    try:
        cut = _harfbuzz_cut if _harfbuzz() is not None else _fonttools_cut
        cff, glyph_count = cut(font_file, kept)
        if set(cid for cid in kept if cid < glyph_count) <= set(_identity_cids_of(cff)):
            return cff
    except Exception:  # a font that cannot be read or cut: a larger PDF, never no PDF
        logger.warning("notices.pdf: a font could not be compacted; embedded as WeasyPrint made it", exc_info=True)
    return None


def _identity_cids_of(cff: bytes) -> list[int]:
    """The CID of each glyph of a CFF font keyed by CIDs in the Adobe-Identity order; none for another."""
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts.topDictIndex[0]
    if tuple(getattr(top, "ROS", ())) != ("Adobe", "Identity", 0):
        return []
    return [0] + [int(name.removeprefix("cid")) for name in top.charset[1:]]


# The few HarfBuzz functions that cut a font (hb.h, hb-subset.h): WeasyPrint's own subsetting library.
_HARFBUZZ_API = """
    typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
    typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
    hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
    void hb_blob_destroy(hb_blob_t *blob);
    const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
    hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
    void hb_face_destroy(hb_face_t *face);
    unsigned int hb_face_get_glyph_count(const hb_face_t *face);
    hb_blob_t *hb_face_reference_table(const hb_face_t *face, uint32_t tag);
    void hb_set_add(hb_set_t *set, uint32_t codepoint);
    hb_subset_input_t *hb_subset_input_create_or_fail(void);
    void hb_subset_input_destroy(hb_subset_input_t *input);
    hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
    void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int flags);
    hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_MEMORY_MODE_DUPLICATE = 0
_HB_SUBSET_FLAGS = 0x1 | 0x40  # NO_HINTING | NOTDEF_OUTLINE; and not RETAIN_GIDS, the point of it all
_CFF_TAG = int.from_bytes(b"CFF ", "big")


@functools.cache
def _harfbuzz():
    """(ffi, library) of libharfbuzz-subset (scripts/install-system-deps), or None where it cannot be
    loaded: fontTools then cuts the fonts the same way, ~0.1 s slower a font."""
    try:
        from cffi import FFI
    except ImportError:
        return None
    ffi = FFI()
    ffi.cdef(_HARFBUZZ_API)
    for name in ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0"):
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    return None


def _harfbuzz_cut(font_file: bytes, kept: list[int]) -> tuple[bytes, int]:
    """(the CFF table of `font_file` cut down to the glyphs `kept`, the glyph count before the cut)."""
    ffi, hb = _harfbuzz()
    blob = hb.hb_blob_create(font_file, len(font_file), _HB_MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    request = hb.hb_subset_input_create_or_fail()
    cut = table = ffi.NULL
    try:
        glyphs = hb.hb_subset_input_glyph_set(request)
        for glyph in kept:
            hb.hb_set_add(glyphs, glyph)
        hb.hb_subset_input_set_flags(request, _HB_SUBSET_FLAGS)
        cut = hb.hb_subset_or_fail(face, request)
        if cut == ffi.NULL:
            raise ValueError("HarfBuzz could not subset the font")
        table = hb.hb_face_reference_table(cut, _CFF_TAG)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(table, length)
        if not length[0]:
            raise ValueError("the font has no CFF table")
        return ffi.unpack(data, length[0]), hb.hb_face_get_glyph_count(face)
    finally:
        hb.hb_blob_destroy(table)  # each destroy accepts NULL
        hb.hb_face_destroy(cut)
        hb.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _fonttools_cut(font_file: bytes, kept: list[int]) -> tuple[bytes, int]:
    """As _harfbuzz_cut, with fontTools."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_file), lazy=True, recalcBBoxes=False)
    for tag in [tag for tag in font.keys() if tag not in ("GlyphOrder", "CFF ")]:
        del font[tag]  # only the CFF is embedded: not worth reading 65,000 widths of hmtx and vmtx
    order = font.getGlyphOrder()
    # WeasyPrint's subset is already without hints and subroutines (HarfBuzz): nothing to undo again.
    options = subset.Options(retain_gids=False, notdef_outline=True, desubroutinize=False, hinting=True,
                             glyph_names=True, drop_tables=[], ignore_missing_glyphs=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=[order[glyph] for glyph in kept if glyph < len(order)])
    subsetter.subset(font)
    return font.getTableData("CFF "), len(order)


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
