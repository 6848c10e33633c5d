"""ApplicationFactory's traits land where they say, through the real services, so the factory cannot rot."""
import pytest

from licensing.constants import Channel, MaterialStatus, ReformMode, Route, Status
from licensing.models import Licence
from notices.constants import DocumentKind
from portal.constants import Role
from supervision.constants import CreditReason, InspectionStatus
from supervision.models import CreditRecord, Inspection
from tests.factories import ApplicationFactory, commitment_application

pytestmark = pytest.mark.django_db

N, C, D = DocumentKind.NOTICE, DocumentKind.COMMITMENT, DocumentKind.DECISION
L = DocumentKind.LICENCE  # issued just before the decision, anew on revocation (issue 12)


def actions(application):
    """The transitions it went through, in order (events that change nothing, like a material, left out)."""
    return [e.action for e in application.events.order_by("id") if e.from_status != e.to_status]


def kinds_of_documents(application):
    return list(application.documents.order_by("id").values_list("kind", flat=True))


@pytest.mark.parametrize("trait, status, route, events, documents", [
    (None, Status.SUBMITTED, Route.COMMITMENT, ["submit"], []),
    ("notice_issued", Status.NOTICE_ISSUED, Route.COMMITMENT, ["submit", "issue_notice"], [N]),
    ("committed", Status.COMMITTED, Route.COMMITMENT, ["submit", "issue_notice", "commit"], [N, C]),
    ("decided", Status.APPROVED, Route.COMMITMENT, ["submit", "issue_notice", "commit", "decide"], [N, C, L, D]),
    ("revoked", Status.REVOKED, Route.COMMITMENT, ["submit", "issue_notice", "commit", "decide", "revoke"],
     [N, C, L, D, DocumentKind.REVOCATION, L]),
    ("lapsed", Status.LAPSED, Route.COMMITMENT, ["submit", "issue_notice", "lapse"], [N]),
    ("withdrawn", Status.WITHDRAWN, Route.COMMITMENT, ["submit", "withdraw"], []),
    ("ordinary", Status.SUBMITTED, Route.ORDINARY, ["submit"], []),
    ("accepted", Status.ACCEPTED, Route.ORDINARY, ["submit", "accept"], []),
    ("correction", Status.CORRECTION, Route.ORDINARY, ["submit", "accept", "request_correction"], []),
    ("approved", Status.APPROVED, Route.ORDINARY, ["submit", "accept", "approve"], [L, D]),
    ("rejected", Status.REJECTED, Route.ORDINARY, ["submit", "accept", "reject"], [DocumentKind.REJECTION]),
])
def test_each_trait_reaches_its_state_by_the_services_own_transitions(trait, status, route, events, documents):
    application = ApplicationFactory(**({trait: True} if trait else {}))
    assert (application.status, application.route) == (status, route)
    assert actions(application) == events
    assert kinds_of_documents(application) == documents
    assert application.item.seq_no == 13 and application.channel == Channel.ONLINE


def test_by_default_a_member_of_a_new_enterprise_applies_online(commitment_item):
    application = ApplicationFactory()
    actor = application.submitted_by
    assert actor.role == Role.APPLICANT
    assert list(application.applicant.members.all()) == [actor]
    assert application.item == commitment_item
    assert commitment_item.materials.count() == 3  # the prepared item is reused, not prepared again


def test_decided_has_a_licence_to_operate_and_an_inspection_due():
    application = ApplicationFactory(decided=True)
    assert application.licence.may_operate_from is not None and application.licence.revoked_at is None
    assert Inspection.objects.get(application=application).status == InspectionStatus.PENDING
    assert application.inspection_due is not None
    assert application.materials.filter(status=MaterialStatus.OWED).count() == 1  # the one due after the decision
    officer = application.decided_by
    assert officer.role == Role.OFFICER
    assert officer.organisation == application.item.authorities.first().organisation


def test_revoked_withdraws_the_licence_cancels_the_inspection_and_records_no_credit_unless_asked():
    application = ApplicationFactory(revoked=True)
    assert application.licence.revoked_at is not None
    assert application.inspection.status == InspectionStatus.CANCELLED
    assert not CreditRecord.objects.exists()


def test_revoked_with_a_credit_reason_bars_the_applicant():
    application = ApplicationFactory(revoked=True, credit_reason=CreditReason.FALSE_COMMITMENT,
                                     reason="核查发现承诺不实。")
    assert application.closing_reason == "核查发现承诺不实。"
    assert CreditRecord.objects.get().applicant == application.applicant
    assert ApplicationFactory(applicant=application.applicant).route == Route.ORDINARY


def test_an_ordinary_approval_has_a_licence_but_no_inspection():
    application = ApplicationFactory(approved=True)
    assert Licence.objects.filter(application=application).exists()
    assert not Inspection.objects.filter(application=application).exists()


def test_traits_combine_with_where_the_application_closes():
    assert actions(ApplicationFactory(approved=True, revoked=True))[-2:] == ["approve", "revoke"]
    assert actions(ApplicationFactory(accepted=True, withdrawn=True)) == ["submit", "accept", "withdraw"]
    assert actions(ApplicationFactory(notice_issued=True, withdrawn=True))[-1] == "withdraw"


@pytest.mark.parametrize("trait, mode, status, receipt", [
    ("filed", ReformMode.FILING, Status.FILED, DocumentKind.FILING_RECEIPT),
    ("recorded", ReformMode.CANCEL, Status.RECORDED, DocumentKind.CANCEL_RECEIPT),
])
def test_filing_and_cancelled_items_get_their_receipt_at_once(trait, mode, status, receipt):
    application = ApplicationFactory(**{trait: True})
    assert (application.item.reform_mode, application.status) == (mode, status)
    assert actions(application) == ["submit"]
    assert kinds_of_documents(application) == [receipt]


def test_at_the_window_a_clerk_enters_it_and_the_notice_is_handed_over_at_once():
    application = ApplicationFactory(channel=Channel.WINDOW)
    assert application.submitted_by.role == Role.CLERK
    assert application.status == Status.NOTICE_ISSUED
    assert application.applicant.members.get().role == Role.APPLICANT


def test_the_personas_given_are_the_ones_who_act(enterprise, applicant_user, officer, commitment_item):
    application = ApplicationFactory(decided=True, applicant=enterprise, actor=applicant_user, officer=officer)
    assert application.applicant == enterprise and application.item == commitment_item
    assert {e.action: e.actor for e in application.events.all() if e.from_status != e.to_status} == {
        "submit": applicant_user, "issue_notice": officer, "commit": applicant_user, "decide": officer}


def test_the_applicants_member_applies_when_only_the_applicant_is_given(enterprise, applicant_user):
    assert ApplicationFactory(applicant=enterprise).submitted_by == applicant_user


def test_commitment_application_still_drives_a_window_application_to_its_decision(
        commitment_item, enterprise, clerk, officer):
    committed = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                       until=Status.COMMITTED)
    assert actions(committed) == ["submit", "issue_notice", "commit"]
    decided = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    assert (decided.status, decided.channel, decided.decided_by) == (Status.APPROVED, Channel.WINDOW, officer)


def test_an_application_cannot_be_built_without_the_services():
    with pytest.raises(TypeError):
        ApplicationFactory.build()
