"""Reads of issued documents, for the document pages, the public verification page and other apps."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from licensing.selectors import may_see_identity, public_name
from notices.constants import DocumentKind
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
    """What the public may learn from a verification code: no identifier, no person's full name.

    Versions (issue 12): a licence is issued anew on each change and on its revocation; every version
    stays verifiable and says whether it is the current one, and if not, which version superseded it
    and since when (that version's issue). Every other kind has one version."""

    kind_label: str
    number: str
    item_name: str            # the gazette's, in Chinese on every page
    issued_at: dt.datetime
    applicant_name: str
    has_licence: bool
    licence_revoked_at: dt.datetime | None
    sha256: str
    intact: bool
    version: int = 1
    is_licence: bool = False
    superseded_by: int | None = None            # the version that came next, None for the current one
    superseded_at: dt.datetime | None = None    # when it was issued
    current_version: int = 1
    licence_number: str = ""
    licence_valid_from: dt.date | None = None
    licence_valid_until: dt.date | None = None  # None: 长期
    checked_on: dt.date | None = None          # the day of the check (past the validity or not)
    item_name_en: str = ""                      # the item's English gloss (Item.name_en), beside it on English pages

    @property
    def superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def licence_expired(self) -> bool:
        return bool(self.licence_valid_until and self.checked_on and self.licence_valid_until < self.checked_on)

    @property
    def licence_in_force(self) -> bool:
        """Whether a licence document's 证照状态 is 有效: not revoked, not superseded, not expired."""
        return self.licence_revoked_at is None and not self.superseded and not self.licence_expired

    @property
    def version_label(self) -> str:
        """第1版（已被第2版取代，自2025年4月3日起） / 第2版（现行版本） / 第3版（最新版本）, revoked."""
        numbers = {"version": self.version, "by": self.superseded_by}
        if self.superseded:
            return _("第%(version)s版（已被第%(by)s版取代，自%(since)s起）") % {**numbers, "since": _cn(self.superseded_at)}
        if not self.is_licence:
            return _("第%(version)s版") % numbers
        # the last version of a revoked licence is its last word, not a licence in force
        return (_("第%(version)s版（最新版本）") if self.licence_revoked_at else _("第%(version)s版（现行版本）")) % numbers

    @property
    def licence_status(self) -> str:
        """证照状态 of a licence document: revoked on every version's page, else superseded, else
        expired, else 有效."""
        if self.licence_revoked_at is not None:
            return _("已撤销，自%(since)s起") % {"since": _cn(self.licence_revoked_at)}
        if self.superseded:
            return _("已被第%(by)s版取代（自%(since)s起），请以第%(current)s版为准") % {
                "by": self.superseded_by, "since": _cn(self.superseded_at), "current": self.current_version}
        if self.licence_expired:
            return _("已超过有效期（有效期至%(until)s）") % {"until": _cn(self.licence_valid_until)}
        return _("有效")


def _cn(moment) -> str:
    """A date or a moment as the pages print it, on Qinzhou's calendar: 2025年4月3日 (3 Apr 2025 in English)."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return dateformat.format(day, _("Y年n月j日"))


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
    # Only a licence's versions replace each other; the records of successive random checks stand side by side.
    later = list(Document.objects.filter(application=application, kind=document.kind, version__gt=document.version)
                 .order_by("version").values_list("version", "issued_at")) if document.kind == DocumentKind.LICENCE else []
    return Verification(
        kind_label=document.get_kind_display(), number=document.number, item_name=application.item.name,
        item_name_en=getattr(application.item, "name_en", ""),
        issued_at=document.issued_at, applicant_name=public_name(application.applicant),
        has_licence=licence is not None, licence_revoked_at=licence.revoked_at if licence else None,
        sha256=document.sha256, intact=Document.digest(document.html) == document.sha256,
        version=document.version, is_licence=document.kind == DocumentKind.LICENCE,
        superseded_by=later[0][0] if later else None, superseded_at=later[0][1] if later else None,
        current_version=later[-1][0] if later else document.version,
        licence_number=licence.number if licence else "",
        licence_valid_from=licence.valid_from if licence else None,
        licence_valid_until=licence.valid_until if licence else None, checked_on=timezone.localdate())


def document_next_version(application, kind) -> int:
    """The version a new document of `kind` takes for the application: one more than the last (a random check's
    record, issue 14, is issued again at each check)."""
    last = Document.objects.filter(application=application, kind=kind).order_by("-version").values_list(
        "version", flat=True).first()
    return (last or 0) + 1


def documents_unrendered(older_than_seconds: int = 60) -> QuerySet:
    """Documents issued a while ago whose PDFs (original or masked copy) are still missing, oldest first: what
    the beat job notices.services.documents_render_missed will render, and the admin's start page shows as
    stuck (issue 15). A render queued at issue has a minute to finish before it counts."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return (Document.objects.filter(Q(pdf="") | Q(masked_pdf=""), issued_at__lte=cutoff)
            .select_related("application__item").order_by("issued_at", "id"))
