"""What the approving authority sees of the regulator's check, and what it does about it (issue 10).

谁审批、谁撤销: a regulator whose check fails asks the authority that approved to revoke. The request
waits on that authority's officer desk (核查不实，提请撤销) and beside the revoke form on the
application page, with the reason drafted from it; the API's application detail carries it too.
Revoking through the existing service closes it. Items 4-19 carry 全覆盖例行检查: their inspection
stays open even when the decision is revoked for another cause.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import selectors, services
from licensing.constants import ReformMode, Status
from licensing.models import Item
from supervision.constants import (
    FULL_COVERAGE_SEQ_NOS, CreditReason, FailureGround, InspectionStatus, RevocationRequestStatus,
)
from supervision.models import CreditRecord, RevocationRequest
from tests.factories import ApplicantFactory
from tests.licensing.inspection_world import FINDING, assigned, decided, fails, inspection
from tests.licensing.test_api_applications import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(at, commitment_item, enterprise, applicant_user, officer, regulator):
    """Decided on 14 October 2024; on 21 October the check finds the commitment untrue (no rectification)."""
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    with at(2024, 10, 21):
        assigned(application, regulator)
        fails(application, regulator, note=FINDING, ground=FailureGround.FALSE_COMMITMENT)
    return application


def desk(client):
    response = client.get(reverse("officer-desk"))
    assert response.status_code == 200
    return response


def detail_page(client, application):
    response = client.get(reverse("web-application-detail", args=[application.number]))
    assert response.status_code == 200
    return response.content.decode()


def api_detail(user, application):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client, client.get(f"/api/v1/applications/{application.number}/")


# --- the officer desk -----------------------------------------------------------------------------

def test_the_officer_desk_lists_the_request_with_regulator_ground_reason_date_and_link(requested, officer, login):
    response = desk(login(officer))
    (row,) = response.context["queues"].revocation_requests
    assert (row.application, row.status) == (requested, RevocationRequestStatus.OPEN)
    html = response.content.decode()
    for shown in ("核查不实，提请撤销（1）", "测试行业主管部门", "承诺内容不实", FINDING, "2024年10月21日",
                  reverse("web-application-detail", args=[requested.number]) + "#revocation-request"):
        assert shown in html


def test_another_authoritys_officer_does_not_see_the_request(requested, other_officer, login):
    assert desk(login(other_officer)).context["queues"].revocation_requests == []


def test_a_regulator_has_no_revocation_queue_of_its_own_to_read(requested, regulator):
    assert list(selectors.revocation_requests_for(regulator)) == []


def test_the_desk_reads_the_requests_in_the_same_number_of_queries_however_many(
        at, requested, commitment_item, applicant_user, officer, regulator, login):
    client = login(officer)
    with CaptureQueriesContext(connection) as one:
        desk(client)
    for _ in range(2):
        with at(2024, 10, 14):
            more = decided(commitment_item, ApplicantFactory(members=[applicant_user]), applicant_user, officer)
        with at(2024, 10, 21):
            assigned(more, regulator)
            fails(more, regulator, ground=FailureGround.FALSE_COMMITMENT)
    with CaptureQueriesContext(connection) as three:
        response = desk(client)
    assert len(response.context["queues"].revocation_requests) == 3
    assert len(three) == len(one)


def test_the_request_leaves_the_desk_once_revoked(at, requested, officer, login):
    with at(2024, 10, 22):
        services.application_revoke(application=requested, actor=officer, reason="核查不实。")
    assert desk(login(officer)).context["queues"].revocation_requests == []


# --- the application page ---------------------------------------------------------------------

def test_the_officer_sees_the_request_beside_a_revoke_form_drafted_from_it(requested, officer, login):
    response = login(officer).get(reverse("web-application-detail", args=[requested.number]))
    html = response.content.decode()
    assert 'id="revocation-request"' in html and "核查不实，提请撤销" in html
    form = response.context["forms"]["revoke"]
    assert "测试行业主管部门于2024年10月21日提请撤销（承诺内容不实）" in form.initial["reason"]
    assert FINDING in form.initial["reason"] and "第七条" in form.initial["reason"]
    assert form.initial["credit_reason"] == CreditReason.FALSE_COMMITMENT
    record = requested.documents.get(kind="inspection_record")
    assert reverse("document-html", args=[record.verification_code]) in html
    assert '<details class="revoke" open>' in html


def test_without_a_request_the_revoke_form_starts_empty_and_folded(at, commitment_item, enterprise, applicant_user,
                                                                  officer, login):
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    response = login(officer).get(reverse("web-application-detail", args=[application.number]))
    assert response.context["forms"]["revoke"].initial == {}
    assert response.context["revocation_request"] is None
    assert '<details class="revoke">' in response.content.decode()
    assert "待核查" in response.content.decode()


def test_the_applicant_sees_the_check_but_no_revoke_form(requested, applicant_user, login):
    html = detail_page(login(applicant_user), requested)
    assert "承诺不实，已提请撤销许可" in html and FINDING in html
    assert reverse("web-application-revoke", args=[requested.number]) not in html
    assert 'id="revocation-request"' not in html


def test_the_regulator_reads_the_check_on_the_application_page(requested, regulator, login):
    html = detail_page(login(regulator), requested)
    assert "事后核查" in html and "承诺不实，已提请撤销许可" in html and FINDING in html


def test_an_empty_reason_is_refused_and_the_request_stays_open(requested, officer, login):
    response = login(officer).post(reverse("web-application-revoke", args=[requested.number]),
                                   {"reason": "", "credit_reason": "false_commitment"})
    assert response.status_code == 400
    requested.refresh_from_db()
    assert requested.status == Status.APPROVED
    assert RevocationRequest.objects.get().status == RevocationRequestStatus.OPEN
    assert not CreditRecord.objects.exists()


def test_a_regulator_cannot_revoke_through_the_page(requested, regulator, login):
    response = login(regulator).post(reverse("web-application-revoke", args=[requested.number]),
                                     {"reason": "越权撤销。"})
    assert response.status_code in (403, 404)
    assert RevocationRequest.objects.get().status == RevocationRequestStatus.OPEN


# --- the API -------------------------------------------------------------------------------------

def test_the_api_detail_carries_the_open_request(requested, officer):
    _, response = api_detail(officer, requested)
    assert response.status_code == 200
    request = response.json()["revocation_request"]
    assert (request["regulator"], request["ground"], request["ground_display"], request["reason"]) == (
        "测试行业主管部门", "false_commitment", "承诺内容不实", FINDING)
    assert request["requested_at"].startswith("2024-10-21")


def test_revoking_through_the_api_closes_the_request_and_the_detail_shows_none(at, requested, officer):
    client, _ = api_detail(officer, requested)
    with at(2024, 10, 22):
        response = client.post(f"/api/v1/applications/{requested.number}/revoke/",
                               {"reason": "核查不实，撤销许可。"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["revocation_request"]) == (Status.REVOKED, None)
    assert RevocationRequest.objects.get().status == RevocationRequestStatus.REVOKED
    assert CreditRecord.objects.get().reason == CreditReason.FALSE_COMMITMENT


def test_the_regulator_may_not_revoke_through_the_api(requested, regulator):
    client, _ = api_detail(regulator, requested)
    response = client.post(f"/api/v1/applications/{requested.number}/revoke/", {"reason": "越权撤销。"}, format="json")
    assert response.status_code == 403 and response.json()["detail"]
    assert RevocationRequest.objects.get().status == RevocationRequestStatus.OPEN


def test_an_application_without_a_request_has_null_in_the_api(at, commitment_item, enterprise, applicant_user,
                                                               officer):
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    _, response = api_detail(applicant_user, application)
    assert response.json()["revocation_request"] is None


# --- full coverage (items 4-19) ------------------------------------------------------------------

def later_material_overdue_revoke(at):
    with at(2024, 11, 12, 2):  # 安全设施说明 was due 11 November (20 working days after 14 October)
        return services.applications_revoke_for_overdue_materials()


def test_a_decision_of_item_13_gets_a_full_coverage_inspection(at, commitment_item, enterprise, applicant_user,
                                                              officer):
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    assert inspection(application).full_coverage is True


def test_every_commitment_item_of_the_catalogue_is_one_of_4_to_19():
    commitment_seq_nos = set(Item.objects.filter(reform_mode=ReformMode.COMMITMENT).values_list("seq_no", flat=True))
    assert commitment_seq_nos and commitment_seq_nos <= FULL_COVERAGE_SEQ_NOS


def test_revoking_for_late_materials_cancels_the_open_inspection_without_a_result(at, commitment_item, enterprise,
                                                                                 applicant_user, officer, regulator):
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    with at(2024, 10, 21):
        assigned(application, regulator)
    assert later_material_overdue_revoke(at) == [application.number]
    checked = inspection(application)
    assert checked.status == InspectionStatus.CANCELLED and checked.closed_at is not None
    assert not checked.results.exists() and not RevocationRequest.objects.exists()
    assert CreditRecord.objects.get().reason == CreditReason.MISSING_MATERIALS
    assert later_material_overdue_revoke(at) == []  # twice: one effect
    assert inspection(application).closed_at == checked.closed_at
    looked_up = selectors.application_progress(application.number, application.query_code)
    assert selectors.inspection_progress(looked_up).label == "无需核查（许可已撤销）"
