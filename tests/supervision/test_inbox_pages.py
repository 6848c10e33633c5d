"""The regulator's inbox in the portal (issue 9): 监管收件箱, one record with its commitment, and 签收.

Records arrive the real way: decisions and revocations made through licensing's services write
the outbox, and notices.outbox.outbox_deliver delivers them into the inbox.
"""
import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from licensing.constants import COMMITMENT_CONFIRMATIONS, CommitmentKind
from portal.masking import mask_identifier
from supervision.models import InboxRecord
from supervision.services import inbox_acknowledge
from tests.conftest import pass_second_factor
from tests.factories import ApplicationFactory
from tests.supervision.inbox_world import decided, deliver_all

pytestmark = pytest.mark.django_db

INBOX = reverse("supervision-inbox")


def record_page(record):
    return reverse("supervision-inbox-record", args=[record.pk])


def ack_url(record):
    return reverse("supervision-inbox-ack", args=[record.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_inbox_lists_unacknowledged_records_first_clearly_marked(login, at, regulator, commitment_item):
    with at(2024, 10, 8, 9):
        older = decided(commitment_item)
    with at(2024, 10, 9, 9):
        newer = decided(commitment_item)
    inbox_acknowledge(record=newer, actor=regulator)
    page = text(login(regulator).get(INBOX))
    rows = [row for row in page.split("<tr")[1:] if "QZ-013" in row]
    assert [older.application.number in rows[0], newer.application.number in rows[1]] == [True, True]
    assert "未签收" in rows[0] and "已签收" not in rows[0] and "行政许可决定" in rows[0]
    assert "已签收" in rows[1] and older.applicant_name in rows[0]
    assert "共 1 条未签收" in page


def test_the_inbox_filters_by_kind_and_acknowledgement(login, regulator, commitment_item):
    revoked = ApplicationFactory(revoked=True, item=commitment_item)
    deliver_all()
    granted = decided(commitment_item)
    inbox_acknowledge(record=granted, actor=regulator)
    client = login(regulator)
    only_revocations = text(client.get(INBOX, {"kind": "approval.revoked"}))
    assert revoked.number in only_revocations and granted.application.number not in only_revocations
    acknowledged = text(client.get(INBOX, {"acknowledged": "true"}))
    assert granted.application.number in acknowledged and revoked.number not in acknowledged


def test_a_bad_filter_is_answered_400_with_its_reason(login, regulator, commitment_item):
    decided(commitment_item)
    response = login(regulator).get(INBOX, {"since": "garbage"})
    assert response.status_code == 400
    assert "起始时间应为 ISO 8601 日期或时间" in text(response)


def test_a_record_opens_with_the_decision_the_licence_and_the_full_commitment(login, regulator, commitment_item):
    record = decided(commitment_item)
    application = record.application
    page = text(login(regulator).get(record_page(record)))
    for confirmation in COMMITMENT_CONFIRMATIONS:
        assert confirmation in page
    assert page.count("已确认") == 7
    assert "已具备许可条件" in page and "张三" in page  # kind and signatory
    later = application.materials.get(material__name="安全设施说明")
    assert "安全设施说明" in page and f"{later.due_date.year}年{later.due_date.month}月{later.due_date.day}日" in page
    assert application.licence.number in page and "准予许可" in page
    assert application.applicant.name in page
    assert mask_identifier(application.applicant.identifier) in page
    assert application.applicant.identifier not in page  # shown to regulators masked, as everywhere
    for document in application.documents.all():
        assert document.number in page
        assert f"{reverse('verify')}?code={document.verification_code}" in page


def test_a_commitment_to_meet_the_conditions_later_shows_by_when(login, regulator, commitment_item):
    meet_by = dt.date.today() + dt.timedelta(days=40)
    record = decided(commitment_item, kind=CommitmentKind.WILL_MEET, meet_by=meet_by)
    page = text(login(regulator).get(record_page(record)))
    assert "承诺在约定期限内具备许可条件" in page
    assert f"{meet_by.year}年{meet_by.month}月{meet_by.day}日 前具备许可条件" in page


def test_acknowledging_on_the_page_needs_the_csrf_token_and_comes_back_with_a_message(regulator, commitment_item):
    record = decided(commitment_item)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(regulator)
    pass_second_factor(browser, regulator)
    assert browser.post(ack_url(record)).status_code == 403  # no token: refused, nothing signed
    record.refresh_from_db()
    assert record.acknowledged_at is None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(browser.get(record_page(record)))).group(1)
    response = browser.post(ack_url(record), {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain[-1][0] == record_page(record)
    page = text(response)
    assert f"已签收办件 {record.application.number} 的行政许可决定记录" in page
    record.refresh_from_db()
    assert record.acknowledged_by == regulator and record.acknowledged_at is not None
    assert 'action="' + ack_url(record) not in page  # no second button


def test_acknowledging_again_keeps_the_first_and_says_so(login, at, regulator, commitment_item):
    record = decided(commitment_item)
    with at(2024, 10, 14, 9):
        login(regulator).post(ack_url(record))
    with at(2024, 10, 15, 9):
        page = text(login(regulator).post(ack_url(record), follow=True))
    assert "该记录已于 2024-10-14 09:00" in page
    record.refresh_from_db()
    assert record.acknowledged_at == dt.datetime(2024, 10, 14, 1, tzinfo=dt.UTC)


def test_the_regulator_of_another_organisation_is_told_the_record_does_not_exist(login, other_regulator,
                                                                                commitment_item, regulator):
    record = decided(commitment_item)
    client = login(other_regulator)
    assert client.get(INBOX).status_code == 200
    assert record.application.number not in text(client.get(INBOX))
    assert client.get(record_page(record)).status_code == 404
    assert client.post(ack_url(record)).status_code == 404
    assert InboxRecord.objects.get(pk=record.pk).acknowledged_at is None


@pytest.mark.parametrize("persona", ["applicant_user", "clerk", "admin_user"])
def test_the_inbox_is_for_regulators_and_officers_only(request, login, persona, commitment_item, regulator):
    record = decided(commitment_item)
    client = login(request.getfixturevalue(persona))
    for response in (client.get(INBOX), client.get(record_page(record)), client.post(ack_url(record))):
        assert response.status_code == 403
    assert InboxRecord.objects.get(pk=record.pk).acknowledged_at is None


def test_visitors_are_sent_to_sign_in(client, commitment_item, regulator):
    record = decided(commitment_item)
    for response in (client.get(INBOX), client.get(record_page(record))):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_navigation_leads_regulators_to_their_inbox_with_the_unacknowledged_count(login, regulator, officer,
                                                                                     commitment_item):
    decided(commitment_item)
    decided(commitment_item)
    page = text(login(regulator).get(reverse("home")))
    assert f'href="{INBOX}"' in page and "2 未签收" in page
    assert f'href="{INBOX}"' in text(login(officer).get(reverse("home")))  # its own inbox, no record of the regulator's
    assert "未签收" not in text(login(officer).get(reverse("home")))


def test_the_approving_authority_reads_the_revocation_of_what_it_approved_and_nothing_else(
        login, officer, regulator, commitment_item, enterprise, applicant_user):
    ApplicationFactory(revoked=True, item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                       reason="核查发现承诺不实")
    deliver_all()
    regulators_copy = InboxRecord.objects.get(organisation=regulator.organisation, kind="approval.revoked")
    [own] = InboxRecord.objects.filter(organisation=officer.organisation)
    assert own.kind == "approval.revoked" and own.key != regulators_copy.key
    client = login(officer)
    listed = text(client.get(INBOX))
    assert own.application.number in listed
    assert client.get(record_page(own)).status_code == 200
    assert client.get(record_page(regulators_copy)).status_code == 404
