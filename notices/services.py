"""Issuing documents. Called by licensing's transitions inside their transaction."""
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from licensing.constants import COMMITMENT_CONFIRMATIONS, AuthorityRole, MaterialStatus
from notices.constants import NUMBER_PREFIX, DocumentKind
from notices.models import Document

VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _verification_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(12))


def document_issue(*, application, kind: DocumentKind, extra: dict | None = None) -> Document:
    """Issue the document of `kind` for the application once; a second call returns the first."""
    existing = Document.objects.filter(application=application, kind=kind).first()
    if existing:
        return existing
    now = timezone.now()
    number = f"钦{NUMBER_PREFIX[kind]}〔{timezone.localtime(now).year}〕{application.number.split('-')[-1]}号"
    code = _verification_code()
    context = {**_state_context(application), "number": number, "verification_code": code, "issued_at": now,
               "kind": kind, "kind_label": DocumentKind(kind).label,
               "verify_path": f"{reverse('verify')}?code={code}", **(extra or {})}
    html = render_to_string(f"notices/documents/{kind}.html", context)
    document = Document.objects.create(application=application, kind=kind, number=number, verification_code=code,
                                       html=html, sha256=Document.digest(html), issued_at=now)
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


def document_pdf(document: Document) -> bytes:
    """The PDF of an issued document, rendered from its frozen HTML on first use."""
    if document.pdf:
        with document.pdf.open("rb") as fh:
            return fh.read()
    from notices.pdf import html_to_pdf

    data = html_to_pdf(document.html)
    document.pdf.save(f"{document.verification_code}.pdf", ContentFile(data), save=False)
    # Two first downloads at once both render; only the one that finds the column still empty
    # keeps its file, so every later download gets the same bytes.
    if Document.objects.filter(pk=document.pk, pdf="").update(pdf=document.pdf.name):
        return data
    document.pdf.delete(save=False)
    document.refresh_from_db(fields=["pdf"])
    return document_pdf(document)


def _state_context(application) -> dict:
    """What the documents show, read now: they are rendered once, inside the transition."""
    materials = list(application.materials.select_related("material").order_by("material__order", "id"))
    return {
        "application": application, "item": application.item, "applicant": application.applicant,
        "issuer": _issuer(application), "regulator": application.item.regulator,
        "commitment": getattr(application, "commitment", None), "licence": getattr(application, "licence", None),
        "materials": materials,
        "materials_owed": [m for m in materials if m.status == MaterialStatus.OWED and m.due_date],
        "confirmations": COMMITMENT_CONFIRMATIONS,
        "issued_documents": {d.kind: d for d in Document.objects.filter(application=application)},
        "credit_recorded": application.credit_records.exists(),
    }


def _issuer(application) -> str:
    """The authority in whose name the document is issued (谁审批、谁负责).

    The deciding officer's authority when it is one of the item's; otherwise the item's first
    approving authority (the catalogue lists them in order, 审批 before 初审/审核).
    """
    authorities = list(application.item.authorities.select_related("organisation"))
    decided_by = application.decided_by if application.decided_by_id else None
    for authority in authorities:
        if decided_by and authority.organisation_id == decided_by.organisation_id:
            return authority.organisation.name
    authorities.sort(key=lambda a: (a.role != AuthorityRole.APPROVE, a.order))
    return authorities[0].organisation.name if authorities else "钦州市“证照分离”改革政务服务平台"
