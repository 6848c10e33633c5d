"""Issuing documents. Called by licensing's transitions inside their transaction."""
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from licensing import selectors as licensing_selectors
from licensing.constants import COMMITMENT_CONFIRMATIONS, MaterialStatus
from notices.constants import NUMBER_PREFIX, DocumentKind
from notices.masking import mask_identity
from notices.models import Document, DocumentNumberCounter
from notices.selectors import document_html

VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _verification_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(12))


def _allocate_number(kind: DocumentKind, now) -> str:
    """钦告〔2027〕000001号: each kind counts from 1 each year, under the counter row's lock (taken by
    the UPDATE and held until the issuing transition commits), so two issues at once never share
    a number. The application's own number plays no part: one filed in December and answered in
    January must not take the number of January's application with the same serial."""
    year = timezone.localtime(now).year
    DocumentNumberCounter.objects.get_or_create(kind=kind, year=year)
    DocumentNumberCounter.objects.filter(kind=kind, year=year).update(last=F("last") + 1)
    last = DocumentNumberCounter.objects.select_for_update().get(kind=kind, year=year).last
    return f"钦{NUMBER_PREFIX[kind]}〔{year}〕{last:06d}号"


@transaction.atomic
def document_issue(*, application, kind: DocumentKind, extra: dict | None = None) -> Document:
    """Issue the document of `kind` for the application once; a second call returns the first."""
    existing = Document.objects.filter(application=application, kind=kind).first()
    if existing:
        return existing
    now = timezone.now()
    number = _allocate_number(kind, now)
    code = _verification_code()
    context = {**_state_context(application), "number": number, "verification_code": code, "issued_at": now,
               "kind": kind, "kind_label": DocumentKind(kind).label,
               "verify_path": f"{reverse('verify')}?code={code}", **(extra or {})}
    html = render_to_string(f"notices/documents/{kind}.html", context)
    document = Document.objects.create(application=application, kind=kind, number=number, verification_code=code,
                                       html=html, sha256=Document.digest(html), issued_at=now,
                                       masked_html=mask_identity(html, application.applicant.identifier))
    # The PDF is rendered by a worker once the document surely exists: a rolled-back transition
    # enqueues nothing. robust: a broker that is down must not fail an issue already committed;
    # the PDF is then rendered on first download as before.
    transaction.on_commit(lambda: _enqueue_pdf(document.pk), robust=True)
    return document


def _enqueue_pdf(document_id: int) -> None:
    from notices.tasks import document_prepare_pdf  # the task module imports this one

    document_prepare_pdf.delay(document_id)


def document_prepare_pdf(document_id: int) -> bool:
    """The PDF of the document kept ahead of its first download; True when this call rendered it."""
    document = Document.objects.filter(pk=document_id, pdf="").first()
    if document is None:
        return False  # already rendered (or gone): one effect however often the job runs
    document_pdf(document)
    return True


def document_pdf(document: Document, *, masked: bool = False) -> bytes:
    """The PDF of an issued document, rendered from its frozen HTML on first use and kept; with
    masked, that of its masked copy (models.Document), kept beside the original's."""
    field = "masked_pdf" if masked else "pdf"
    kept = getattr(document, field)
    if kept:
        with kept.open("rb") as fh:
            return fh.read()
    from notices.pdf import html_to_pdf

    data = html_to_pdf(document_html(document, masked=masked))
    suffix = "-masked" if masked else ""
    kept.save(f"{document.verification_code}{suffix}.pdf", ContentFile(data), save=False)
    # Two first downloads at once both render; only the one that finds the column still empty
    # keeps its file, so every later download gets the same bytes.
    if Document.objects.filter(pk=document.pk, **{field: ""}).update(**{field: kept.name}):
        return data
    kept.delete(save=False)
    document.refresh_from_db(fields=[field])
    return document_pdf(document, masked=masked)


def _state_context(application) -> dict:
    """What the documents show, read now: they are rendered once, inside the transition."""
    materials = list(application.materials.select_related("material").order_by("material__order", "id"))
    return {
        "application": application, "item": application.item, "applicant": application.applicant,
        **_issuer(application), "regulator": application.regulator,
        "commitment": getattr(application, "commitment", None), "licence": getattr(application, "licence", None),
        "materials": materials,
        "materials_owed": [m for m in materials if m.status == MaterialStatus.OWED and m.due_date],
        "confirmations": COMMITMENT_CONFIRMATIONS,
        "issued_documents": {d.kind: d for d in Document.objects.filter(application=application)},
        "credit_recorded": application.credit_records.exists(),
    }


def _issuer(application) -> dict:
    """The authority in whose name the document is issued (谁审批、谁负责), and the entrusted authority
    that acted in its name, if any (行政许可法 第二十四条: the documents name both). One rule with the
    routing and the permissions: licensing.selectors.authorities / routing."""
    names = licensing_selectors.issuer_of(application)
    names["issuer"] = names["issuer"] or "钦州市“证照分离”改革政务服务平台"
    return names
