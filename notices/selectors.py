"""Reads of issued documents, for the document pages, the public verification page and other apps."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from licensing.selectors import may_see_identity, public_name
from notices.masking import mask_identity
from notices.models import Document


def normalise_code(raw: str | None) -> str:
    """Codes are typed from paper: ignore case, spaces and the hyphens people add when grouping."""
    return "".join((raw or "").split()).replace("-", "").upper()


def document_by_code(code: str | None) -> Document | None:
    code = normalise_code(code)
    if not code:
        return None
    return (Document.objects.select_related("application__item", "application__applicant")
            .filter(verification_code=code).first())


def documents_for_application(application) -> QuerySet:
    """Every document issued for the application, oldest first."""
    return Document.objects.filter(application=application).order_by("issued_at", "id")


def document_masked_for(user, document: Document) -> bool:
    """Whether `user` reads the masked copy: the same right that shows the identifier in full on
    the application's pages (licensing.selectors.may_see_identity), so a page and a document
    never disagree."""
    return not may_see_identity(user, document.application)


def document_html(document: Document, *, masked: bool = False) -> str:
    """The frozen HTML, or its masked copy frozen beside it at issue (models.Document)."""
    if not masked:
        return document.html
    # Frozen at issue (and by migration for documents issued before); a row that somehow lacks
    # it gets it derived the same way, never the original.
    return document.masked_html or mask_identity(document.html, document.application.applicant.identifier)


@dataclass(frozen=True)
class Verification:
    """What the public may learn from a verification code: no identifier, no person's full name."""

    kind_label: str
    number: str
    item_name: str
    issued_at: dt.datetime
    applicant_name: str
    has_licence: bool
    licence_revoked_at: dt.datetime | None
    sha256: str
    intact: bool


def document_verify(code: str | None) -> Verification | None:
    """The verification of a code, or None when no document has it.

    Guessing is hopeless: a code is 12 symbols from an alphabet of 32 (notices.services), i.e.
    32**12 = 2**60 ≈ 1.15e18 codes; with a million documents issued, a guesser needs about 10**12
    tries per hit, and a hit shows only what is printed on the document anyway, less identifiers.
    """
    document = document_by_code(code)
    if document is None:
        return None
    application = document.application
    licence = getattr(application, "licence", None)
    return Verification(
        kind_label=document.get_kind_display(), number=document.number, item_name=application.item.name,
        issued_at=document.issued_at, applicant_name=public_name(application.applicant),
        has_licence=licence is not None, licence_revoked_at=licence.revoked_at if licence else None,
        sha256=document.sha256, intact=Document.digest(document.html) == document.sha256)

