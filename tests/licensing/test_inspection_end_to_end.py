"""A false commitment from decision to credit record (issue 10; 附件3 第七、九条; 钦政发〔2019〕20号).

Item 13 is decided on the spot on Monday 23 September 2024. The regulator sends two inspectors,
finds the commitment untrue and orders rectification within 5 working days: the National Day break
(1-7 October, with Sunday 29 September worked) puts the deadline on Thursday 10 October. The
applicant sees the order and its notice on its page. A re-inspection may only follow the deadline;
on 11 October it fails, and the regulator's request reaches the approving officer's desk. The
officer revokes through the application page; the applicant gets the 撤销决定书, the false
commitment goes on its credit record, and its next application goes the ordinary way (第九条).
The public lookup follows each step by status, never by a finding or a name.
"""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from licensing import services
from licensing.constants import Route, Status
from notices.constants import DocumentKind
from portal.exceptions import Conflict
from portal.security import needs_second_factor
from supervision import services as supervision_services
from supervision.constants import CreditReason, InspectionOutcome, InspectionStatus, RevocationRequestStatus
from supervision.models import CreditRecord, InspectionResult, RevocationRequest
from tests.conftest import pass_second_factor
from tests.licensing.inspection_world import (
    FINDING, INSPECTOR_NAMES, STILL, assigned, decided, fails, inspection, rectify,
)

pytestmark = pytest.mark.django_db

RECTIFY_DUE = dt.date(2024, 10, 10)  # 5 working days after Fri 27 Sep 2024: 29 Sep, 30 Sep, 8, 9, 10 Oct


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if needs_second_factor(user):
        pass_second_factor(client, user)
    return client


def page(user, application) -> str:
    response = signed_in(user).get(reverse("web-application-detail", args=[application.number]))
    assert response.status_code == 200
    return response.content.decode()


def public_page(application) -> str:
    response = Client().post(reverse("progress"), {"number": application.number, "code": application.query_code})
    assert response.status_code == 200
    return response.content.decode()


def public_api(application) -> dict:
    response = Client().get(f"/api/v1/progress/{application.number}/", {"code": application.query_code})
    assert response.status_code == 200
    return response.json()


def assert_nothing_personal(text: str):
    for private in (FINDING, STILL, *INSPECTOR_NAMES):
        assert private not in text


@pytest.fixture
def rectifying(at, commitment_item, enterprise, applicant_user, officer, regulator):
    with at(2024, 9, 23):
        application = decided(commitment_item, enterprise, applicant_user, officer)
    with at(2024, 9, 24):
        assigned(application, regulator)
    with at(2024, 9, 27):
        rectify(application, regulator, days=5)
    return application


@pytest.fixture
def failed(at, rectifying, regulator):
    with at(2024, 10, 11):
        fails(rectifying, regulator)
    return rectifying


def test_five_working_days_to_rectify_run_past_the_national_day_break(rectifying):
    checked = inspection(rectifying)
    assert (checked.status, checked.rectify_due) == (InspectionStatus.RECTIFY, RECTIFY_DUE)
    assert checked.results.get().rectify_due == RECTIFY_DUE


def test_the_applicant_sees_the_order_to_rectify_and_its_notice_on_its_page(rectifying, applicant_user):
    html = page(applicant_user, rectifying)
    assert "事后核查" in html and "限期整改（整改期限2024年10月10日）" in html
    assert FINDING in html and all(name in html for name in INSPECTOR_NAMES)
    notice = rectifying.documents.get(kind=DocumentKind.RECTIFICATION)
    record = rectifying.documents.get(kind=DocumentKind.INSPECTION_RECORD)
    for document in (notice, record):
        assert document.number in html
        assert reverse("document-html", args=[document.verification_code]) in html
    assert "全覆盖例行检查" in html  # item 13 is one of 4-19


def test_the_applicant_may_open_the_rectification_notice(rectifying, applicant_user):
    notice = rectifying.documents.get(kind=DocumentKind.RECTIFICATION)
    response = signed_in(applicant_user).get(reverse("document-content", args=[notice.verification_code]))
    assert response.status_code == 200
    assert "2024年10月10日" in response.content.decode()


def test_a_reinspection_on_the_last_day_to_rectify_is_refused_and_changes_nothing(at, rectifying, regulator):
    with at(2024, 10, 10, 17), pytest.raises(Conflict, match="整改期限"):
        fails(rectifying, regulator)
    assert inspection(rectifying).status == InspectionStatus.RECTIFY
    assert InspectionResult.objects.filter(inspection__application=rectifying).count() == 1
    assert not RevocationRequest.objects.exists()


def test_a_failed_reinspection_after_the_deadline_asks_the_authority_to_revoke(failed, regulator):
    checked = inspection(failed)
    assert checked.status == InspectionStatus.FAILED and checked.closed_at is not None
    assert list(checked.results.values_list("outcome", "is_reinspection")) == [
        (InspectionOutcome.RECTIFY, False), (InspectionOutcome.FAILS, True)]
    request = RevocationRequest.objects.get()
    assert (request.application, request.status, request.requested_by) == (failed, RevocationRequestStatus.OPEN,
                                                                            regulator)
    assert failed.documents.filter(kind=DocumentKind.REINSPECTION_RECORD).count() == 1


def test_the_public_follows_the_check_by_its_status_alone(at, rectifying, regulator, officer):
    steps = [
        ("rectify", (2024, 10, 1), lambda: None),
        ("failed", (2024, 10, 11), lambda: fails(rectifying, regulator)),
        ("revoked", (2024, 10, 14), lambda: services.application_revoke(application=rectifying, actor=officer,
                                                                         reason="核查不实，撤销许可。")),
    ]
    shown = {}
    for step, day, act in steps:
        with at(*day):
            act()
            html, data = public_page(rectifying), public_api(rectifying)
        assert_nothing_personal(html)
        assert_nothing_personal(str(data))
        assert data["inspection"]["label"] in html
        shown[step] = (data["inspection"]["status"], data["inspection"]["label"], data["inspection"]["rectify_due"])
    assert shown == {
        "rectify": ("rectify", "限期整改（整改期限2024年10月10日）", "2024-10-10"),
        "failed": ("failed", "承诺不实，已提请撤销许可", None),
        "revoked": ("failed", "承诺不实，许可已撤销", None),
    }


def test_a_false_commitment_ends_in_revocation_a_credit_record_and_the_ordinary_procedure(
        at, failed, commitment_item, enterprise, applicant_user, officer):
    desk = signed_in(officer).get(reverse("officer-desk")).content.decode()
    assert failed.number in desk and "核查不实，提请撤销（1）" in desk and STILL in desk

    draft = page(officer, failed)
    assert "测试行业主管部门" in draft and "整改期满仍不符合" in draft  # the request beside the revoke form
    with at(2024, 10, 14):
        response = signed_in(officer).post(reverse("web-application-revoke", args=[failed.number]),
                                           {"reason": "经核查承诺不实，整改期满仍不符合，撤销许可。", "credit_reason": ""})
    assert response.status_code == 302

    failed.refresh_from_db()
    assert failed.status == Status.REVOKED
    assert failed.documents.filter(kind=DocumentKind.REVOCATION).count() == 1
    record = CreditRecord.objects.get(applicant=enterprise)
    assert (record.application, record.reason, record.recorded_by) == (failed, CreditReason.FALSE_COMMITMENT, officer)
    request = RevocationRequest.objects.get()
    assert (request.status, request.closed_by) == (RevocationRequestStatus.REVOKED, officer)
    assert "核查不实，提请撤销（0）" in signed_in(officer).get(reverse("officer-desk")).content.decode()
    assert "撤销行政许可决定书" in page(applicant_user, failed)

    with at(2024, 10, 15):
        again = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert again.route == Route.ORDINARY
    assert "第九条" in again.events.first().reason


def test_closing_the_request_a_second_time_changes_nothing(at, failed, officer):
    with at(2024, 10, 14):
        services.application_revoke(application=failed, actor=officer, reason="核查不实，撤销许可。")
    closed = RevocationRequest.objects.get()
    with at(2024, 10, 20):
        assert supervision_services.revocation_request_close(application=failed, actor=officer) is None
    again = RevocationRequest.objects.get()
    assert (again.status, again.closed_at, again.closed_by) == (closed.status, closed.closed_at, closed.closed_by)
    assert CreditRecord.objects.count() == 1
