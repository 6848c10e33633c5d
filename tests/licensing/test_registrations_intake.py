"""双告知 intake (issue 16): the business registration system posts a registration, signed like the webhooks and
with its own token; the portal matches the 经营范围, tells each department concerned through the push pipeline,
and the departments acknowledge (接收反馈).

Requests are signed for real with standardwebhooks; records are delivered by the outbox's own task, run twice.
"""
import datetime as dt
import html
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from licensing.constants import ApplicantKind, ReformMode, RegistrationChange
from licensing.models import Applicant, Item, Registration, RegistrationItem, RegistrationSender
from licensing.selectors.registrations import sender_for_token
from licensing.services.registrations import registration_receive, registration_sender_create
from notices.constants import RecordKind
from notices.models import OutboxRecord
from notices.tasks import outbox_deliver
from portal.constants import OrgKind
from portal.exceptions import InvalidInput
from supervision.models import InboxRecord
from tests.factories import ApplicantFactory, OrganisationFactory, valid_uscc

pytestmark = pytest.mark.django_db

LIST = reverse("registration-list")
HOTEL_SCOPE = "许可项目：住宿服务；餐饮服务。一般项目：会议及展览服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
USCC = valid_uscc("好客旅馆")


@pytest.fixture
def registry():
    """The city's registration system, as `registration_sender_create` makes it: (sender, token)."""
    return registration_sender_create(name="钦州市市场监督管理局登记系统")


def an_event(**changes) -> dict:
    return {"event_id": "REG-2024-0001", "change": "new", "uscc": USCC, "name": "钦州市好客旅馆有限公司",
            "scope": HOTEL_SCOPE, "address": "钦州市钦南区扬帆大道1号", "legal_representative": "陈一",
            "registered_on": "2024-10-14", "email": "boss@haoke.example.cn", **changes}


def signed(secret: str, body: bytes, *, msg_id="msg_reg_1", at=None) -> dict:
    """The Standard Webhooks headers, as the registry signs: id.timestamp.body with its whsec_ secret."""
    seconds = int((at or timezone.now()).timestamp())
    signature = Webhook(secret).sign(msg_id, dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc), body)
    return {"HTTP_WEBHOOK_ID": msg_id, "HTTP_WEBHOOK_TIMESTAMP": str(seconds), "HTTP_WEBHOOK_SIGNATURE": signature}


def post(client, registry, event=None, *, body=None, token=None, secret=None, **headers):
    sender, real_token = registry
    body = body if body is not None else json.dumps(event or an_event(), ensure_ascii=False).encode("utf-8")
    sent = {"HTTP_AUTHORIZATION": f"Bearer {token or real_token}", **signed(secret or sender.secret, body), **headers}
    return client.post(LIST, data=body, content_type="application/json", **sent)


def detail(client, registry, event_id="REG-2024-0001"):
    return client.get(reverse("registration-detail", args=[event_id]), HTTP_AUTHORIZATION=f"Bearer {registry[1]}")


def deliver_twice() -> list[bool]:
    """Every 告知 delivered by the outbox task, each run twice: the first delivers, the second does nothing."""
    return [outbox_deliver(pk) for pk in OutboxRecord.objects.order_by("id").values_list("pk", flat=True)
            for _ in range(2)]


def stored() -> tuple:
    return (Registration.objects.count(), RegistrationItem.objects.count(), Applicant.objects.count(),
            OutboxRecord.objects.count())


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- done when: hotel accommodation → item 13, a 告知 in the regulator's inbox, acknowledged ---------------------

def test_a_hotel_registration_tells_the_regulator_of_item_13_who_acknowledges_it_and_the_registry_sees_it(
        client, login, registry, commitment_item, regulator):
    answer = post(client, registry)
    assert answer.status_code == 201, answer.content
    codes = {i["code"]: i for i in answer.json()["items"]}
    assert codes["QZ-013"]["name"] == "旅馆业特种行业许可证核发"
    assert codes["QZ-013"]["reform_mode"] == ReformMode.COMMITMENT and "住宿服务" in codes["QZ-013"]["words"]
    registration = Registration.objects.get()
    assert registration.items.filter(item__seq_no=13, reform_mode=ReformMode.COMMITMENT).exists()
    assert regulator.organisation.name in {d["name"] for d in answer.json()["departments"]}

    delivered = deliver_twice()
    assert delivered[0::2] == [True] * (len(delivered) // 2) and not any(delivered[1::2])
    record = InboxRecord.objects.get(organisation=regulator.organisation)
    assert (record.kind, record.registration, record.application, record.applicant_name) == (
        RecordKind.REGISTRATION_NOTICE, registration, None, "钦州市好客旅馆有限公司")
    assert [i["code"] for i in record.payload["data"]["items"]] == ["QZ-013"]  # this department's items only

    client = login(regulator)
    inbox = text(client.get(reverse("supervision-inbox")))
    assert "登记告知（双告知）" in inbox and "钦州市好客旅馆有限公司" in inbox and USCC in inbox
    page = text(client.get(reverse("supervision-inbox-record", args=[record.pk])))
    assert "旅馆业特种行业许可证核发" in page and "实行告知承诺" in page and USCC in page and "未签收" in page
    acknowledged = client.post(reverse("supervision-inbox-ack", args=[record.pk]), follow=True)
    assert "已签收钦州市好客旅馆有限公司的登记告知（双告知）。" in text(acknowledged)
    record.refresh_from_db()
    assert record.acknowledged_at is not None and record.acknowledged_by == regulator

    client.logout()
    shown = detail(client, registry)
    assert shown.status_code == 200
    departments = {d["name"]: d for d in shown.json()["departments"]}
    mine = departments[regulator.organisation.name]
    assert mine["acknowledged"] is True and mine["acknowledged_at"] is not None and mine["delivered_at"] is not None
    assert not any(d["acknowledged"] for name, d in departments.items() if name != regulator.organisation.name)


def test_each_department_concerned_gets_one_notice_with_its_own_items(client, registry, commitment_item, regulator):
    post(client, registry)
    deliver_twice()
    items_by_org = {r.organisation.name: sorted(i["code"] for i in r.payload["data"]["items"])
                    for r in InboxRecord.objects.select_related("organisation")}
    police = Item.objects.get(seq_no=13).authorities.get().organisation.name
    assert items_by_org[police] == ["QZ-013"] and items_by_org[regulator.organisation.name] == ["QZ-013"]
    # item 59 has deciders at three levels: the city's is told (licensing.selectors.registrations)
    assert "QZ-059" in items_by_org["市行政审批局"]
    data = InboxRecord.objects.filter(organisation=regulator.organisation).get().payload["data"]
    assert data["registration"]["uscc"] == USCC and data["sender"] == "钦州市市场监督管理局登记系统"
    assert data["items"][0]["reform_mode_label"] == "实行告知承诺"


def test_the_regulator_can_read_the_notice_through_the_inbox_api(client, login, registry, commitment_item, regulator):
    post(client, registry)
    deliver_twice()
    client = login(regulator)
    [row] = client.get(reverse("inbox-list"), {"kind": "registration.notice"}).json()["results"]
    assert row["application"] is None and row["applicant"] == "钦州市好客旅馆有限公司" and row["item"] == ""
    assert client.post(reverse("inbox-ack", args=[row["id"]])).json()["acknowledged_at"] is not None


# --- one event, one registration -----------------------------------------------------------------------

def test_the_same_event_twice_is_one_registration_and_one_notice_per_department(
        client, registry, commitment_item, django_capture_on_commit_callbacks):
    first = post(client, registry)
    before = stored()
    with django_capture_on_commit_callbacks() as queued:
        again = post(client, registry)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stored() == before and Registration.objects.count() == 1
    assert queued == []  # no delivery and no mail queued again
    deliver_twice()
    departments = len(first.json()["departments"])
    assert InboxRecord.objects.count() == departments == OutboxRecord.objects.count()


def test_the_same_event_id_with_other_content_is_a_conflict(client, registry, commitment_item):
    post(client, registry)
    before = stored()
    answer = post(client, registry, an_event(name="钦州市另一家旅馆有限公司"))
    assert answer.status_code == 409
    assert "REG-2024-0001" in answer.json()["detail"] and "name" in answer.json()["detail"]
    assert stored() == before


# --- bad input: 400, nothing stored ------------------------------------------------------------------------

def test_a_code_failing_its_check_character_is_refused_and_nothing_is_stored(client, registry, commitment_item):
    wrong = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    before = stored()
    answer = post(client, registry, an_event(uscc=wrong))
    assert answer.status_code == 400
    assert answer.json()["field"] == "uscc" and "校验位" in answer.json()["detail"]
    assert stored() == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"scope": ""}, "scope"), ({"scope": "  "}, "scope"), ({"scope": "住" * 2001}, "scope"),
    ({"name": ""}, "name"), ({"registered_on": "2024-13-01"}, "registered_on"), ({"event_id": "a/b"}, "event_id"),
    ({"change": "closed"}, "change"), ({"email": "not-an-address"}, "email"),
])
def test_bad_fields_are_refused_by_name_and_nothing_is_stored(client, registry, commitment_item, changes, field):
    before = stored()
    answer = post(client, registry, an_event(**changes))
    assert answer.status_code == 400 and answer.json()["field"] == field, answer.content
    assert stored() == before


def test_an_event_that_does_not_say_its_change_is_a_new_registration_and_sending_it_again_is_no_conflict(
        registry, commitment_item):
    """The intake's service as the demo and other callers use it, without the API's defaults."""
    event = {key: value for key, value in an_event(registered_on=dt.date(2024, 10, 14)).items() if key != "change"}
    registration, created = registration_receive(sender=registry[0], event=event)
    again, created_again = registration_receive(sender=registry[0], event=event)
    assert (created, created_again, again) == (True, False, registration)
    registration.refresh_from_db()
    assert registration.change == RegistrationChange.NEW and registration.get_change_display() == "设立登记"


def test_the_service_refuses_an_unknown_change_by_name_and_stores_nothing(registry, commitment_item):
    before = stored()
    with pytest.raises(InvalidInput) as refused:
        registration_receive(sender=registry[0], event=an_event(change="closed", registered_on=dt.date(2024, 10, 14)))
    assert refused.value.field == "change" and "new 或 changed" in refused.value.message
    assert stored() == before


def test_a_signed_body_that_is_not_json_is_the_projects_400(client, registry):
    answer = post(client, registry, body="{not json".encode())
    assert answer.status_code == 400 and "JSON" in answer.json()["detail"]
    assert stored() == (0, 0, Applicant.objects.count(), 0)


# --- who may post and read ---------------------------------------------------------------------------------

def _stale(client, registry):
    sender, token = registry
    body = json.dumps(an_event()).encode()
    old = signed(sender.secret, body, at=timezone.now() - dt.timedelta(minutes=6))
    return client.post(LIST, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **old)


def _inactive(client, registry):
    RegistrationSender.objects.filter(pk=registry[0].pk).update(active=False)
    return post(client, registry)


REFUSALS = {
    "no token": lambda c, r: post(c, r, HTTP_AUTHORIZATION=""),
    "a user's token": lambda c, r: post(c, r, HTTP_AUTHORIZATION="Token 0123456789abcdef"),
    "an unknown token": lambda c, r: post(c, r, token="not-the-token"),
    "another secret": lambda c, r: post(c, r, secret="whsec_" + "QUJD" * 8),
    "no signature": lambda c, r: post(c, r, HTTP_WEBHOOK_SIGNATURE=""),
    "a body changed after signing": lambda c, r: c.post(
        LIST, data=json.dumps(an_event(name="改过的名称")).encode(), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {r[1]}", **signed(r[0].secret, json.dumps(an_event()).encode())),
    "a stale signature": _stale,
    "an inactive sender": _inactive,
}


@pytest.mark.parametrize("how", REFUSALS)
def test_a_bad_token_or_signature_is_401_with_a_reason_and_nothing_is_stored(client, registry, commitment_item, how):
    before = stored()
    answer = REFUSALS[how](client, registry)
    assert answer.status_code == 401, answer.content
    assert answer.json()["detail"] and answer["WWW-Authenticate"].startswith("Bearer")
    assert stored() == before
    if how == "an inactive sender":
        assert "停用" in answer.json()["detail"]


def test_a_signed_in_user_is_not_a_sender(client, login, registry, regulator):
    login(regulator)
    assert client.post(LIST, data=b"{}", content_type="application/json").status_code == 401
    assert client.get(reverse("registration-detail", args=["REG-2024-0001"])).status_code == 401


def test_another_sender_cannot_read_the_registration(client, registry, commitment_item):
    post(client, registry)
    other = registration_sender_create(name="钦州港片区登记系统")
    assert detail(client, other).status_code == 404
    assert detail(client, registry).status_code == 200
    assert detail(client, registry, "REG-unknown").status_code == 404


def test_the_sender_is_marked_as_used(client, registry, commitment_item):
    assert registry[0].last_used_at is None
    post(client, registry)
    registry[0].refresh_from_db()
    assert registry[0].last_used_at is not None


# --- the registration fills in what the applicant would type again -------------------------------------------

def test_a_new_enterprise_is_registered_as_an_applicant_from_the_registry(client, registry, commitment_item):
    post(client, registry)
    applicant = Applicant.objects.get(identifier=USCC)
    assert (applicant.kind, applicant.name, applicant.address, applicant.legal_representative) == (
        ApplicantKind.ENTERPRISE, "钦州市好客旅馆有限公司", "钦州市钦南区扬帆大道1号", "陈一")
    assert Registration.objects.get().applicant == applicant


def test_a_known_enterprise_is_brought_up_to_date_by_a_change_registration(client, registry, commitment_item):
    known = ApplicantFactory(kind=ApplicantKind.ENTERPRISE, identifier=USCC, name="钦州市好客旅社", address="旧址",
                             legal_representative="旧代表", phone="0777-1234567")
    post(client, registry, an_event(change="changed", event_id="REG-2024-0002"))
    known.refresh_from_db()
    assert (known.name, known.address, known.legal_representative, known.phone) == (
        "钦州市好客旅馆有限公司", "钦州市钦南区扬帆大道1号", "陈一", "0777-1234567")
    assert Applicant.objects.filter(identifier=USCC).count() == 1


# --- senders -------------------------------------------------------------------------------------------------

def test_the_command_creates_a_sender_and_prints_its_token_and_secret_once(db):
    out = io.StringIO()
    call_command("registration_sender_create", "--name", "钦州市市场监督管理局登记系统", stdout=out)
    lines = out.getvalue().splitlines()
    token, secret = lines[2], lines[4]
    sender = sender_for_token(token)
    assert sender.name == "钦州市市场监督管理局登记系统" and sender.secret == secret and secret.startswith("whsec_")
    assert token not in sender.token_sha256 and len(sender.token_sha256) == 64


def test_the_command_refuses_an_unknown_organisation(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("registration_sender_create", "--name", "某系统", "--organisation", "NO-SUCH", stdout=io.StringIO())
    assert not RegistrationSender.objects.exists()


def test_the_admin_shows_the_token_when_adding_a_sender_and_never_again(client, login, admin_user):
    organisation = OrganisationFactory(kind=OrgKind.REGULATOR, name="钦州市市场监督管理局")
    client = login(admin_user)
    added = client.post(reverse("admin:licensing_registrationsender_add"),
                        {"name": "钦州市市场监督管理局登记系统", "organisation": organisation.pk}, follow=True)
    sender = RegistrationSender.objects.get()
    shown = text(added)
    token = shown.split("令牌（Authorization: Bearer）：")[1].split("\u3000")[0].strip()
    assert sender_for_token(token) == sender and sender.secret in shown
    change = text(client.get(reverse("admin:licensing_registrationsender_change", args=[sender.pk])))
    assert token not in change and sender.secret not in change and sender.secret[-4:] in change


# --- the push pipeline's watchers know a 告知 is about no application --------------------------------------------

def test_the_sla_page_and_the_due_soon_warning_name_the_enterprise_of_a_notice(
        client, login, at, settings, registry, commitment_item, admin_user, mailoutbox):
    from notices.sla import outbox_warn_due_soon

    settings.OUTBOX_ALERT_EMAILS = ["ops@zzfl.qinzhou.example.gov.cn"]
    with at(2024, 10, 14, 9):
        assert post(client, registry).status_code == 201
    with at(2024, 10, 16, 10):
        page = text(login(admin_user).get(reverse("records-sla")))
        assert outbox_warn_due_soon() == 1
    assert page.count("钦州市好客旅馆有限公司") == 2 * OutboxRecord.objects.count()  # "due soon" and "undelivered"
    assert "登记告知（双告知）：钦州市好客旅馆有限公司" in mailoutbox[0].body


def test_the_service_takes_the_registration_date_as_text_too_and_refuses_one_that_is_not_a_date(
        registry, commitment_item):
    """A caller without the API's serializer (the demo, a command) may pass 登记日期 as its YYYY-MM-DD text."""
    registration, created = registration_receive(sender=registry[0], event=an_event(registered_on="2024-10-14"))
    assert created and Registration.objects.get(pk=registration.pk).registered_on == dt.date(2024, 10, 14)
    before = stored()
    with pytest.raises(InvalidInput) as refused:
        registration_receive(sender=registry[0], event=an_event(event_id="REG-2024-0002", registered_on="2024-13-40"))
    assert refused.value.field == "registered_on" and "YYYY-MM-DD" in refused.value.message
    assert stored() == before


def test_the_regulators_inbox_filtered_by_an_item_finds_the_notices_of_registrations_that_need_it(
        client, login, registry, commitment_item, regulator):
    post(client, registry)
    deliver_twice()
    client = login(regulator)
    by_hotel = text(client.get(reverse("supervision-inbox"), {"item": "qz-013"}))
    by_other = text(client.get(reverse("supervision-inbox"), {"item": "QZ-001"}))
    assert "钦州市好客旅馆有限公司" in by_hotel and "登记告知（双告知）" in by_hotel
    assert "钦州市好客旅馆有限公司" not in by_other
