"""The audit trail (issue 4): who did what, when, from where, to which object, with what
outcome; admins search and export it; nobody changes or deletes it."""
import csv
import io
import logging

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from licensing.models import ApplicationEvent
from notices.models import Document
from notices.services import document_prepare_pdf
from portal import audit
from portal.audit.masking import MaskIdentifiersFilter
from portal.models import AuditAction, AuditEvent, Organisation
from portal.models.audit import AuditImmutable
from tests.factories import TEST_PASSWORD, commitment_application, valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db


def rows(action):
    return AuditEvent.objects.filter(action=action)


# --- sign-in ----------------------------------------------------------------------------------
def test_a_sign_in_is_recorded_with_who_and_from_where(client, applicant_user):
    client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD},
                REMOTE_ADDR="10.1.2.3")
    row = rows(AuditAction.LOGIN).get()
    assert (row.actor, row.role, row.ip_address, row.outcome) == (applicant_user, "applicant", "10.1.2.3", "success")
    assert row.actor_display == "张三"


def test_a_failed_sign_in_is_recorded_with_an_id_number_masked(client):
    id_number = valid_id_number()
    client.post(reverse("login"), {"username": id_number, "password": "wrong-password"})
    row = rows(AuditAction.LOGIN_FAILED).get()
    assert row.outcome == "failed" and row.actor is None
    assert row.details["username"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert id_number not in str(row.details)


def test_signing_out_is_recorded(login, applicant_user):
    login(applicant_user).post(reverse("logout"))
    assert rows(AuditAction.LOGOUT).get().actor == applicant_user


# --- refusals ---------------------------------------------------------------------------------
def test_a_refused_page_is_recorded_as_denied(login, applicant_user):
    response = login(applicant_user).get(reverse("window-desk"))
    assert response.status_code == 403
    row = rows(AuditAction.PERMISSION_DENIED).get()
    assert (row.actor, row.outcome, row.details["view"], row.details["path"]) == (
        applicant_user, "denied", "window-desk", "/desk/window/")


def test_a_refused_api_call_is_recorded_too(login, enterprise, commitment_item, applicant_user, officer, clerk):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until="committed")
    response = login(applicant_user).post(f"/api/v1/applications/{application.number}/decide/", {},
                                          content_type="application/json")
    assert response.status_code == 403
    row = rows(AuditAction.PERMISSION_DENIED).get()
    assert row.actor == applicant_user and row.details["view_kwargs"]["number"] == application.number


# --- state changes: a whole commitment journey -----------------------------------------------
def test_every_step_of_a_commitment_journey_is_recorded_with_its_actor(enterprise, commitment_item, clerk, officer):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    steps = list(rows(AuditAction.STATE_CHANGE).order_by("id").values_list(
        "actor", "object_type", "object_id", "details__event", "details__to"))
    events = list(ApplicationEvent.objects.filter(application=application).exclude(
        action__in=["submit_material", "replace_material"]).order_by("id"))
    assert steps == [(e.actor_id, "licensing.application", str(application.pk), e.action, e.to_status) for e in events]
    assert {e.actor_id for e in events} == {clerk.pk, officer.pk} and len(events) >= 3


def test_a_state_change_by_a_request_carries_its_address(login, enterprise, commitment_item, clerk, officer):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until="committed")
    response = login(officer).post(f"/api/v1/applications/{application.number}/decide/", {},
                                   content_type="application/json", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200, response.content
    decided = rows(AuditAction.STATE_CHANGE).latest("id")
    assert (decided.actor, decided.ip_address, decided.object_repr) == (officer, "10.9.8.7", application.number)


def test_a_document_download_is_recorded(login, enterprise, commitment_item, clerk, officer, applicant_user):
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until="notice_issued")
    notice = Document.objects.filter(application=application).first()
    # Issue 12: the worker renders the PDFs after issue (the job's own function here); only a PDF
    # served is a download (one not ready yet answers 202 and is not recorded: tests/notices/test_pdf_ahead.py).
    document_prepare_pdf(notice.pk)
    response = login(applicant_user).get(reverse("document-pdf", args=[notice.verification_code]))
    assert response.status_code == 200
    row = rows(AuditAction.DOCUMENT_DOWNLOAD).get()
    assert (row.actor, row.object_type, row.object_id) == (applicant_user, "notices.document", str(notice.pk))


# --- admin edits and exports -----------------------------------------------------------------
def test_an_admin_edit_is_recorded(login, admin_user):
    client = login(admin_user)
    response = client.post(reverse("admin:portal_organisation_add"), {
        "code": "AUDIT01", "name": "钦州市审计测试局", "level": "city", "kind": "authority"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(code="AUDIT01")
    row = rows(AuditAction.ADMIN_ADD).get()
    assert (row.actor, row.object_type, row.object_id, row.object_repr) == (
        admin_user, "portal.organisation", str(organisation.pk), "钦州市审计测试局")


def test_a_catalogue_export_is_recorded(login, admin_user):
    response = login(admin_user).post(reverse("admin:licensing_item_export"), {
        "format": "1", "itemresource_seq_no": "on", "itemresource_name": "on"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    row = rows(AuditAction.EXPORT).get()
    assert (row.actor, row.object_type) == (admin_user, "licensing.item")


def test_admins_search_the_trail_and_export_it_as_csv(login, admin_user, applicant_user, client):
    client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})
    admin = login(admin_user)
    page = admin.get(reverse("admin:portal_auditevent_changelist"), {"q": "张三"}).content.decode()
    assert "张三" in page and "登录" in page

    ids = list(AuditEvent.objects.values_list("pk", flat=True))
    response = admin.post(reverse("admin:portal_auditevent_changelist"),
                          {"action": "export_csv", "_selected_action": ids})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][:3] == ["时间", "操作人名称", "角色"]
    assert any(row[1] == "张三" and row[4] == "登录" for row in table[1:])
    assert rows(AuditAction.EXPORT).filter(actor=admin_user, details__model="portal.auditevent").exists()


def test_a_formula_in_a_cell_is_defused_in_the_csv(login, admin_user):
    audit.write(AuditAction.LOGIN_FAILED, outcome="failed", object_repr="=HYPERLINK(\"http://x\")")
    admin = login(admin_user)
    response = admin.post(reverse("admin:portal_auditevent_changelist"),
                          {"action": "export_csv", "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True))})
    assert "'=HYPERLINK" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_admin_cannot_add_change_or_delete_audit_rows(login, admin_user):
    client = login(admin_user)
    row = AuditEvent.objects.latest("id")
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:portal_auditevent_delete", args=[row.pk])).status_code == 403
    change = client.post(reverse("admin:portal_auditevent_change", args=[row.pk]), {"action": "logout"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(pk=row.pk).action == row.action


# --- nobody changes or deletes it --------------------------------------------------------------
@pytest.fixture
def a_row():
    return audit.write(AuditAction.LOGIN, object_repr="某人")


def test_the_application_cannot_change_an_audit_row(a_row):
    a_row.outcome = "denied"
    with pytest.raises(AuditImmutable):
        a_row.save()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=a_row.pk).update(outcome="denied")
    assert AuditEvent.objects.get(pk=a_row.pk).outcome == "success"


def test_the_application_cannot_delete_an_audit_row(a_row):
    with pytest.raises(AuditImmutable):
        a_row.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=a_row.pk).exists()


def test_the_database_refuses_an_update_whatever_the_caller(a_row):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET outcome = 'denied' WHERE id = %s", [a_row.pk])
    assert AuditEvent.objects.get(pk=a_row.pk).outcome == "success"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has no DELETE trigger: Django's test flush on SQLite is DELETE FROM")
def test_postgresql_refuses_a_delete_whatever_the_caller(a_row):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [a_row.pk])
    assert AuditEvent.objects.filter(pk=a_row.pk).exists()


def test_a_user_with_a_trail_cannot_be_deleted(client, applicant_user):
    client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})
    from django.db.models import ProtectedError
    with pytest.raises(ProtectedError):
        applicant_user.delete()


# --- masking ------------------------------------------------------------------------------------
def test_identifiers_in_details_are_masked(a_row):
    code = valid_uscc()
    row = audit.write(AuditAction.EXPORT, details={"note": f"企业{code}的材料", "codes": [code]},
                      object_repr=f"钦州市某公司（{code}）")
    assert code not in str(row.details) and code not in row.object_repr
    assert row.details["codes"] == [code[:4] + "*" * 10 + code[-4:]]


def test_identifiers_never_reach_the_logs_unmasked(caplog):
    id_number = valid_id_number()
    logger = logging.getLogger("portal.test")
    logger.addFilter(MaskIdentifiersFilter())
    try:
        with caplog.at_level(logging.INFO, logger="portal.test"):
            logger.info("查询申请人 %s 的办件", id_number)
    finally:
        logger.filters.clear()
    assert id_number not in caplog.text and id_number[:4] + "*" * 10 + id_number[-4:] in caplog.text
