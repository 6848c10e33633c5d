"""How much a notice costs to render, as a ratio to the cheapest WeasyPrint page.

Renders the tiny Chinese document of tests/notices/test_pdf.py through notices.pdf.render_pdf
(Django template, base document CSS, Noto CJK fonts, page counters) and a bare
``<p>x</p>`` page straight through WeasyPrint, N times each, interleaved so both see the
same machine load, and prints the ratio of their median times. The ratio, not the
seconds, is the figure to compare between machines and commits.

    .venv/bin/python bench/pdf_bench.py [-n 20]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs every step at INFO

TINY_DOCUMENT = (
    '{% extends "notices/base_document.html" %}'
    "{% block content %}<h1>{{ title }}</h1><p>{{ sentence }}。</p>{% endblock %}"
)
CONTEXT = {"title": "告知承诺书", "sentence": "申请人承诺所填写的信息真实有效"}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                ("django.template.loaders.locmem.Loader", {"bench/tiny.html": TINY_DOCUMENT}),
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders of each page (default 20)")
    n = parser.parse_args().n

    import django

    django.setup()
    from django.test.utils import override_settings
    from weasyprint import HTML

    from notices.pdf import render_pdf

    def document():
        render_pdf("bench/tiny.html", CONTEXT)

    def minimal():
        HTML(string="<p>x</p>").write_pdf()

    with override_settings(TEMPLATES=TEMPLATES):
        document(), minimal()  # warm-up: font discovery, template compilation
        document_times, minimal_times = [], []
        for _ in range(n):
            document_times.append(timed(document))
            minimal_times.append(timed(minimal))

    doc, ref = statistics.median(document_times), statistics.median(minimal_times)
    print(f"pdf_bench: N={n} renders each, median seconds per render")
    print(f"  tiny document (notice)    {doc:.4f} s  (mean {statistics.fmean(document_times):.4f})")
    print(f"  minimal page (<p>x</p>)   {ref:.4f} s  (mean {statistics.fmean(minimal_times):.4f})")
    print(f"ratio document/minimal: {doc / ref:.2f}")


if __name__ == "__main__":
    main()
