"""Issuing documents. Called by licensing's transitions inside their transaction."""
import secrets

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

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
    context = {"application": application, "item": application.item, "applicant": application.applicant,
               "number": number, "verification_code": code, "issued_at": now, "kind": kind,
               "kind_label": DocumentKind(kind).label, **(extra or {})}
    html = render_to_string(f"notices/documents/{kind}.html", context)
    return Document.objects.create(application=application, kind=kind, number=number, verification_code=code,
                                   html=html, sha256=Document.digest(html), issued_at=now)


def document_pdf(document: Document) -> bytes:
    """The PDF of an issued document, rendered from its frozen HTML on first use."""
    if document.pdf:
        with document.pdf.open("rb") as fh:
            return fh.read()
    from notices.pdf import html_to_pdf

    data = html_to_pdf(document.html)
    document.pdf.save(f"{document.verification_code}.pdf", ContentFile(data), save=False)
    Document.objects.filter(pk=document.pk).update(pdf=document.pdf.name)
    return data
