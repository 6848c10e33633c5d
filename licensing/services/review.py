"""The ordinary review: optimised items, and commitment items going the ordinary way."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import Action, ReviewOpinion
from licensing.i18n import in_source_language
from licensing.models import Application
from licensing.selectors.authorities import forward_to
from licensing.services._core import _lock_in_state, _move, _today, _working_days_after
from licensing.services.decision import _grant
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal import calendar
from portal.exceptions import InvalidInput

# --- ordinary review (optimised items, and commitment items going the ordinary way) --------

@transaction.atomic
def application_accept(*, application, actor) -> Application:
    """Accept for review; the committed time limit runs in working days from today."""
    application = _lock_in_state(application, Action.ACCEPT)
    days = application.item.committed_days
    probe = Application(deadlines_provisional=application.deadlines_provisional)
    due = _working_days_after(_today(), days, probe) if days else None
    return _move(application, Action.ACCEPT, actor, accepted_at=timezone.now(), decision_due=due,
                 deadlines_provisional=probe.deadlines_provisional)


@transaction.atomic
def application_request_correction(*, application, actor, reason) -> Application:
    """Ask for corrections (补正); the clock stops with the working days that were left."""
    if not (reason or "").strip():
        raise InvalidInput(_("请写明需要补正的内容。"), field="reason")
    left = None
    if application.decision_due:
        left = max(calendar.working_days_between(_today(), application.decision_due), 0)
    return _move(application, Action.REQUEST_CORRECTION, actor, paused_working_days=left, reason=reason.strip())


@transaction.atomic
def application_resubmit(*, application, actor, reason="") -> Application:
    """Corrections received: the clock restarts with the days that were left."""
    locked = Application.objects.get(pk=application.pk)
    due = locked.decision_due
    probe = Application(deadlines_provisional=locked.deadlines_provisional)
    if locked.paused_working_days is not None:
        due = _working_days_after(_today(), locked.paused_working_days, probe)
    return _move(application, Action.RESUBMIT, actor, decision_due=due, paused_working_days=None,
                 deadlines_provisional=probe.deadlines_provisional, reason=reason.strip() or gettext_noop("申请人已补正材料。"))


@transaction.atomic
def application_approve(*, application, actor, reason="") -> Application:
    application = _move(application, Action.APPROVE, actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now(), reason=reason, due=_decision_due(application))
    _grant(application, actor)
    return application


@transaction.atomic
def application_reject(*, application, actor, reason) -> Application:
    if not (reason or "").strip():
        raise InvalidInput(_("不予许可须说明理由。"), field="reason")
    application = _move(application, Action.REJECT, actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now(), closing_reason=reason.strip(), reason=reason.strip(),
                        due=_decision_due(application))
    document_issue(application=application, kind=DocumentKind.REJECTION, extra={"reason": reason.strip()})
    record_push(application, RecordKind.DECIDED, outcome="refused", reason=reason.strip())
    return application


def _decision_due(application):
    """The committed limit the decision answers (its lateness is recorded, issue 11); read fresh, since
    the caller's copy may be older than a correction's restart."""
    return Application.objects.filter(pk=application.pk).values_list("decision_due", flat=True).first()


@transaction.atomic
def application_forward(*, application, actor, opinion, comments="") -> Application:
    """The first-review authority forwards the application with its opinion to the next stage, and at
    the last stage to the deciding authority, which alone decides (行政许可法 第三十五条; issue 11)."""
    if opinion not in ReviewOpinion.values:
        raise InvalidInput(_("请选择初审意见（同意或不同意）。"), field="opinion")
    comments = (comments or "").strip()
    if opinion == ReviewOpinion.DISAGREE and not comments:
        raise InvalidInput(_("不同意的初审意见须说明理由。"), field="comments")
    locked = _lock_in_state(application, Action.FORWARD)
    stages = list(locked.reviews.select_for_update(of=("self",)).filter(forwarded_at__isnull=True)
                  .select_related("organisation").order_by("order", "id"))
    stage, following, to = stages[0], stages[1:], forward_to(locked, stages)
    stage.opinion, stage.comments, stage.forwarded_by, stage.forwarded_at = opinion, comments, actor, timezone.now()
    stage.save()
    with in_source_language():  # the event's reason: a record, in Chinese
        text = f"{stage.organisation.name}{stage.get_role_display()}意见：{ReviewOpinion(opinion).label}。{comments}".strip()
    return _move(locked, Action.FORWARD, actor, reviewing=following[0].organisation if following else None,
                 reason=f"{text} 已连同全部申请材料报送{to.name if to else '审批机关'}。")


@transaction.atomic
def application_withdraw(*, application, actor, reason="") -> Application:
    return _move(application, Action.WITHDRAW, actor, closed_at=timezone.now(),
                 reason=reason.strip() or gettext_noop("申请人撤回申请。"))
