"""Approval records for the regulator (钦政办〔2019〕72号), written in the event's own transaction.

Every decision (granted or refused), filing, cancel-item registration and revocation leaves an
outbox record (notices/outbox.py) naming the regulator the routing table gives
(licensing.selectors.routing); the application remembers that regulator, which is who sees it.
"""
from licensing.models import Application
from licensing.selectors.records import approval_record_data
from licensing.selectors.routing import authority_of, regulator_for
from licensing.services._jobs import each_in_own_transaction
from licensing.services.publicity import PERMIT_INVALID, PERMIT_VALID, publicity_permit
from notices import outbox as notices_outbox
from notices.constants import RecordKind
from portal.exceptions import Conflict
from supervision import services as supervision_services


def _remember_regulator(application, regulator) -> None:
    if application.regulator_id != (regulator.pk if regulator else None):
        application.regulator = regulator
        Application.objects.filter(pk=application.pk).update(regulator=regulator)


def record_push(application, kind: str, *, outcome: str = "", reason: str = "") -> tuple:
    """Write the record of what just happened to the application, for its regulator (and, for a
    revocation, its approving authority too). Inside the caller's transaction. Returns the
    (authority, regulator) it routed by, for the caller's other work (the inspection)."""
    authority = authority_of(application)
    regulator = regulator_for(application, authority)
    _remember_regulator(application, regulator)
    notices_outbox.outbox_record(application=application, kind=kind, regulator=regulator, authority=authority,
                                 data=approval_record_data(application, outcome=outcome, reason=reason, authority=authority))
    # 归集 (issue 16): a permit granted, and its revocation, go to the credit publicity systems too.
    if kind == RecordKind.DECIDED and outcome == "granted":
        publicity_permit(application, PERMIT_VALID)
    elif kind == RecordKind.REVOKED:
        publicity_permit(application, PERMIT_INVALID)
    return authority, regulator


def _route_one(application) -> None:
    regulator = regulator_for(application, authority_of(application))
    if regulator is None:
        raise Conflict("仍无接收审批信息的行业主管部门。")  # not done: it stays in the unrouted queue
    _remember_regulator(application, regulator)
    supervision_services.inspection_route(application=application, regulator=regulator)
    notices_outbox.outbox_route(application=application, regulator=regulator)


def records_route_pending() -> list[str]:
    """Beat job (and after an admin edits a route): the unrouted records whose regulator a route now
    names go on their way; each application in its own transaction. The numbers it routed."""
    applications = Application.objects.filter(pk__in=notices_outbox.unrouted_applications()).select_related("item")
    return each_in_own_transaction("route_pending_records", applications, _route_one, lambda a: a.number)
