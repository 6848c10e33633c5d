"""After the decision: revocation and the credit record (附件3 第六、七、九条)."""
from django.db import transaction
from django.utils import timezone

from licensing.constants import Action, MaterialStatus
from licensing.models import Application, MaterialSubmission
from licensing.selectors.deadlines import materials_overdue
from licensing.services._core import _move, _today
from licensing.services._jobs import each_in_own_transaction
from licensing.services.licences import licence_change, licence_issue
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal.exceptions import InvalidInput
from supervision import selectors as supervision_selectors
from supervision import services as supervision_services
from supervision.constants import CreditReason

# --- after the decision ---------------------------------------------------------------------

@transaction.atomic
def application_revoke(*, application, actor, reason, credit_reason=None) -> Application:
    """Revoke the decision (附件3 第六、七条); with credit_reason, record it in the 诚信档案 (第九条).

    Where the regulator's check found the commitment untrue and asked for this revocation (issue 10),
    the false commitment goes on the credit record whatever credit_reason says, and the request is
    closed."""
    if not (reason or "").strip():
        raise InvalidInput("撤销许可须说明理由。", field="reason")
    application = _move(application, Action.REVOKE, actor, closing_reason=reason.strip(), reason=reason.strip())
    if supervision_selectors.open_revocation_request(application) is not None:
        credit_reason = CreditReason.FALSE_COMMITMENT
        supervision_services.revocation_request_close(application=application, actor=actor)
    if credit_reason:
        supervision_services.credit_record_create(applicant=application.applicant, application=application,
                                                  reason=credit_reason, details=reason.strip(), actor=actor)
    supervision_services.inspection_cancel(application=application)
    # The licence ends now; the revocation decision names it, and the licence's new version (issue 12)
    # says 已撤销 and names that decision.
    licence = licence_change(application, {"revoked_at": timezone.now(), "revocation_reason": reason.strip()})
    decision = document_issue(application=application, kind=DocumentKind.REVOCATION,
                              extra={"reason": reason.strip()})
    if licence is not None:
        licence_issue(application, licence, change=f"撤销许可（{decision.number}）",
                      extra={"revocation_document": decision})
    record_push(application, RecordKind.REVOKED, outcome="revoked", reason=reason.strip())
    return application


def applications_revoke_for_overdue_materials() -> list[str]:
    """Beat job: materials owed after the decision and not in by their date revoke it (附件3 第六条);
    the numbers it revoked.

    Each application in its own transaction, past one that fails (services._jobs): its materials
    stay owed and its decision stands until a later run succeeds. One revoked by someone else
    meanwhile is left alone (Conflict): one effect only."""
    by_application = {}
    for submission in materials_overdue(_today()):
        by_application.setdefault(submission.application, []).append(submission)
    return each_in_own_transaction("revoke_for_overdue_materials", by_application.items(),
                                   lambda row: _revoke_for_late_materials(*row), lambda row: row[0].number)


def _revoke_for_late_materials(application, late) -> None:
    names = "、".join(s.material.name for s in late)
    MaterialSubmission.objects.filter(pk__in=[s.pk for s in late]).update(status=MaterialStatus.OVERDUE)
    application_revoke(application=application, actor=None, credit_reason=CreditReason.MISSING_MATERIALS,
                       reason=f"未在约定期限内提交材料：{names}，依据告知承诺指引第六条撤销行政许可决定。")
