"""After the decision: revocation and the credit record (附件3 第六、七、九条)."""
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.constants import Action, MaterialStatus
from licensing.models import Application, Commitment, MaterialSubmission
from licensing.selectors.deadlines import materials_overdue
from licensing.services._core import _move, _today
from licensing.services._jobs import JOB_BATCH, each_in_own_transaction, in_batches
from licensing.services.licences import licence_change, licence_issue
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal.exceptions import Conflict, InvalidInput
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
        raise InvalidInput(_("撤销许可须说明理由。"), field="reason")
    application = _move(application, Action.REVOKE, actor, closing_reason=reason.strip(), reason=reason.strip())
    if supervision_selectors.open_revocation_request(application) is not None:
        # 作出不实承诺 only where there was a commitment: a random check (双随机, issue 14) may also fail an
        # ordinary licence, whose credit record, if any, is the officer's to choose.
        if Commitment.objects.filter(application=application).exists():
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


def applications_revoke_for_overdue_materials(batch: int = JOB_BATCH) -> list[str]:
    """Beat job: materials owed after the decision and not in by their date revoke it (附件3 第六条);
    the numbers it revoked.

    One query reads each batch of applications (_late_by_application); then each application in
    its own transaction, past one that fails (services._jobs): its materials stay owed and its
    decision stands until a later run succeeds. One revoked by someone else meanwhile is left
    alone (Conflict): one effect only."""
    today = _today()
    rows = in_batches(lambda tried, size: _late_by_application(today, size, tried), key=lambda row: row[0].pk,
                      size=batch)
    return each_in_own_transaction("revoke_for_overdue_materials", rows,
                                   lambda row: _revoke_for_late_materials(*row), lambda row: row[0].number)


def _late_by_application(today, size: int, tried: list) -> list[tuple[Application, list[MaterialSubmission]]]:
    """The `size` applications late longest first (their earliest missed date, then the order they
    were filed), but those this run has tried, each with every material it is late with: one query,
    from the index of what is still owed (selectors.materials_overdue), reading only what the
    revocation names. A batch counts applications, so none is cut between two of its materials."""
    late = materials_overdue(today)
    oldest = (late.exclude(application_id__in=tried).order_by().values("application_id")
              .annotate(first_due=Min("due_date")).order_by("first_due", "application_id")
              .values_list("application_id", flat=True)[:size])
    rows = late.filter(application_id__in=oldest).only("application", "application__number", "material",
                                                         "material__name")
    by_application = {}
    for submission in rows:  # in the selector's order: an application comes first at its earliest date
        by_application.setdefault(submission.application_id, []).append(submission)
    return [(materials[0].application, materials) for materials in by_application.values()]


def _revoke_for_late_materials(application, late) -> None:
    # The material rows first, then the application (_move): the order material_submit locks them in.
    # Only those still owed: a run that got here first (a retry, a manual run) has marked them, and
    # this one stops before it revokes anything.
    marked = MaterialSubmission.objects.filter(pk__in=[s.pk for s in late], status=MaterialStatus.OWED).update(
        status=MaterialStatus.OVERDUE)
    if marked != len(late):
        raise Conflict("材料状态已变化，本次不处理。")
    names = "、".join(s.material.name for s in late)
    application_revoke(application=application, actor=None, credit_reason=CreditReason.MISSING_MATERIALS,
                       reason=f"未在约定期限内提交材料：{names}，依据告知承诺指引第六条撤销行政许可决定。")
