"""Admins add regulators' endpoints, rotate their secrets and re-send dead records (issue 9).

A new secret is shown once, to the admin who made it; nobody reads it again, in the pages or the
audit trail.
"""
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from notices.constants import Destination, OutboxStatus, RecordKind
from notices.endpoints import endpoint_add
from notices.models import OutboxRecord, RegulatorEndpoint
from portal.constants import Role
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = "admin:notices_regulatorendpoint_changelist"
RECORDS = "admin:notices_outboxrecord_changelist"


@pytest.fixture
def regulator_org(commitment_item):
    return commitment_item.regulator_routes.get().regulator


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_push_endpoint_add_prints_a_new_secret_and_adds_the_endpoint(regulator_org):
    out = io.StringIO()
    call_command("push_endpoint_add", regulator_org.code, "https://regulator.example.org/records", stdout=out)

    endpoint = RegulatorEndpoint.objects.get(organisation=regulator_org)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("whsec_") and secret == endpoint.secret and endpoint.active
    assert endpoint.url == "https://regulator.example.org/records"
    details = AuditEvent.objects.get(action=AuditAction.ENDPOINT_CHANGE).details
    assert secret not in str(details) and details["secret"].endswith(secret[-4:])


@pytest.mark.parametrize(("code", "url", "message"), [
    ("NO-SUCH-ORG", "https://regulator.example.org/records", "没有机构代码"),
    (None, "ftp://regulator.example.org/records", "https://"),
    (None, "不是网址", "https://"),
])
def test_push_endpoint_add_refuses_an_unknown_organisation_or_a_bad_url_in_chinese(regulator_org, code, url, message):
    with pytest.raises(CommandError, match=message):
        call_command("push_endpoint_add", code or regulator_org.code, url, stdout=io.StringIO())
    assert not RegulatorEndpoint.objects.exists()


def test_an_organisation_has_one_active_endpoint_at_a_time(regulator_org):
    endpoint_add(organisation=regulator_org, url="https://a.example.org/", actor=None)

    with pytest.raises(CommandError, match="已有启用的接收接口"):
        call_command("push_endpoint_add", regulator_org.code, "https://b.example.org/", stdout=io.StringIO())
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        RegulatorEndpoint.objects.create(organisation=regulator_org, url="https://c.example.org/", secret="whsec_x")
    assert RegulatorEndpoint.objects.count() == 1


def test_the_admin_adds_an_endpoint_and_sees_its_secret_once(login, admin_user, regulator_org):
    client = login(admin_user)
    response = client.post(reverse("admin:notices_regulatorendpoint_add"),
                           {"organisation": regulator_org.pk, "url": "https://regulator.example.org/records"},
                           follow=True)

    endpoint = RegulatorEndpoint.objects.get(organisation=regulator_org)
    assert any(endpoint.secret in message for message in shown(response))
    for again in (reverse(ENDPOINTS), reverse("admin:notices_regulatorendpoint_change", args=[endpoint.pk])):
        page = client.get(again).content.decode()
        assert endpoint.secret not in page and endpoint.secret[-4:] in page
    assert endpoint.secret not in str(list(AuditEvent.objects.values_list("details", flat=True)))
    assert AuditEvent.objects.filter(action=AuditAction.ENDPOINT_CHANGE, actor=admin_user).exists()


def test_the_admin_is_told_in_chinese_why_an_endpoint_cannot_be_added(login, admin_user, regulator_org):
    endpoint_add(organisation=regulator_org, url="https://a.example.org/", actor=None)
    client = login(admin_user)

    response = client.post(reverse("admin:notices_regulatorendpoint_add"),
                           {"organisation": regulator_org.pk, "url": "https://b.example.org/"})

    assert response.status_code == 200 and "已有启用的接收接口" in response.content.decode()
    assert RegulatorEndpoint.objects.count() == 1


def test_the_admin_rotates_a_secret_and_sees_the_new_one_once(login, admin_user, regulator_org):
    endpoint, old = endpoint_add(organisation=regulator_org, url="https://a.example.org/", actor=None)
    client = login(admin_user)

    response = client.post(reverse(ENDPOINTS), {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
                           follow=True)

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old and endpoint.rotated_at
    assert any(endpoint.secret in message for message in shown(response))
    assert endpoint.secret not in client.get(reverse(ENDPOINTS)).content.decode()


def test_the_admin_resends_dead_records_and_skips_the_others(login, admin_user, regulator_org, officer):
    endpoint_add(organisation=regulator_org, url="https://a.example.org/", actor=None)
    application = ApplicationFactory(decided=True, officer=officer)
    records = OutboxRecord.objects.filter(application=application, kind=RecordKind.DECIDED)
    records.filter(destination=Destination.WEBHOOK).update(status=OutboxStatus.DEAD, attempts=25, last_error="HTTP 500")
    client = login(admin_user)

    response = client.post(reverse(RECORDS), {"action": "resend", "_selected_action": [r.pk for r in records]},
                           follow=True)

    dead_one = records.get(destination=Destination.WEBHOOK)
    assert (dead_one.status, dead_one.attempts) == (OutboxStatus.PENDING, 0)
    assert records.get(destination=Destination.INBOX).status == OutboxStatus.PENDING
    assert "已重新推送1条记录。" in shown(response) and any("1条记录不是" in m for m in shown(response))
    assert client.get(reverse(RECORDS), {"q": application.number}).content.decode().count(application.number) >= 2


@pytest.mark.parametrize("persona", ["officer", "regulator", "clerk", "anonymous"])
def test_only_admins_reach_the_endpoint_admin(request, client, login, persona, regulator_org):
    if persona != "anonymous":
        login(request.getfixturevalue(persona))

    response = client.get(reverse(ENDPOINTS))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_can_neither_see_nor_add_endpoints(login, regulator_org):
    staff = UserFactory(role=Role.ADMIN, is_staff=True)
    client = login(staff)
    assert client.get(reverse(ENDPOINTS)).status_code == 403
    assert client.post(reverse("admin:notices_regulatorendpoint_add"),
                       {"organisation": regulator_org.pk, "url": "https://a.example.org/"}).status_code == 403

    staff.user_permissions.add(Permission.objects.get(codename="view_regulatorendpoint"))
    endpoint, secret = endpoint_add(organisation=regulator_org, url="https://a.example.org/", actor=None)
    client.post(reverse(ENDPOINTS), {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret == secret  # viewing is not rotating


@pytest.mark.parametrize("junk", ["钦" + "A" * 2100, "x1", "1\x00", "99999999999999999999", "[{" * 100])
def test_junk_in_the_add_form_gets_a_chinese_refusal_never_a_server_error(login, admin_user, regulator_org, junk):
    client = login(admin_user)
    client.raise_request_exception = False
    add = reverse("admin:notices_regulatorendpoint_add")

    for response in (client.get(add, {"organisation": junk, "url": junk}),
                     client.post(add, {"organisation": junk, "url": "https://a.example.org/"}),
                     client.post(add, {"organisation": regulator_org.pk, "url": junk})):
        assert response.status_code < 500
    assert not RegulatorEndpoint.objects.exists()
