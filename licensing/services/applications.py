"""The application's transitions (DOMAIN.md; 附件3 告知承诺指引; 钦政发〔2019〕20号; 钦政办〔2019〕72号).

Each transition locks the application row, checks the move against TRANSITIONS, changes it,
writes an ApplicationEvent, and issues its documents in the same transaction, so two officers
acting at once cannot both succeed and nothing is half done.
"""
import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from licensing.constants import (
    COMMITMENT_CONFIRMATIONS, COMMITMENT_WORKING_DAYS, NOTICE_WORKING_DAYS, TRANSITIONS, Channel,
    CommitmentKind, MaterialDue, MaterialStatus, ReformMode, Route, Status,
)
from licensing.exceptions import Conflict, InvalidInput
from licensing.models import Application, ApplicationEvent, Commitment, Licence, MaterialSubmission, NumberCounter
from licensing.uploads import check_upload
from notices.constants import DocumentKind
from notices.services import document_issue
from portal import calendar
from supervision import selectors as supervision_selectors
from supervision import services as supervision_services
from supervision.constants import CreditReason

DIRECT_OUTCOME = {ReformMode.CANCEL: (Status.RECORDED, DocumentKind.CANCEL_RECEIPT),
                  ReformMode.FILING: (Status.FILED, DocumentKind.FILING_RECEIPT)}


def _today() -> dt.date:
    return timezone.localdate()


def _working_days_after(start: dt.date, n: int, application: Application) -> dt.date:
    result = calendar.add_working_days(start, n)
    if result.provisional:
        application.deadlines_provisional = True
    return result.date


def _allocate_number(now) -> str:
    """QZ2026-000123: the year's counter is bumped under its row lock, so numbers never repeat."""
    year = timezone.localtime(now).year
    NumberCounter.objects.get_or_create(year=year)
    NumberCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = NumberCounter.objects.select_for_update().get(year=year).last
    return f"QZ{year}-{last:06d}"


def _event(application, action, from_status, actor, reason=""):
    ApplicationEvent.objects.create(application=application, action=action, from_status=from_status,
                                    to_status=application.status, actor=actor, at=timezone.now(), reason=reason)


def _lock_in_state(application: Application, action: str) -> Application:
    """Lock the row and check that `action` may start from its current state."""
    locked = Application.objects.select_for_update().select_related("item", "applicant").get(pk=application.pk)
    if locked.status not in TRANSITIONS[action][0]:
        raise Conflict(f"办件当前状态为“{locked.get_status_display()}”，不能进行此操作。")
    return locked


def _move(application: Application, action: str, actor, *, reason: str = "", **changes) -> Application:
    """Lock, check the move, apply `changes`, record the event. Returns the fresh application."""
    to_status = TRANSITIONS[action][1]
    locked = _lock_in_state(application, action)
    from_status = locked.status
    locked.status = to_status
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    _event(locked, action, from_status, actor, reason)
    return locked


def _require_route(application: Application, route: str):
    if application.route != route:
        label = "告知承诺" if route == Route.COMMITMENT else "一般程序"
        raise Conflict(f"该办件不按{label}办理，不能进行此操作。")


def notice_missing_content(item) -> list[str]:
    """What an admin must fill in before the item can issue a 告知书 (附件3 第二条（一）)."""
    missing = []
    if not item.legal_basis.strip():
        missing.append("法律依据（法律、法规、规章名称及具体条款）")
    if not item.conditions.strip():
        missing.append("许可条件（条件、标准和技术要求）")
    if not item.materials.exists():
        missing.append("申请材料（名称、提交方式和期限）")
    return missing


def _check_notice_content(item):
    missing = notice_missing_content(item)
    if missing:
        raise Conflict(f"事项“{item.name}”的告知内容不完整，请管理员先在事项目录中补充：{'；'.join(missing)}。")


# --- submission ----------------------------------------------------------------------------

@transaction.atomic
def application_submit(*, item, applicant, actor, channel=Channel.ONLINE, details="",
                       wants_commitment=True) -> Application:
    """Receive an application for any of the four modes.

    Cancel and filing items are done at once (回执). A commitment item goes the commitment way
    unless the applicant declines or is barred by a credit record (附件3 第九、十条); at the
    window the notice is handed over on the spot, otherwise it is due in 3 working days.
    """
    if channel not in Channel.values:
        raise InvalidInput("申请渠道无效。", field="channel")
    now = timezone.now()
    application = Application(item=item, applicant=applicant, submitted_by=actor, channel=channel,
                              details=(details or "").strip(), submitted_at=now, number=_allocate_number(now))
    reason = ""
    if item.reform_mode in DIRECT_OUTCOME:
        application.status, document_kind = DIRECT_OUTCOME[item.reform_mode]
        application.closed_at = now
    elif item.reform_mode == ReformMode.COMMITMENT:
        reason = _choose_route(application, item, applicant, wants_commitment)
    application.save()
    _event(application, "submit", "", actor, reason)
    _owe_materials(application)
    if item.reform_mode in DIRECT_OUTCOME:
        document_issue(application=application, kind=document_kind)
    elif application.route == Route.COMMITMENT and channel == Channel.WINDOW:
        application = application_issue_notice(application=application, actor=actor)
    return application


def _choose_route(application, item, applicant, wants_commitment) -> str:
    record = supervision_selectors.applicant_barred_from_commitment(applicant)
    if record is not None:
        application.route = Route.ORDINARY
        return (f"申请人因“{record.get_reason_display()}”已记入诚信档案，依据告知承诺指引第九条不再适用告知承诺，"
                "按一般程序办理。")
    if not wants_commitment:
        application.route = Route.ORDINARY
        return "申请人不愿作出承诺，按一般程序办理（告知承诺指引第十条）。"
    if application.channel == Channel.WINDOW:
        _check_notice_content(item)  # the notice is handed over on the spot: it must exist
    application.route = Route.COMMITMENT
    application.notice_due = (_today() if application.channel == Channel.WINDOW
                              else _working_days_after(_today(), NOTICE_WORKING_DAYS, application))
    return ""


def _owe_materials(application):
    MaterialSubmission.objects.bulk_create(
        MaterialSubmission(application=application, material=m) for m in application.item.materials.all())


# --- notify and commit ---------------------------------------------------------------------

@transaction.atomic
def application_issue_notice(*, application, actor) -> Application:
    """Issue the 告知书; the applicant then has 3 working days to return the commitment."""
    _require_route(application, Route.COMMITMENT)
    _check_notice_content(application.item)
    probe = Application(deadlines_provisional=application.deadlines_provisional)
    due = _working_days_after(_today(), COMMITMENT_WORKING_DAYS, probe)
    application = _move(application, "issue_notice", actor, notice_issued_at=timezone.now(),
                        commitment_due=due, deadlines_provisional=probe.deadlines_provisional)
    document_issue(application=application, kind=DocumentKind.NOTICE)
    return application


@transaction.atomic
def application_commit(*, application, actor, kind, confirmations, signatory, meet_by=None,
                       files=None) -> Application:
    """Record the signed 承诺书 with the materials due at this moment; the decision is due today."""
    _require_route(application, Route.COMMITMENT)
    # The state first, on the locked row: a lapsed or already committed application is told so
    # (not asked for materials), and two commitments sent at once cannot both upload.
    application = _lock_in_state(application, "commit")
    _check_not_barred(application.applicant)
    _check_commitment(application, kind, confirmations, signatory, meet_by)
    files = files or {}
    # Every check before any file is written: a refused commitment leaves no file behind.
    known = set(application.materials.values_list("material_id", flat=True))
    if any(_as_id(m) not in known for m in files):
        raise InvalidInput("该事项没有这项材料。", field="files")
    for upload in files.values():
        check_upload(upload)
    owed = application.materials.filter(
        status=MaterialStatus.OWED, material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT]
    ).exclude(material_id__in=[_as_id(m) for m in files]).select_related("material")
    if owed:
        names = "、".join(s.material.name for s in owed)
        raise InvalidInput(f"递交承诺书时须一并提交以下材料：{names}。", field="files")
    for material_id, upload in files.items():
        material_submit(application=application, material_id=material_id, upload=upload, actor=actor)
    application = _move(application, "commit", actor, committed_at=timezone.now(), decision_due=_today())
    Commitment.objects.create(application=application, kind=kind, meet_by=meet_by,
                              confirmations=list(COMMITMENT_CONFIRMATIONS), signatory=signatory.strip(),
                              signed_at=timezone.now(), recorded_by=actor)
    document_issue(application=application, kind=DocumentKind.COMMITMENT)
    return application


def _as_id(material_id):
    try:
        return int(material_id)
    except (TypeError, ValueError):
        raise InvalidInput("该事项没有这项材料。", field="files")


def _check_not_barred(applicant):
    # 附件3 第九条 "今后不再适用": a record made after the notice was issued bars this commitment too.
    record = supervision_selectors.applicant_barred_from_commitment(applicant)
    if record is not None:
        raise Conflict(f"申请人因“{record.get_reason_display()}”已记入诚信档案，依据告知承诺指引第九条不能再作出承诺，"
                       "请选择按一般程序办理。")


def _check_commitment(application, kind, confirmations, signatory, meet_by):
    if application.status == Status.NOTICE_ISSUED and application.commitment_due and _today() > application.commitment_due:
        raise Conflict(f"承诺书递交期限（{application.commitment_due:%Y年%m月%d日}）已过，本次申请已不能再作出承诺。")
    if kind not in CommitmentKind.values:
        raise InvalidInput("请选择承诺类型。", field="kind")
    if len(confirmations or []) != len(COMMITMENT_CONFIRMATIONS) or not all(confirmations):
        raise InvalidInput("承诺书的7项确认内容须逐项确认后方可提交。", field="confirmations")
    if not (signatory or "").strip():
        raise InvalidInput("请填写签署人。", field="signatory")
    if kind == CommitmentKind.WILL_MEET and (meet_by is None or meet_by <= _today()):
        raise InvalidInput("承诺在约定期限内具备条件的，须填写今天以后的日期。", field="meet_by")
    if kind == CommitmentKind.ALREADY_MEETS and meet_by is not None:
        raise InvalidInput("已具备许可条件的承诺不填写具备条件日期。", field="meet_by")


@transaction.atomic
def application_decide(*, application, actor) -> Application:
    """Decide on the spot (当场作出决定, 附件3 第五条): licence, later materials' dates, inspection clock."""
    _require_route(application, Route.COMMITMENT)
    application = _move(application, "decide", actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now())
    _grant(application, actor)
    return application


def _grant(application, actor):
    today = _today()
    commitment = getattr(application, "commitment", None)
    operate_now = commitment is None or commitment.kind == CommitmentKind.ALREADY_MEETS
    Licence.objects.create(application=application, number=f"QZXK{application.number[2:]}",
                           issued_at=timezone.now(), may_operate_from=today if operate_now else None)
    if application.route == Route.COMMITMENT:
        _date_later_materials(application, today)
        application.inspection_due = calendar.add_calendar_months(today, application.item.inspection_months)
        supervision_services.inspection_schedule(application=application, due_date=application.inspection_due,
                                                 regulator=application.item.regulator)
    application.save(update_fields=["inspection_due", "deadlines_provisional"])
    document_issue(application=application, kind=DocumentKind.DECISION)


def _date_later_materials(application, today):
    # Materials promised for after the decision are a term of the commitment (附件3 第四条);
    # the ordinary procedure defers none, so its approvals never fall to the overdue job.
    for submission in application.materials.filter(material__due=MaterialDue.AFTER_DECISION).select_related("material"):
        submission.due_date = _working_days_after(today, submission.material.due_working_days, application)
        submission.save(update_fields=["due_date"])


@transaction.atomic
def application_choose_ordinary(*, application, actor, reason="") -> Application:
    """The applicant declines to commit: the ordinary procedure applies (附件3 第十条)."""
    _require_route(application, Route.COMMITMENT)
    return _move(application, "choose_ordinary", actor, route=Route.ORDINARY, notice_due=None,
                 commitment_due=None, reason=reason.strip() or "申请人不愿作出承诺，转一般程序办理。")


@transaction.atomic
def application_lapse(*, application, actor=None) -> Application:
    return _move(application, "lapse", actor, closed_at=timezone.now(),
                 reason="收到告知书后3个工作日内未递交承诺书（告知承诺指引第三条），本次申请终止。")


def applications_lapse_overdue() -> list[str]:
    """Beat job: close the commitment applications whose commitment is overdue."""
    numbers = []
    for app in Application.objects.filter(status=Status.NOTICE_ISSUED, commitment_due__lt=_today()):
        try:
            numbers.append(application_lapse(application=app).number)
        except Conflict:
            pass  # someone committed or withdrew it meanwhile
    return numbers


# --- ordinary review (optimised items, and commitment items going the ordinary way) --------

@transaction.atomic
def application_accept(*, application, actor) -> Application:
    """Accept for review; the committed time limit runs in working days from today."""
    _require_route(application, Route.ORDINARY)
    days = application.item.committed_days
    probe = Application(deadlines_provisional=application.deadlines_provisional)
    due = _working_days_after(_today(), days, probe) if days else None
    return _move(application, "accept", actor, accepted_at=timezone.now(), decision_due=due,
                 deadlines_provisional=probe.deadlines_provisional)


@transaction.atomic
def application_request_correction(*, application, actor, reason) -> Application:
    """Ask for corrections (补正); the clock stops with the working days that were left."""
    if not (reason or "").strip():
        raise InvalidInput("请写明需要补正的内容。", field="reason")
    left = None
    if application.decision_due:
        left = max(calendar.working_days_between(_today(), application.decision_due), 0)
    return _move(application, "request_correction", actor, paused_working_days=left, reason=reason.strip())


@transaction.atomic
def application_resubmit(*, application, actor, reason="") -> Application:
    """Corrections received: the clock restarts with the days that were left."""
    locked = Application.objects.get(pk=application.pk)
    due = locked.decision_due
    probe = Application(deadlines_provisional=locked.deadlines_provisional)
    if locked.paused_working_days is not None:
        due = _working_days_after(_today(), locked.paused_working_days, probe)
    return _move(application, "resubmit", actor, decision_due=due, paused_working_days=None,
                 deadlines_provisional=probe.deadlines_provisional, reason=reason.strip() or "申请人已补正材料。")


@transaction.atomic
def application_approve(*, application, actor, reason="") -> Application:
    _require_route(application, Route.ORDINARY)
    application = _move(application, "approve", actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now(), reason=reason)
    _grant(application, actor)
    return application


@transaction.atomic
def application_reject(*, application, actor, reason) -> Application:
    if not (reason or "").strip():
        raise InvalidInput("不予许可须说明理由。", field="reason")
    application = _move(application, "reject", actor, decided_at=timezone.now(), decided_by=actor,
                        closed_at=timezone.now(), closing_reason=reason.strip(), reason=reason.strip())
    document_issue(application=application, kind=DocumentKind.REJECTION, extra={"reason": reason.strip()})
    return application


@transaction.atomic
def application_withdraw(*, application, actor, reason="") -> Application:
    return _move(application, "withdraw", actor, closed_at=timezone.now(),
                 reason=reason.strip() or "申请人撤回申请。")


# --- after the decision ---------------------------------------------------------------------

@transaction.atomic
def application_revoke(*, application, actor, reason, credit_reason=None) -> Application:
    """Revoke the decision (附件3 第六、七条); with credit_reason, record it in the 诚信档案 (第九条)."""
    if not (reason or "").strip():
        raise InvalidInput("撤销许可须说明理由。", field="reason")
    application = _move(application, "revoke", actor, closing_reason=reason.strip(), reason=reason.strip())
    Licence.objects.filter(application=application, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=reason.strip())
    if credit_reason:
        supervision_services.credit_record_create(applicant=application.applicant, application=application,
                                                  reason=credit_reason, details=reason.strip(), actor=actor)
    supervision_services.inspection_cancel(application=application)
    document_issue(application=application, kind=DocumentKind.REVOCATION, extra={"reason": reason.strip()})
    return application


def applications_revoke_for_overdue_materials() -> list[str]:
    """Beat job: materials owed after the decision and not in by their date revoke it (附件3 第六条)."""
    overdue = (MaterialSubmission.objects.filter(status=MaterialStatus.OWED, due_date__lt=_today(),
                                                 application__status=Status.APPROVED)
               .select_related("material", "application"))
    by_application = {}
    for submission in overdue:
        by_application.setdefault(submission.application, []).append(submission)
    numbers = []
    for application, late in by_application.items():
        names = "、".join(s.material.name for s in late)
        try:
            with transaction.atomic():
                MaterialSubmission.objects.filter(pk__in=[s.pk for s in late]).update(status=MaterialStatus.OVERDUE)
                application_revoke(application=application, actor=None, credit_reason=CreditReason.MISSING_MATERIALS,
                                   reason=f"未在约定期限内提交材料：{names}，依据告知承诺指引第六条撤销行政许可决定。")
            numbers.append(application.number)
        except Conflict:
            pass  # already revoked by someone else: one effect only
    return numbers


@transaction.atomic
def material_submit(*, application, material_id, upload, actor) -> MaterialSubmission:
    """Hand in one owed material; its content is checked, not its name."""
    try:
        submission = (MaterialSubmission.objects.select_for_update().select_related("material")
                      .get(application=application, material_id=material_id))
    except (MaterialSubmission.DoesNotExist, ValueError):
        raise InvalidInput("该事项没有这项材料。", field="files")
    # Late is late whether or not the hourly job has run yet (附件3 第六条): otherwise a material
    # handed in after its date but before the job would save the decision.
    if submission.status == MaterialStatus.OVERDUE or (submission.due_date and submission.due_date < _today()):
        raise Conflict(f"材料“{submission.material.name}”已逾期，不能再提交。")
    if Application.objects.filter(pk=application.pk, status__in=[
            Status.REVOKED, Status.REJECTED, Status.WITHDRAWN, Status.LAPSED]).exists():
        raise Conflict("办件已终止，不能再提交材料。")
    content_type = check_upload(upload)
    submission.file.save(upload.name, upload, save=False)
    submission.original_name = upload.name[:255]
    submission.content_type = content_type
    submission.status = MaterialStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor
    submission.save()
    return submission
