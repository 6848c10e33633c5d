"""Issuing documents. Called by licensing's transitions inside their transaction."""
import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from licensing import selectors as licensing_selectors
from licensing.constants import COMMITMENT_CONFIRMATIONS, MaterialStatus
from notices.constants import DOCUMENT_LANGUAGE, DOCUMENT_TEXT_FIELDS, NUMBER_PREFIX, DocumentKind, SealKind
from notices.masking import mask_identity
from notices.models import Document, DocumentNumberCounter
from notices.seal import SealError, seal_kind, seal_of
from notices.selectors import document_html
from portal.counters import next_number

logger = logging.getLogger(__name__)

VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _verification_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(12))


def _allocate_number(kind: DocumentKind, now) -> str:
    """钦告〔2027〕000001号: each kind counts from 1 each year, under the counter row's lock (taken by
    the UPDATE and held until the issuing transition commits), so two issues at once never share
    a number. The application's own number plays no part: one filed in December and answered in
    January must not take the number of January's application with the same serial."""
    year = timezone.localtime(now).year
    last = next_number(DocumentNumberCounter, kind=kind, year=year)
    return f"钦{NUMBER_PREFIX[kind]}〔{year}〕{last:06d}号"


@transaction.atomic
def document_issue(*, application, kind: DocumentKind, extra: dict | None = None, version: int = 1,
                   organisation=None) -> Document:
    """Issue version `version` of the document of `kind` for the application once; a second call returns
    the first. `organisation` issues it and seals it (issue 12): by default the deciding authority
    (licensing.selectors.issuer_of); a regulator's documents name the regulator."""
    existing = Document.objects.filter(application=application, kind=kind, version=version).first()
    if existing:
        return existing
    now = timezone.now()
    code = _verification_code()
    issuer = _issuer(application)
    organisation = organisation if organisation is not None else issuer["issuer_organisation"]
    seal = seal_kind(organisation)
    verify_url = verification_url(code)
    context = {**_state_context(application), **issuer, "verification_code": code,
               "issued_at": now, "kind": kind, "kind_label": DocumentKind(kind).label, "version": version,
               "verify_url": verify_url, "verify_qr": qr_svg(verify_url), "seal": seal, "seal_kinds": SealKind,
               "issuing_organisation": organisation, **(extra or {})}
    # The number last: its counter's row stays locked until the transition commits, and every issue of
    # this kind in the city waits on it. What does not need the number (the state read, the QR code of
    # the verification address) is made before, so the lock covers the rendering and the insert alone.
    number = context["number"] = _allocate_number(kind, now)
    with override(DOCUMENT_LANGUAGE):  # a legal document, in Chinese whatever the page's language (issue 15)
        html = render_to_string(f"notices/documents/{kind}.html", context)
    document = Document.objects.create(application=application, kind=kind, number=number, verification_code=code,
                                       html=html, sha256=Document.digest(html), issued_at=now, version=version,
                                       organisation=organisation, seal=seal,
                                       masked_html=mask_identity(html, application.applicant.identifier))
    # The PDFs are rendered by a worker once the document surely exists: a rolled-back transition
    # enqueues nothing. robust: a broker that is down must not fail an issue already committed; the
    # beat job (documents_render_missed) renders what no message asked for.
    transaction.on_commit(lambda: _enqueue_pdf(document.pk), robust=True)
    return document


def verification_url(code: str) -> str:
    """The public verification page of a code, on the portal's configured public address (SITE_URL),
    never the Host of the request that happened to issue the document."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('verify')}?code={code}"


def qr_svg(url: str) -> str:
    """`url` as a QR code drawn in SVG, to sit inside the document's HTML: the PDF needs no network,
    and a phone's camera opens the verification page. Error correction M survives a worn print."""
    import segno

    return segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=2, title="扫码验证文书")


def _enqueue_pdf(document_id: int) -> None:
    from notices.tasks import document_prepare_pdf  # the task module imports this one

    document_prepare_pdf.delay(document_id)


# A "being prepared" page refreshes every few seconds: one message per document per this many seconds,
# so a refreshing page never queues a backlog of renders (the backlog is what keeps the PDF waiting).
REQUEUE_EVERY_SECONDS = 60


def documents_request_pdfs(documents) -> None:
    """Ask a worker again for these documents' PDFs, for a page that found them not kept yet (the message
    at issue may be lost or still queued); idempotent at the worker. A broker that is down fails no
    page: the beat job (documents_render_missed) renders what no message asked for, and the page asks
    again on its next refresh."""
    from django.core.cache import cache

    from notices.tasks import document_prepare_pdf  # the task module imports this one

    for document in documents:
        key = f"notices:pdf-requeued:{document.pk}"
        if not cache.add(key, True, timeout=REQUEUE_EVERY_SECONDS):
            continue
        try:
            document_prepare_pdf.delay(document.pk)
        except Exception:  # kombu/redis errors of every kind: logged, never the user's error
            cache.delete(key)
            logger.warning("could not queue the PDF of document %s; the beat job will render it", document.pk,
                           exc_info=True)


def document_prepare_pdf(document_id: int) -> bool:
    """Both PDFs of the document (the original and its masked copy) kept ahead of the first download;
    True when this call rendered either. One effect however often the job runs: a PDF already kept is
    not rendered again, and of two concurrent renders only one keeps its file (document_pdf)."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return False
    rendered = False
    for masked in (False, True):
        if not document_pdf_ready(document, masked=masked):
            document_pdf(document, masked=masked)
            rendered = True
    return rendered


def documents_render_missed(*, older_than_seconds: int = 60, limit: int = 200) -> list[int]:
    """Beat: render the PDFs of documents issued a while ago whose render no message asked for (a
    broker that was down at issue, a worker killed mid-render); the ids rendered, oldest first. A
    document that fails (a seal whose key went missing) is logged and left for the next run."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(Document.objects.filter(Q(pdf="") | Q(masked_pdf=""), issued_at__lte=cutoff)
               .order_by("issued_at", "id").values_list("pk", flat=True)[:limit])
    done = []
    for document_id in ids:
        try:
            if document_prepare_pdf(document_id):
                done.append(document_id)
        except Exception:  # one bad document must not stop the others; it is retried next run
            logger.exception("documents_render_missed: document %s could not be rendered", document_id)
    return done


def document_pdf_ready(document: Document, *, masked: bool = False) -> bool:
    return bool(getattr(document, "masked_pdf" if masked else "pdf"))


def document_pdf(document: Document, *, masked: bool = False) -> bytes:
    """The PDF of an issued document, rendered from its frozen HTML on first use and kept, sealed with
    its organisation's seal as its text says; with masked, that of its masked copy (models.Document),
    kept beside the original's and sealed the same way."""
    field = "masked_pdf" if masked else "pdf"
    kept = getattr(document, field)
    if kept:
        with kept.open("rb") as fh:
            return fh.read()
    from notices.pdf import html_to_sealed_pdf

    with override(DOCUMENT_LANGUAGE):  # the signature's reason is part of the document (views_verify reads its code)
        reason = f"{document.get_kind_display()} {document.number}，验证码 {document.verification_code}"
    data = html_to_sealed_pdf(document_html(document, masked=masked), seal=_seal_for(document), reason=reason)
    suffix = "-masked" if masked else ""
    kept.save(f"{document.verification_code}{suffix}.pdf", ContentFile(data), save=False)
    # Two first renders at once both render; only the one that finds the column still empty keeps
    # its file, so every later download gets the same bytes.
    if Document.objects.filter(pk=document.pk, **{field: ""}).update(**{field: kept.name}):
        return data
    kept.delete(save=False)
    document.refresh_from_db(fields=[field])
    return document_pdf(document, masked=masked)


def _seal_for(document: Document):
    """The seal the document's text promised when it was issued, or None for an unsealed one. A seal
    promised and gone (its files removed, or a demonstration one replaced by the official one after
    issue) is an error for the operator, never a PDF that contradicts its own text."""
    if document.seal == SealKind.NONE:
        return None
    seal = seal_of(document.organisation)
    if seal is None or seal.kind != document.seal:
        raise SealError(f"文书 {document.number} 出具时注明加盖“{document.get_seal_display()}”，"
                        f"但{document.organisation or '出具机关'}现在没有相应的签章证书（DOCUMENT_SEAL_DIR）。")
    return seal


def _state_context(application) -> dict:
    """What the documents show, read now: they are rendered once, inside the transition."""
    materials = list(application.materials.select_related("material").order_by("material__order", "id"))
    return {
        "application": application, "item": application.item, "applicant": application.applicant,
        "regulator": application.regulator,
        "commitment": getattr(application, "commitment", None), "licence": getattr(application, "licence", None),
        # issue 16: what the portal gets by sharing is never listed as something the applicant must hand in
        "materials": [m for m in materials if m.status != MaterialStatus.SHARED],
        "materials_shared": [m for m in materials if m.status == MaterialStatus.SHARED],
        "materials_owed": [m for m in materials if m.status == MaterialStatus.OWED and m.due_date],
        "confirmations": COMMITMENT_CONFIRMATIONS,
        # the newest version of each kind (a licence has several)
        "issued_documents": {d.kind: d for d in Document.objects.filter(application=application)
                             .defer(*DOCUMENT_TEXT_FIELDS).order_by("kind", "version")},
        "credit_recorded": application.credit_records.exists(),
    }


def _issuer(application) -> dict:
    """The authority in whose name the document is issued (谁审批、谁负责), and the entrusted authority
    that acted in its name, if any (行政许可法 第二十四条: the documents name both). One rule with the
    routing and the permissions: licensing.selectors.authorities / routing."""
    names = licensing_selectors.issuer_of(application)
    names["issuer"] = names["issuer"] or "钦州市“证照分离”改革政务服务平台"
    return names
