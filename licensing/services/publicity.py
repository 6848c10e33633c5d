"""归集 of permits to the credit publicity systems (issue 16), called inside the event's transaction by the
grant and the revocation (licensing.services.records.record_push) and by a change of the licence
(licensing.services.licences.licence_reissue). What is published and when: notices/publicity.py.

A refusal is not published: 双公示 publishes the 行政许可 granted (and its changes and revocation).
"""
from licensing.selectors.publicity import licence_of, permit_publicity_items
from notices import publicity as notices_publicity
from notices.constants import RecordKind
from notices.publicity import PERMIT_INVALID, PERMIT_VALID  # noqa: F401 - the callers' two states


def publicity_permit(application, state: str, *, note: str = ""):
    """Publish the licence's current version (one record per version: a change or a revocation issues a new
    one, so each event is published once however often this is called). None where there is no licence."""
    licence = licence_of(application)
    if licence is None:
        return None
    return notices_publicity.publicity_record(
        application=application, kind=RecordKind.PERMIT_PUBLICITY,
        source_key=f"licence:{licence.number}:v{licence.version}",
        data=permit_publicity_items(application, state=state, note=note, licence=licence))
