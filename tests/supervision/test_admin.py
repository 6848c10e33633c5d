"""Admins read the 诚信档案 and repair credit; applications and applicants are looked up, not edited."""
import pytest
from django.urls import reverse

from licensing.constants import Route
from licensing.services import application_submit
from supervision.constants import CreditReason
from supervision.models import CreditRecord, CreditRepairRule
from supervision.selectors import applicant_barred_from_commitment
from supervision.services import credit_record_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(enterprise):
    return credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.MISSING_MATERIALS, details="逾期未交材料")


def test_a_repaired_applicant_may_commit_again(login, admin_user, record, enterprise, commitment_item, applicant_user):
    # Repair only under a rule an admin opened (附件3 第九条 names none; tests/supervision/test_credit_repair_rule.py).
    CreditRepairRule.objects.update_or_create(reason=CreditReason.MISSING_MATERIALS, defaults={
        "repairable": True, "after_months": 0, "basis": "某信用修复办法第五条（测试）"})
    client = login(admin_user)
    response = client.post(reverse("admin:supervision_creditrecord_changelist"),
                           {"action": "repair", "_selected_action": [record.pk]}, follow=True)
    assert "已完成信用修复" in response.content.decode()
    record.refresh_from_db()
    assert record.repaired_at is not None and "【信用修复】" in record.details
    assert applicant_barred_from_commitment(enterprise) is None
    application = application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert application.route == Route.COMMITMENT


def test_credit_records_cannot_be_edited_or_deleted_in_the_admin(login, admin_user, record):
    client = login(admin_user)
    url = reverse("admin:supervision_creditrecord_change", args=[record.pk])
    client.post(url, {"reason": CreditReason.FALSE_COMMITMENT})
    assert CreditRecord.objects.get(pk=record.pk).reason == CreditReason.MISSING_MATERIALS
    client.post(reverse("admin:supervision_creditrecord_delete", args=[record.pk]), {"post": "yes"})
    assert CreditRecord.objects.filter(pk=record.pk).exists()


def test_the_applicant_list_masks_identifiers_and_finds_by_the_full_code(login, admin_user, enterprise):
    client = login(admin_user)
    url = reverse("admin:licensing_applicant_changelist")
    html = client.get(url).content.decode()
    assert enterprise.masked_identifier in html and enterprise.identifier not in html
    assert enterprise.name in client.get(url, {"q": enterprise.identifier}).content.decode()
    assert enterprise.name not in client.get(url, {"q": enterprise.identifier[:8]}).content.decode()


def test_applications_are_looked_up_with_their_events(login, admin_user, enterprise, commitment_item, applicant_user):
    application = application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    client = login(admin_user)
    html = client.get(reverse("admin:licensing_application_changelist"), {"q": application.number}).content.decode()
    assert application.number in html
    detail = client.get(reverse("admin:licensing_application_change", args=[application.pk])).content.decode()
    assert "submit" in detail
