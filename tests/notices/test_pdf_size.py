"""Issue 13: "PDFs are small. Fonts are subset and embedded once; a one-page notice is tens of KB, not
hundreds."

WeasyPrint embeds a subset of each Noto CJK face, but padded to the whole face's 44,000-65,000 glyph
numbers: 50-200 kB a face whether it draws 4 glyphs or 400, so a one-page document came to ~550 kB and
the notice to ~620 kB. notices.pdf.compact_fonts cuts each face down to the glyphs the text draws. These
tests read the PDFs a holder downloads (sealed, as the preparing job keeps them) with pypdf, and draw
pages with pdfium. Real WeasyPrint, HarfBuzz, fontTools and pyHanko; the demonstration seals of
tests/conftest.py.
"""
import gc
import io
import re

import pypdfium2
import pytest
from PIL import ImageChops
from pypdf import PdfReader

from notices import pdf as pdf_module
from notices import services as notice_services
from notices.constants import DocumentKind
from notices.models import Document
from notices.pdf import compact_fonts, copy_label_pdf
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

KB = 1024
# What a sealed document weighs at most: 90 kB for one page (55-70 kB as rendered now, 470-800 kB before
# issue 13), and 25 kB more for each further page. Most of it is the glyphs of the body's serif face, each
# embedded once, so a page more adds only the characters not drawn before (the three-page notice is
# ~110 kB). The fixed text of the templates is most of those characters; an item's own text adds its own.
ONE_PAGE_LIMIT = 90 * KB
FURTHER_PAGE_LIMIT = 25 * KB
SUBSET_TAG = re.compile(r"^/[A-Z]{6}\+")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdfs_of(document) -> tuple[bytes, bytes]:
    """The PDF and the masked copy, as the preparing job renders and keeps them."""
    return notice_services.document_pdf(document), notice_services.document_pdf(document, masked=True)


@pytest.fixture
def notice(commitment_item, enterprise, applicant_user, officer) -> Document:
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, notice_issued=True)
    return application.documents.get(kind=DocumentKind.NOTICE)


def fonts_in(pdf: bytes, *, forms: bool = True) -> dict:
    """Each font the file draws with, by object number: the pages' own and, with `forms`, those of every
    form they draw (the seal's stamp is one, in the signature's appearance)."""
    fonts, visited = {}, set()

    def visit(resources):
        resources = resources.get_object() if resources is not None else {}
        for reference in (resources.get("/Font") or {}).values():
            fonts[reference.idnum] = reference.get_object()
        for reference in (resources.get("/XObject") or {}).values() if forms else ():
            if reference.idnum not in visited:
                visited.add(reference.idnum)
                visit(reference.get_object().get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        visit(page.get("/Resources"))
        for annotation in page.get("/Annots") or [] if forms else ():
            appearance = annotation.get_object().get("/AP")
            if appearance is not None:
                visit(appearance["/N"].get("/Resources"))
    return fonts


def font_programs(pdf: bytes) -> dict:
    """Each embedded font program, by object number -> the names of the fonts drawn with it."""
    programs = {}
    for font in fonts_in(pdf).values():
        for descendant in font.get("/DescendantFonts") or [font]:
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            key = next(key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor)
            programs.setdefault(descriptor.raw_get(key).idnum, set()).add(str(font["/BaseFont"]))
    return programs


def face(name: str) -> str:
    return SUBSET_TAG.sub("/", name)


def assert_small(pdf: bytes, what: str) -> None:
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    limit = ONE_PAGE_LIMIT + (pages - 1) * FURTHER_PAGE_LIMIT
    assert len(pdf) < limit, f"{what}: {len(pdf) / KB:.0f} kB for {pages} pages, more than {limit / KB:.0f} kB"


def test_the_notice_and_its_masked_copy_weigh_tens_of_kilobytes_not_hundreds(notice):
    """The 告知书 takes three pages (the gazette's five contents, given at once): ~110 kB, ~600 kB before."""
    pdf, masked = pdfs_of(notice)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert_small(pdf, "notice")
    assert_small(masked, "masked notice")


def test_every_font_is_a_subset_tagged_after_its_own_glyphs(notice):
    for pdf in pdfs_of(notice):
        programs = font_programs(pdf)
        names = [name for used_by in programs.values() for name in used_by]
        assert names and all(SUBSET_TAG.match(name) for name in names), names
        # one program per name: a tag is never shared by two different subsets (ISO 32000-1, 9.6.4)
        assert len(names) == len(set(names)), programs


def test_each_face_of_the_text_is_embedded_once(notice):
    """The page's text embeds each face once, bold and regular apart; only the seal's stamp, drawn apart
    and signed in, brings a few glyphs of the sans face of its own."""
    pdf, _ = pdfs_of(notice)
    faces = [face(str(font["/BaseFont"])) for font in fonts_in(pdf, forms=False).values()]
    assert len(faces) == len(set(faces)), faces
    assert len(font_programs(pdf)) <= len(faces) + 1


def test_the_chinese_text_still_reads_back_from_both_copies(notice, enterprise):
    for pdf in pdfs_of(notice):
        text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        assert str(DocumentKind.NOTICE.label) in text  # a lazy label (issue 15): in Chinese, the default
        assert enterprise.name in text
        assert notice.verification_code in text


@pytest.mark.parametrize("cutter", ["harfbuzz", "fonttools"])
def test_the_compacted_fonts_draw_the_same_glyphs_as_weasyprints(cutter, notice, monkeypatch):
    """Each glyph is still found under the number the text draws: the page looks as WeasyPrint drew it,
    pixel for pixel but for anti-aliasing (a wrong glyph differs by whole strokes). HarfBuzz cuts the
    fonts (libharfbuzz-subset0, scripts/install-system-deps); fontTools where it cannot be loaded."""
    from weasyprint import HTML

    if cutter == "harfbuzz":
        assert pdf_module._harfbuzz() is not None, "libharfbuzz-subset is not installed (scripts/install-system-deps)"
    else:
        monkeypatch.setattr(pdf_module, "_harfbuzz", lambda: None)
    rendered = HTML(string=notice_services.document_html(notice), base_url="file:///").render()
    as_weasyprint_made_it = rendered.write_pdf()
    compacted = rendered.write_pdf(finisher=compact_fonts)
    assert len(compacted) < len(as_weasyprint_made_it) / 4
    pages = zip(pypdfium2.PdfDocument(as_weasyprint_made_it), pypdfium2.PdfDocument(compacted), strict=True)
    for before, after in pages:
        difference = ImageChops.difference(before.render(scale=2).to_pil().convert("L"),
                                           after.render(scale=2).to_pil().convert("L"))
        assert sum(difference.histogram()[96:]) == 0


@pytest.mark.parametrize("trait, kinds", [
    ("decided", [DocumentKind.NOTICE, DocumentKind.COMMITMENT, DocumentKind.DECISION, DocumentKind.LICENCE]),
    ("rejected", [DocumentKind.REJECTION]),
    ("filed", [DocumentKind.FILING_RECEIPT]),
    ("recorded", [DocumentKind.CANCEL_RECEIPT]),
])
def test_documents_of_each_procedure_weigh_tens_of_kilobytes(trait, kinds, commitment_item, officer):
    """Approval by commitment, rejection, filing and a cancelled item's registration: each document and
    its masked copy (the inspection documents are set like these: bench/pdf_bench.py weighs every kind)."""
    item = {"item": commitment_item, "officer": officer} if trait in ("decided", "rejected") else {}
    application = ApplicationFactory(**{trait: True}, **item)
    for kind in kinds:
        document = application.documents.get(kind=kind, version=1)
        pdf, masked = pdfs_of(document)
        assert_small(pdf, kind)
        assert_small(masked, f"masked {kind}")


def test_the_windows_copy_labels_weigh_a_few_kilobytes():
    assert len(copy_label_pdf("第一联 申请人留存")) < 8 * KB


def test_a_render_leaves_no_font_configuration_for_the_collector_to_find_later():
    """Each render's font configuration (a Pango font map holding the Noto CJK faces, ~130 MB) lies in
    reference cycles; left to the collector's own pace, a worker grew by that much a PDF, to 1.5 GB."""
    from weasyprint.text.fonts import FontConfiguration

    def alive():
        # type(), not isinstance(): isinstance asks a lazy object (a request's csp_nonce) for its
        # __class__, which evaluates it, and some of those raise once their response is gone.
        return sum(type(obj) is FontConfiguration for obj in gc.get_objects())

    gc.collect()
    before = alive()  # others kept on purpose by earlier tests in the same process
    gc.disable()  # the collector's own passes must not do the work this test expects of the render
    try:
        for _ in range(3):
            pdf_module.html_to_pdf("<p>钦州市</p>")
        assert alive() == before
    finally:
        gc.enable()
