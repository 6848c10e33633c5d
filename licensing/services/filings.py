"""Filings that prove untrue (钦政发〔2019〕20号 二（四）: "对未按规定备案或备案信息不实的企业，要明确监管
规则，依法调查处理并采取措施予以纠正").

The regulator that receives a filing's record finds it untrue and orders the filer to correct it by a
date, with a 责令改正备案信息通知书 in the regulator's name; where the filing was false (not a mistake
but a deception), a credit record follows at once (附件3 第九条 applies the 诚信档案 to dishonesty; here
the reason is 备案信息虚假). The filer corrects it, and the corrected filing goes to the regulator again
as a record of its own kind (RecordKind.CORRECTED).

Known limit: documents and outbox records are one per application and kind (notices: the document's
unique kind, the record's idempotency key), so a filing found untrue a second time, after a
correction, gets its event and credit record but neither a second notice nor a second record.
"""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import Action
from licensing.models import Application
from licensing.services._core import _move, _today
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal.exceptions import InvalidInput, Problems
from supervision import services as supervision_services
from supervision.constants import CreditReason


@transaction.atomic
def application_mark_filing_untrue(*, application, actor, findings, correct_by, false_filing=False) -> Application:
    """The regulator finds the filing untrue: the filer must correct it by `correct_by`."""
    findings = (findings or "").strip()
    problems = Problems()
    if not findings:
        problems.add("findings", _("请写明备案信息哪些内容不实。"))
    if not isinstance(correct_by, dt.date) or correct_by <= _today():
        problems.add("correct_by", _("改正期限须为今天以后的日期。"))
    problems.raise_if_any()
    verdict = "备案信息虚假" if false_filing else "备案信息不实"
    application = _move(application, Action.MARK_FILING_UNTRUE, actor, filing_correct_by=correct_by,
                        reason=f"{verdict}：{findings} 责令于{correct_by:%Y年%m月%d日}前改正。")
    if false_filing:
        supervision_services.credit_record_create(applicant=application.applicant, application=application,
                                                  reason=CreditReason.FALSE_FILING, details=findings, actor=actor)
    regulator = _regulator(application, actor)
    document_issue(application=application, kind=DocumentKind.FILING_CORRECTION, organisation=regulator, extra={
        "issuer": regulator.name if regulator is not None else "行业主管部门", "entrusted": "", "findings": findings,
        "correct_by": correct_by, "false_filing": bool(false_filing)})
    return application


def _regulator(application, actor):
    """The notice is the regulator's (谁主管、谁监管), not the authority that received the filing: in its
    name and under its seal."""
    return application.regulator or getattr(actor, "organisation", None)


@transaction.atomic
def application_correct_filing(*, application, actor, details) -> Application:
    """The filer corrects the filing; the corrected filing is pushed to the regulator again."""
    details = (details or "").strip()
    if not details:
        raise InvalidInput(_("请填写改正后的备案信息。"), field="details")
    application = _move(application, Action.CORRECT_FILING, actor, details=details, filing_correct_by=None,
                        due_field="filing_correct_by", reason=gettext_noop("备案人已改正备案信息。"))
    record_push(application, RecordKind.CORRECTED, outcome="filed")
    return application
