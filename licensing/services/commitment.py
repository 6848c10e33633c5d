"""Notify and commit (附件3 告知承诺指引): notice, commitment, same-day decision, lapse."""
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import (
    COMMITMENT_CONFIRMATIONS,
    COMMITMENT_WORKING_DAYS,
    Action,
    Channel,
    CommitmentKind,
    MaterialDue,
    MaterialStatus,
    Route,
)
from licensing.i18n import local_date
from licensing.models import Application, Commitment
from licensing.selectors.actions import SIGN_COMMITMENT
from licensing.selectors.applicants import claim_of
from licensing.selectors.deadlines import commitments_overdue, is_overdue
from licensing.services.applicants import APPLY_NOT_ALLOWED, UNVERIFIED_SIGNER
from licensing.services._core import _check_notice_content, _lock_in_state, _move, _today, _working_days_after
from licensing.services._jobs import each_in_own_transaction
from licensing.services.decision import _grant
from licensing.services.materials import check_uploads, material_submit
from portal.uploads import removed_on_error
from notices.constants import DocumentKind
from notices.services import document_issue
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.permissions import is_applicant_user
from supervision import selectors as supervision_selectors

# --- notify and commit ---------------------------------------------------------------------

@transaction.atomic
def application_issue_notice(*, application, actor) -> Application:
    """Issue the 告知书; the applicant then has 3 working days from receiving it to return the commitment.

    附件3 第三条 "收到告知书后3个工作日内": online the notice reaches the applicant's account when it is
    issued, and at the window it is handed over on the spot, so the clock starts now; a notice sent by
    post (信函、传真、电子邮件) is received on the date of its 送达回证, which the officer enters
    (application_record_notice_receipt); until then the commitment's due date is not running."""
    application = _lock_in_state(application, Action.ISSUE_NOTICE)
    _check_notice_content(application.item)
    now = timezone.now()
    received = now if application.channel != Channel.MAIL else None
    probe = Application(deadlines_provisional=application.deadlines_provisional)
    due = _working_days_after(_today(), COMMITMENT_WORKING_DAYS, probe) if received else None
    application = _move(application, Action.ISSUE_NOTICE, actor, notice_issued_at=now, notice_received_at=received,
                        commitment_due=due, deadlines_provisional=probe.deadlines_provisional,
                        due=application.notice_due)
    document_issue(application=application, kind=DocumentKind.NOTICE)
    return application


@transaction.atomic
def application_record_notice_receipt(*, application, actor, received_on) -> Application:
    """Enter the date on the delivery receipt (送达回证) of a notice sent by post: the applicant's 3
    working days to return the commitment run from that day (附件3 第三条)."""
    application = _lock_in_state(application, Action.RECORD_NOTICE_RECEIPT)
    issued_on = timezone.localtime(application.notice_issued_at).date()
    if not isinstance(received_on, dt.date):
        raise InvalidInput(_("请填写送达回证上的送达日期。"), field="received_on")
    if received_on < issued_on or received_on > _today():
        raise InvalidInput(_("送达日期应在告知书出具日（%(date)s）至今天之间。") % {"date": local_date(issued_on)},
                           field="received_on")
    probe = Application(deadlines_provisional=application.deadlines_provisional)
    due = _working_days_after(received_on, COMMITMENT_WORKING_DAYS, probe)
    received_at = timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))
    return _move(application, Action.RECORD_NOTICE_RECEIPT, actor, notice_received_at=received_at,
                 commitment_due=due, deadlines_provisional=probe.deadlines_provisional,
                 reason=f"送达回证载明的送达日期：{received_on:%Y年%m月%d日}；承诺书递交期限：{due:%Y年%m月%d日}。")


@transaction.atomic
@removed_on_error()  # a later step that fails takes the uploaded files with it
def application_commit(*, application, actor, kind, confirmations, signatory, meet_by=None,
                       files=None) -> Application:
    """Record the signed 承诺书 with the materials due at this moment; the decision is due today."""
    # The state first, on the locked row: a lapsed or already committed application is told so
    # (not asked for materials), and two commitments sent at once cannot both upload.
    application = _lock_in_state(application, Action.COMMIT)
    _check_may_sign(application, actor)
    _check_not_barred(application.applicant)
    _check_in_time(application)
    files = files or {}
    problems = Problems()
    _check_commitment(problems, kind, confirmations, signatory, meet_by)
    # Every check before any file is written: a refused commitment leaves no file behind.
    known = set(application.materials.exclude(status=MaterialStatus.SHARED).values_list("material_id", flat=True))
    shared = {s.material_id: (s.material.name, s.obtained_from)  # issue 16: never asked of the applicant
              for s in application.materials.filter(status=MaterialStatus.SHARED).select_related("material")}
    problems.check("files", lambda: check_uploads(files, known=known, shared=shared))
    given = [int(m) for m in files if str(m).isdigit()]
    owed = application.materials.filter(
        status=MaterialStatus.OWED, material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT]
    ).exclude(material_id__in=given).select_related("material")
    for s in owed:
        problems.add(f"files.{s.material_id}", _("递交承诺书时须一并提交此材料：%(material)s。") % {"material": s.material.name})
    problems.raise_if_any()
    for material_id, upload in files.items():
        material_submit(application=application, material_id=material_id, upload=upload, actor=actor)
    application = _move(application, Action.COMMIT, actor, committed_at=timezone.now(), decision_due=_today())
    Commitment.objects.create(application=application, kind=kind, meet_by=meet_by,
                              confirmations=list(COMMITMENT_CONFIRMATIONS), signatory=signatory.strip(),
                              signed_at=timezone.now(), recorded_by=actor)
    document_issue(application=application, kind=DocumentKind.COMMITMENT)
    return application


def _check_may_sign(application, actor):
    """An applicant account signs only with a verified link to the applicant (legal and credit
    consequences, 附件3 第九条); the clerk records what the applicant signed on paper at the window."""
    if actor is None or not is_applicant_user.test(actor) or actor.has_perm(SIGN_COMMITMENT, application):
        return
    claim = claim_of(actor, application.applicant)
    raise NotAllowed(UNVERIFIED_SIGNER if claim is not None else APPLY_NOT_ALLOWED)


def _check_not_barred(applicant):
    # 附件3 第九条 "今后不再适用": a record made after the notice was issued bars this commitment too.
    record = supervision_selectors.applicant_barred_from_commitment(applicant)
    if record is not None:
        raise Conflict(_("申请人因“%(reason)s”已记入诚信档案，依据告知承诺指引第九条不能再作出承诺，"
                         "请选择按一般程序办理。") % {"reason": record.get_reason_display()})


def _check_in_time(application):
    if is_overdue(application.commitment_due, _today()):
        raise Conflict(_("承诺书递交期限（%(date)s）已过，本次申请已不能再作出承诺。") % {
            "date": local_date(application.commitment_due)})


def _check_commitment(problems: Problems, kind, confirmations, signatory, meet_by):
    """Every answer of the 承诺书 at once, so the signer corrects them in one go."""
    if kind not in CommitmentKind.values:
        problems.add("kind", _("请选择承诺类型。"))
    if len(confirmations or []) != len(COMMITMENT_CONFIRMATIONS) or not all(confirmations):
        problems.add("confirmations", _("承诺书的7项确认内容须逐项确认后方可提交。"))
    if not (signatory or "").strip():
        problems.add("signatory", _("请填写签署人。"))
    if kind == CommitmentKind.WILL_MEET and (meet_by is None or meet_by <= _today()):
        problems.add("meet_by", _("承诺在约定期限内具备条件的，须填写今天以后的日期。"))
    if kind == CommitmentKind.ALREADY_MEETS and meet_by is not None:
        problems.add("meet_by", _("已具备许可条件的承诺不填写具备条件日期。"))


@transaction.atomic
def application_decide(*, application, actor) -> Application:
    """Decide on the spot (当场作出决定, 附件3 第五条): licence, later materials' dates, inspection clock."""
    application = _move(application, Action.DECIDE, actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now(), due_field="decision_due")
    _grant(application, actor)
    return application


@transaction.atomic
def application_choose_ordinary(*, application, actor, reason="") -> Application:
    """The applicant declines to commit: the ordinary procedure applies (附件3 第十条)."""
    return _move(application, Action.CHOOSE_ORDINARY, actor, route=Route.ORDINARY, notice_due=None,
                 commitment_due=None, reason=reason.strip() or gettext_noop("申请人不愿作出承诺，转一般程序办理。"))


@transaction.atomic
def application_lapse(*, application, actor=None) -> Application:
    return _move(application, Action.LAPSE, actor, closed_at=timezone.now(),
                 reason=gettext_noop("收到告知书后3个工作日内未递交承诺书（告知承诺指引第三条），本次申请终止。"))


def applications_lapse_overdue() -> list[str]:
    """Beat job: close the commitment applications whose commitment is overdue; the numbers it closed.

    Each in its own transaction, past one that fails (services._jobs); one committed or withdrawn
    meanwhile is left alone (Conflict)."""
    return each_in_own_transaction("lapse_overdue_commitments", commitments_overdue(_today()),
                                   lambda app: application_lapse(application=app), lambda app: app.number)
