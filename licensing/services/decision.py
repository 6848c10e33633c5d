"""What a grant brings: the licence, later materials' dates, the inspection clock, the decision."""
from licensing.constants import (
    CommitmentKind,
    MaterialDue,
    MaterialStatus,
    Route,
)
from licensing.services._core import _today, _working_days_after
from licensing.services.licences import licence_grant
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal import calendar
from supervision import services as supervision_services
from supervision.constants import FULL_COVERAGE_SEQ_NOS


def _grant(application, actor):
    today = _today()
    commitment = getattr(application, "commitment", None)
    operate_now = commitment is None or commitment.kind == CommitmentKind.ALREADY_MEETS
    # The licence and its document (电子证照, version 1) first: the decision names both.
    licence_grant(application, today, may_operate_from=today if operate_now else None)
    if application.route == Route.COMMITMENT:
        _date_later_materials(application, today)
        application.inspection_due = _months_after(today, application.item.inspection_months, application)
    if not operate_now:  # 钦政发〔2019〕20号: operating only once the conditions are confirmed met
        application.conditions_due = commitment.meet_by
    application.save(update_fields=["inspection_due", "deadlines_provisional", "conditions_due"])
    document_issue(application=application, kind=DocumentKind.DECISION)
    authority, regulator = record_push(application, RecordKind.DECIDED, outcome="granted")
    if application.route == Route.COMMITMENT:  # the check goes to whom the record went (谁主管谁监管)
        supervision_services.inspection_schedule(
            application=application, due_date=application.inspection_due, regulator=regulator, authority=authority,
            full_coverage=application.item.seq_no in FULL_COVERAGE_SEQ_NOS)


def _months_after(start, months, application):
    # 附件3 第七条's 2 months end on the next working day when the last is a rest day (民法典 第二百零三条).
    result = calendar.calendar_months_period_end(start, months)
    if result.provisional:
        application.deadlines_provisional = True
    return result.date


def _date_later_materials(application, today):
    # Materials promised for after the decision are a term of the commitment (附件3 第四条);
    # the ordinary procedure defers none, so its approvals never fall to the overdue job.
    # One obtained by sharing (issue 16) is owed by no one and gets no date.
    for submission in (application.materials.filter(material__due=MaterialDue.AFTER_DECISION)
                       .exclude(status=MaterialStatus.SHARED).select_related("material")):
        submission.due_date = _working_days_after(today, submission.material.due_working_days, application)
        submission.save(update_fields=["due_date"])
