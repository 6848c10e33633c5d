"""The masked copy of a document (models.Document): the applicant's identifier as the pages mask it."""
import re

from portal.masking import mask_identifier


def mask_identity(html: str, identifier: str) -> str:
    """The document as those who may not see the applicant's identity read it: every occurrence of
    the identifier (in any case: an ID number's check character X is sometimes typed x) in its
    masked form, the same mask the pages show (portal.masking)."""
    if not identifier:
        return html
    masked = mask_identifier(identifier)
    return re.sub(re.escape(identifier), lambda _: masked, html, flags=re.IGNORECASE)
