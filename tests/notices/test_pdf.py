"""notices.pdf renders real PDFs with WeasyPrint: no mocks, the fonts of the machine."""
import io

import pytest
from pypdf import PdfReader

from notices.pdf import RenderedDocument, render_pdf

TITLE = "告知承诺书"
SENTENCE = "申请人承诺所填写的信息真实有效"
TINY_DOCUMENT = (
    '{% extends "notices/base_document.html" %}'
    "{% block content %}<h1>{{ title }}</h1><p>{{ sentence }}。</p>{% endblock %}"
)


@pytest.fixture
def tiny_document(settings):
    # A locmem template beside the app templates, so the test renders through the same
    # base document every notice extends without shipping a test template in the app.
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"tests/tiny.html": TINY_DOCUMENT}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    return render_pdf("tests/tiny.html", {"title": TITLE, "sentence": SENTENCE})


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages)


def test_it_returns_a_pdf_and_the_html_it_came_from(tiny_document):
    assert isinstance(tiny_document, RenderedDocument)
    assert tiny_document.pdf.startswith(b"%PDF")
    assert f"<h1>{TITLE}</h1>" in tiny_document.html
    assert SENTENCE in tiny_document.html


def test_the_chinese_text_can_be_read_back_from_the_pdf(tiny_document):
    # Extraction only finds the characters when a CJK font was embedded with a Unicode map;
    # a missing font gives boxes (tofu) that extract as nothing or as other characters.
    text = "".join(pdf_text(tiny_document.pdf).split())
    assert TITLE in text
    assert SENTENCE in text


def test_the_footer_numbers_the_pages(tiny_document):
    text = "".join(pdf_text(tiny_document.pdf).split())
    assert "第1页/共1页" in text


def test_it_lays_the_document_out_on_a4(tiny_document):
    page = PdfReader(io.BytesIO(tiny_document.pdf)).pages[0]
    width_mm = float(page.mediabox.width) * 25.4 / 72
    height_mm = float(page.mediabox.height) * 25.4 / 72
    assert (round(width_mm), round(height_mm)) == (210, 297)


def test_it_embeds_a_noto_cjk_font(tiny_document):
    fonts = set()
    for page in PdfReader(io.BytesIO(tiny_document.pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Subset fonts are named like "/LWGGBP+Noto-Serif-CJK-SC".
    assert any("Noto-Serif-CJK-SC" in name for name in fonts), fonts
