"""What the documents' PDFs cost, as ratios to the cheapest WeasyPrint page, and how long a download waits.

Three measures, each against a reference timed in the same run, so the ratios compare between
machines and commits:

  (0) the tiny Chinese document of tests/notices/test_pdf.py through notices.pdf.render_pdf (Django
      template, base document CSS, Noto CJK fonts, page counters) against a bare ``<p>x</p>`` page;
  (a) each kind of document the portal issues (notices.constants.DocumentKind), its frozen HTML as
      issued through the services, rendered to a PDF by notices.pdf.html_to_sealed_pdf, unsealed and
      sealed with its organisation's (demonstration) seal, against a minimal page set in the same
      font (one line of Noto Serif CJK SC): N renders each, interleaved, medians; then what each kind
      weighs, sealed, and its masked copy, with the share of its embedded fonts (issue 13), and the
      process's memory after all those renders;
  (b) the wait for a download once a document is issued: the issuing service is called, one real
      Celery worker process (--pool=solo) takes the PDF job from a real broker (its own redis-server)
      and renders both PDFs, and this process polls the row until each is kept; medians of K issues,
      against a no-op task's round trip through the same broker and worker. Needs redis-server on
      PATH; without it (or with --no-worker) only (0) and (a) run.

All on a throw-away SQLite database (the migrations load the catalogue) with demonstration seals.

    .venv/bin/python bench/pdf_bench.py [-n 20] [-r 5] [-k 5] [--no-worker]
"""
import argparse
import datetime as dt
import io
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
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
# (a)'s reference: the least WeasyPrint does with the documents' body font (base_document.html).
MINIMAL_CJK = ('<html lang="zh-Hans"><body style="font-family: \'Noto Serif CJK SC\', serif">'
               "<p>钦州市</p></body></html>")


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# --- (0) the tiny notice --------------------------------------------------------------------------

def tiny_notice(n: int) -> None:
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


# --- (a) every kind of document -------------------------------------------------------------------

def issue_every_kind() -> list:
    """One document of each kind, issued through the services as the portal issues them: item 13 by
    notify-and-commit, decided, checked (rectification, then a failed re-check) and revoked; another
    rejected by the ordinary procedure; a filing found untrue; a cancelled item's registration."""
    from licensing import services
    from licensing.models import Item
    from notices.models import Document
    from portal.constants import Role
    from supervision import services as supervision_services
    from tests.clock import at
    from tests.factories import ApplicationFactory, UserFactory, item_officer, ready_commitment_item, route_item

    def on(day):  # a Qinzhou wall-clock day of March 2025, standing still
        return at(2025, 3, day)

    item = ready_commitment_item()
    officer = item_officer(item)
    regulator_org = item.regulator_routes.get().regulator
    inspectors = [UserFactory(role=Role.REGULATOR, organisation=regulator_org) for _ in range(2)]
    filing_item = Item.objects.filter(reform_mode="filing").order_by("seq_no").first()
    route_item(filing_item, regulator_org)
    with on(10):  # a Monday
        decided = ApplicationFactory(decided=True, item=item, officer=officer)
        ApplicationFactory(rejected=True, item=item, officer=officer)
        filed = ApplicationFactory(filed=True, item=filing_item)
        services.application_mark_filing_untrue(application=filed, actor=inspectors[0], findings="经营场所与备案不符。",
                                                correct_by=dt.date(2025, 3, 31))
        ApplicationFactory(recorded=True)
    with on(17):
        inspection = supervision_services.inspection_assign(inspection=decided.inspection, inspectors=inspectors,
                                                            actor=inspectors[0])
        supervision_services.inspection_record_result(inspection=inspection, actor=inspectors[0], outcome="rectify",
                                                      note="消防通道堆放杂物。", rectify_within_days=1)
    with on(19):
        supervision_services.inspection_record_result(inspection=inspection, actor=inspectors[0], outcome="fails",
                                                      note="复查时消防通道仍被占用。", ground="still_nonconforming")
    with on(20):
        services.application_revoke(application=decided, actor=officer, reason="核查发现承诺内容不实。")
    documents = {}
    for document in Document.objects.select_related("organisation").order_by("version", "id"):
        documents.setdefault(document.kind, document)  # the first of each kind (the licence's version 1)
    return list(documents.values())


def every_kind(documents: list, n: int) -> None:
    from pypdf import PdfReader
    from weasyprint import HTML

    from notices.constants import DocumentKind
    from notices.pdf import html_to_sealed_pdf
    from notices.seal import seal_of

    missing = set(DocumentKind.values) - {d.kind for d in documents}
    if missing:
        sys.exit(f"pdf_bench: no document of kind {sorted(missing)} was issued")

    def minimal():
        HTML(string=MINIMAL_CJK).write_pdf()

    renders = {}
    for document in documents:
        seal = seal_of(document.organisation)
        if seal is None:
            sys.exit(f"pdf_bench: {document.organisation} has no seal (manage.py seal_demo_certs)")
        reason = f"{document.get_kind_display()} {document.number}，验证码 {document.verification_code}"
        renders[document.kind] = (
            lambda html=document.html: html_to_sealed_pdf(html),
            lambda html=document.html, seal=seal, reason=reason: html_to_sealed_pdf(html, seal=seal, reason=reason))
    minimal()
    pages = {}
    for document in documents:  # warm-up: the stamp of each seal is drawn once per process
        unsealed, sealed = renders[document.kind]
        unsealed()
        pages[document.kind] = len(PdfReader(io.BytesIO(sealed())).pages)
    minimal_times, times = [], {(kind, sealed): [] for kind in renders for sealed in (False, True)}
    for _ in range(n):
        minimal_times.append(timed(minimal))
        for kind, (unsealed, sealed) in renders.items():
            times[kind, False].append(timed(unsealed))
            times[kind, True].append(timed(sealed))

    ref = statistics.median(minimal_times)
    print(f"\n(a) each document kind, HTML -> PDF (notices.pdf.html_to_sealed_pdf), N={n} renders each, medians,"
          f" as a ratio to a minimal page in Noto Serif CJK SC ({ref:.4f} s)")
    print(f"  {'kind':22s}{'pages':>6s}{'unsealed':>11s}{'ratio':>8s}{'sealed':>11s}{'ratio':>8s}{'seal +':>10s}")
    for kind, _ in renders.items():
        plain, signed = statistics.median(times[kind, False]), statistics.median(times[kind, True])
        print(f"  {kind:22s}{pages[kind]:6d}{plain:10.3f}s{plain / ref:8.1f}{signed:10.3f}s{signed / ref:8.1f}"
              f"{(signed - plain) * 1000:8.0f}ms")
    weigh(documents)
    print(f"  process memory after {len(documents) * (2 * n + 2)} renders: {memory()}")


def weigh(documents: list) -> None:
    """What a holder downloads: each kind's sealed PDF and its masked copy, as the preparing job renders
    them (notices.services.document_pdf), in kB, with the embedded font programs' share."""
    from notices.services import document_html
    from notices.pdf import html_to_sealed_pdf
    from notices.seal import seal_of

    print("\n  what each kind weighs, sealed (kB), and how much of it is embedded fonts")
    print(f"  {'kind':22s}{'pages':>6s}{'PDF':>8s}{'masked':>8s}{'fonts':>7s}{'font kB':>9s}")
    for document in documents:
        seal = seal_of(document.organisation)
        pdf, masked = (html_to_sealed_pdf(document_html(document, masked=hide), seal=seal, reason=document.number)
                       for hide in (False, True))
        pages, programs = font_programs(pdf)
        print(f"  {document.kind:22s}{pages:6d}{len(pdf) / 1024:8.1f}{len(masked) / 1024:8.1f}"
              f"{len(programs):7d}{sum(programs.values()) / 1024:9.1f}")


def font_programs(pdf: bytes) -> tuple[int, dict]:
    """The PDF's page count, and each embedded font program (object number -> its stored bytes), the
    signature's stamp included: every object of the file that is a font descriptor's font file."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    reader = PdfReader(io.BytesIO(pdf))
    programs = {}
    numbers = set(reader.xref_objStm) | {number for entries in reader.xref.values() for number in entries}
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/FontDescriptor":
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in obj:
                    programs[obj.raw_get(key).idnum] = len(obj[key].get_object()._data)
    return len(reader.pages), programs


def memory() -> str:
    """This process's resident memory now and at its peak (Linux /proc), in MB."""
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    except OSError:
        return "unknown (no /proc)"
    now, peak = (int(status[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM"))
    return f"{now} MB resident, {peak} MB at the peak"


# --- (b) from issue to download -------------------------------------------------------------------

def prepare_waits(k: int):
    """K+1 applications awaiting their notice and K+1 awaiting the decision (the first of each warms up)."""
    from tests.factories import ApplicationFactory, item_officer, prepared_commitment_item

    item = prepared_commitment_item()
    officer = item_officer(item)
    submitted = [ApplicationFactory(item=item, officer=officer) for _ in range(k + 1)]
    committed = [ApplicationFactory(committed=True, item=item, officer=officer) for _ in range(k + 1)]
    return officer, submitted, committed


def kept_after(start: float, documents: dict, timeout: float = 300.0) -> dict:
    """Poll until each document's PDF and masked copy are kept; seconds from `start` to each."""
    from notices.models import Document

    waiting = {(name, field): pk for name, pk in documents.items() for field in ("pdf", "masked_pdf")}
    found = {}
    deadline = time.monotonic() + timeout
    while waiting:
        for (name, field), pk in list(waiting.items()):
            if Document.objects.filter(pk=pk).exclude(**{field: ""}).exists():
                found[name, field] = time.perf_counter() - start
                del waiting[name, field]
        if time.monotonic() > deadline:
            sys.exit(f"pdf_bench: {sorted(waiting)} not rendered within {timeout:.0f} s (see the worker's log)")
        time.sleep(0.005)
    return found


def issue_notice(application, officer) -> dict:
    from licensing import services
    from notices.constants import DocumentKind

    start = time.perf_counter()
    services.application_issue_notice(application=application, actor=officer)
    return kept_after(start, {"notice": application.documents.get(kind=DocumentKind.NOTICE).pk})


def decide(application, officer) -> dict:
    from licensing import services
    from notices.constants import DocumentKind

    start = time.perf_counter()
    services.application_decide(application=application, actor=officer)
    return kept_after(start, {kind: application.documents.get(kind=kind, version=1).pk
                              for kind in (DocumentKind.DECISION, DocumentKind.LICENCE)})


def waits(k: int, worker_log: Path) -> None:
    from django.conf import settings

    from bench.outbox_bench import noop_round_trip, start_worker
    from portal.celery import app

    officer, submitted, committed = prepare_waits(k)
    app.control.purge()  # the PDF jobs of everything issued so far: not part of the measure
    worker = start_worker(worker_log)  # one process, --pool=solo, the production task code
    try:
        noop_round_trip(10)  # the worker is up, its connections open
        cold = issue_notice(submitted.pop(), officer)  # its first render: WeasyPrint and the fonts load
        decide(committed.pop(), officer)
        reference = noop_round_trip()
        notices = [issue_notice(application, officer) for application in submitted]
        decisions = [decide(application, officer) for application in committed]
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    refresh = settings.DOCUMENT_PREPARING_REFRESH_SECONDS
    print(f"\n(b) from the issuing service's call until the PDF is kept, one worker (--pool=solo), own redis-server,"
          f" SQLite; medians of {k}, as a ratio to a no-op round trip ({reference * 1000:.1f} ms)")
    for what, runs, name in [("issue_notice -> notice", notices, "notice"),
                             ("decide -> decision", decisions, "decision"),
                             ("decide -> licence", decisions, "licence")]:
        pdf = statistics.median(run[name, "pdf"] for run in runs)
        masked = statistics.median(run[name, "masked_pdf"] for run in runs)
        print(f"  {what:24s} PDF {pdf * 1000:6.0f} ms = {pdf / reference:5.0f} x no-op;"
              f"  masked copy too {masked * 1000:6.0f} ms = {masked / reference:5.0f} x")
    notice = statistics.median(run["notice", "pdf"] for run in notices)
    print(f"  a click on the notice at once: the page says it is being prepared and, refreshing every {refresh} s,"
          f" downloads it after {max(1, math.ceil(notice / refresh)) * refresh} s")
    print(f"  (the worker's first notice, warm-up, not counted: {cold['notice', 'pdf'] * 1000:.0f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders of the tiny notice and its reference (default 20)")
    parser.add_argument("-r", type=int, default=5, help="renders of each document kind, each way (default 5)")
    parser.add_argument("-k", type=int, default=5, help="issues timed until their PDF is kept (default 5)")
    parser.add_argument("--no-worker", action="store_true", help="skip (b): no redis-server, no worker")
    args = parser.parse_args()
    with_worker = not args.no_worker and shutil.which("redis-server") is not None
    var_dir = tempfile.mkdtemp(prefix="pdf-bench-")
    redis_server = None
    if with_worker:
        from bench.outbox_bench import environment, free_port, start_redis

        port = free_port()
        environment(var_dir, f"redis://127.0.0.1:{port}/0")  # broker for the jobs, backend for the no-op
        redis_server = start_redis(port, var_dir)  # before anything is issued: issuing queues the PDF jobs
    else:
        os.environ.update({"PORTAL_VAR_DIR": var_dir, "CELERY_BROKER_URL": "filesystem://",
                           "CELERY_TASK_ALWAYS_EAGER": "false"})
        os.environ.pop("DATABASE_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("seal_demo_certs", verbosity=0, stdout=io.StringIO())  # the migrated organisations' seals
        tiny_notice(args.n)
        every_kind(issue_every_kind(), args.r)
        if with_worker:
            waits(args.k, Path(var_dir) / "worker.log")
        else:
            print("\n(b) skipped: " + ("--no-worker" if args.no_worker else "redis-server is not on PATH"
                                       " (Debian package redis-server)"))
    finally:
        if redis_server is not None:
            redis_server.terminate()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
