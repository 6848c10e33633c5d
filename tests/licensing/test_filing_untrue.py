"""Filings that prove untrue (issue 11). 钦政发〔2019〕20号 二（四）: "企业备案后，各有关监管部门要依法实施有效
监管，对未按规定备案或备案信息不实的企业，要明确监管规则，依法调查处理并采取措施予以纠正".

The regulator the filing's record went to (谁主管、谁监管) marks it untrue with its findings and a date,
and a 责令改正备案信息通知书 is issued in its name; a false filing also goes on the credit record; the
filer corrects it, and the corrected filing goes to the regulator again.
"""
import datetime as dt

import pytest

from licensing import services
from licensing.constants import Action, Status
from licensing.models import Application, ApplicationEvent
from licensing.selectors import application_allowed_actions, deadlines
from notices.constants import DocumentKind, RecordKind
from notices.models import OutboxRecord
from portal.constants import Role
from portal.exceptions import Conflict, InvalidInput
from supervision.constants import CreditReason
from supervision.models import CreditRecord
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

FINDINGS = "备案的经营场所地址与实际不符。"
CORRECT_BY = dt.date(2024, 11, 15)


def fresh(application):
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def filed(enterprise, applicant_user, at):
    """A filing (审批改为备案) made online on 2024-10-14; its record went to the department that regulates it."""
    with at(2024, 10, 14):
        application = ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
    assert application.status == Status.FILED and application.regulator is not None
    return application


@pytest.fixture
def its_regulator(filed):
    return UserFactory(role=Role.REGULATOR, organisation=filed.regulator, full_name="监管员")


def mark_untrue(filed, actor, **kwargs):
    options = {"findings": FINDINGS, "correct_by": CORRECT_BY, **kwargs}
    return services.application_mark_filing_untrue(application=filed, actor=actor, **options)


def test_the_regulator_marks_a_filing_untrue_and_orders_it_corrected_by_a_date(filed, its_regulator, at):
    """20号 二（四）: "备案信息不实的企业…采取措施予以纠正" — an order to correct, not yet a credit record."""
    assert "mark_filing_untrue" in application_allowed_actions(fresh(filed), its_regulator)
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
        rows = {d.label: d for d in deadlines(fresh(filed))}
    application = fresh(filed)
    assert (application.status, application.filing_correct_by) == (Status.FILING_CORRECTION, CORRECT_BY)
    assert application.get_status_display() == "备案信息不实，待改正"
    assert rows["备案信息改正期限"].date == CORRECT_BY and rows["备案信息改正期限"].state == "进行中"
    event = ApplicationEvent.objects.get(application=filed, action=Action.MARK_FILING_UNTRUE)
    assert event.actor == its_regulator and FINDINGS in event.reason and "2024年11月15日" in event.reason
    assert not CreditRecord.objects.filter(application=filed).exists()


def test_the_order_to_correct_is_a_document_in_the_regulators_name(filed, its_regulator, at):
    """20号 二（四） "采取措施予以纠正": the filer receives a 责令改正备案信息通知书, verifiable like the others."""
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
    order = filed.documents.get(kind=DocumentKind.FILING_CORRECTION)
    assert order.get_kind_display() == "责令改正备案信息通知书" and order.number.startswith("钦备改〔2024〕")
    for shown in [FINDINGS, "2024年11月15日", "备案信息不实", "钦政发〔2019〕20号", filed.regulator.name]:
        assert shown in order.html, shown
    assert "诚信档案" not in order.html


def test_a_false_filing_goes_on_the_credit_record_once(filed, its_regulator, at):
    """附件3 第九条's 诚信档案 for dishonesty; the reason is 备案信息虚假 (CreditReason.FALSE_FILING)."""
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator, false_filing=True)
        with pytest.raises(Conflict):  # marked already: a second attempt changes nothing
            mark_untrue(filed, its_regulator, false_filing=True)
    records = CreditRecord.objects.filter(application=filed)
    assert [(r.reason, r.recorded_by) for r in records] == [(CreditReason.FALSE_FILING, its_regulator)]
    order = filed.documents.get(kind=DocumentKind.FILING_CORRECTION)
    assert "备案信息<strong>虚假" in order.html and "诚信档案" in order.html
    assert ApplicationEvent.objects.filter(application=filed, action=Action.MARK_FILING_UNTRUE).count() == 1


def test_the_filer_corrects_it_and_the_corrected_filing_goes_to_the_regulator_again(filed, its_regulator,
                                                                                   applicant_user, at):
    """20号 二（四） "予以纠正": corrected, it is filed again, and the regulator receives it (钦政办〔2019〕72号 推送)."""
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
    assert "correct_filing" in application_allowed_actions(fresh(filed), applicant_user)
    with at(2024, 10, 28):
        services.application_correct_filing(application=filed, actor=applicant_user, details="经营场所：钦州市钦南区某路1号")
    application = fresh(filed)
    assert (application.status, application.filing_correct_by) == (Status.FILED, None)
    assert application.details == "经营场所：钦州市钦南区某路1号"
    corrected = OutboxRecord.objects.filter(application=filed, kind=RecordKind.CORRECTED)
    assert corrected.exists()
    assert {r.recipient_org for r in corrected} == {filed.regulator}
    assert OutboxRecord.objects.filter(application=filed, kind=RecordKind.FILED).count() == corrected.count()
    event = ApplicationEvent.objects.get(application=filed, action=Action.CORRECT_FILING)
    assert event.actor == applicant_user and event.late_working_days is None


def test_a_correction_after_the_date_is_still_taken_and_recorded_as_late(filed, its_regulator, applicant_user, at):
    """Late is recorded, not refused (issue 11): the correction is still owed and still made."""
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
    with at(2024, 11, 19):
        services.application_correct_filing(application=filed, actor=applicant_user, details="改正后的备案信息")
    event = ApplicationEvent.objects.get(application=filed, action=Action.CORRECT_FILING)
    assert (event.due_date, event.late_working_days) == (CORRECT_BY, 2)


@pytest.mark.parametrize("findings, correct_by, field", [
    ("   ", CORRECT_BY, "findings"),
    (FINDINGS, dt.date(2024, 10, 18), "correct_by"),  # already past
    (FINDINGS, dt.date(2024, 10, 21), "correct_by"),  # today leaves no time to correct
])
def test_findings_and_a_future_date_are_required_and_a_refusal_changes_nothing(filed, its_regulator, at,
                                                                              findings, correct_by, field):
    """20号 二（四） "依法调查处理": the order says what is untrue and leaves time to correct it."""
    with at(2024, 10, 21):
        with pytest.raises(InvalidInput) as refused:
            mark_untrue(filed, its_regulator, findings=findings, correct_by=correct_by, false_filing=True)
    assert field in refused.value.errors
    application = fresh(filed)
    assert (application.status, application.filing_correct_by) == (Status.FILED, None)
    assert not CreditRecord.objects.filter(application=filed).exists()
    assert not filed.documents.filter(kind=DocumentKind.FILING_CORRECTION).exists()


def test_a_correction_needs_the_corrected_details(filed, its_regulator, applicant_user, at):
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
        with pytest.raises(InvalidInput):
            services.application_correct_filing(application=filed, actor=applicant_user, details=" ")
    assert fresh(filed).status == Status.FILING_CORRECTION


def test_only_the_regulator_the_filing_went_to_may_mark_it_untrue(filed, its_regulator, other_regulator, officer,
                                                                  applicant_user):
    """谁主管、谁监管: "licensing.act_as_regulator" is the regulator whose organisation the record went to."""
    application = fresh(filed)
    assert its_regulator.has_perm("licensing.act_as_regulator", application)
    for someone_else in (other_regulator, officer, applicant_user):
        assert not someone_else.has_perm("licensing.act_as_regulator", application)
        assert "mark_filing_untrue" not in application_allowed_actions(application, someone_else)
