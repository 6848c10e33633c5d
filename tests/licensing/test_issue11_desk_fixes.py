"""Three fixes from the visual review of issue 11: the desk's queue of notices in the post, the public
progress of a filing found untrue, and the link to 办理时效（电子监察） beside the SLA's.

附件3 第三条: "申请单位（人）收到行政审批部门的告知书，愿意作出承诺的，应当在收到告知书后3个工作日内，将经签章的
告知承诺书当面递交或者邮寄给行政审批部门" — by post the 3 working days start on the 送达回证's date, which the
officer enters; until then the application is on the desk of the authority that acts on it now.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing import services
from licensing.constants import Channel, Status
from licensing.selectors import officer_queues
from portal.constants import Role
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

IN_POST = "notices-in-post"
SLA, EFFICIENCY = reverse("records-sla"), reverse("records-efficiency")


def posted_notice(item, applicant, officer, at, day=14):
    """Applied for by letter; the notice went out by post on 2024-10-`day`."""
    with at(2024, 10, day):
        return ApplicationFactory(item=item, applicant=applicant, officer=officer, channel=Channel.MAIL,
                                  notice_issued=True)


def desk(client) -> str:
    response = client.get(reverse("officer-desk"))
    assert response.status_code == 200
    return response.content.decode()


def section(html, anchor):
    start = html.index(f'<section id="{anchor}">')
    return html[start:html.index("</section>", start)]


def in_post(user) -> list:
    return [a.number for a in officer_queues(user).notices_in_post]


# --- 1. 待登记告知书送达 ------------------------------------------------------------------------------

def test_a_posted_notice_without_its_receipt_waits_on_the_acting_officers_desk(
        commitment_item, enterprise, officer, login, at):
    """附件3 第三条 "收到告知书后3个工作日内": until the 送达回证's date is entered the clock has not started,
    so the desk lists the notice, with the days since it was issued and a link to enter the date."""
    posted = posted_notice(commitment_item, enterprise, officer, at)
    with at(2024, 10, 21, 9):
        html = section(desk(login(officer)), IN_POST)
    assert posted.number in html and "2024年10月14日" in html and "已出具 7 天" in html
    assert reverse("web-application-detail", args=[posted.number]) + "#officer" in html


def test_the_oldest_notice_comes_first_and_a_notice_online_is_not_waiting(
        commitment_item, enterprise, applicant_user, officer, at):
    """附件3 第三条: online the notice is received when issued (nothing to enter); by post, oldest first."""
    later = posted_notice(commitment_item, enterprise, officer, at, day=16)
    earlier = posted_notice(commitment_item, enterprise, officer, at, day=14)
    with at(2024, 10, 14):
        online = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                    channel=Channel.ONLINE, notice_issued=True)
    assert online.status == Status.NOTICE_ISSUED
    assert in_post(officer) == [earlier.number, later.number]


def test_once_the_receipt_is_entered_the_notice_leaves_the_queue(commitment_item, enterprise, officer, login, at):
    """附件3 第三条: with the 送达回证's date entered the commitment's 3 working days run; nothing left to enter."""
    posted = posted_notice(commitment_item, enterprise, officer, at)
    with at(2024, 10, 16, 15):
        services.application_record_notice_receipt(application=posted, actor=officer,
                                                   received_on=dt.date(2024, 10, 16))
        assert posted.number not in section(desk(login(officer)), IN_POST)
    assert in_post(officer) == []


def test_another_authority_does_not_see_the_notice(commitment_item, enterprise, officer, other_officer, login, at):
    """谁审批、谁负责: the queue is the acting authority's (licensing.selectors.authorities.acting_q) alone."""
    posted = posted_notice(commitment_item, enterprise, officer, at)
    assert in_post(other_officer) == []
    with at(2024, 10, 21, 9):
        assert posted.number not in desk(login(other_officer))


def test_the_desk_reads_the_queue_in_the_same_number_of_queries_however_many(
        commitment_item, applicant_user, officer, login, at):
    """One desk, a fixed number of queries (no query per row)."""
    def one_more():
        return posted_notice(commitment_item, ApplicantFactory(members=[applicant_user]), officer, at)

    one_more()
    client = login(officer)
    with at(2024, 10, 21, 9):
        with CaptureQueriesContext(connection) as one:
            desk(client)
    one_more()
    one_more()
    with at(2024, 10, 21, 9):
        with CaptureQueriesContext(connection) as three:
            response = client.get(reverse("officer-desk"))
    assert len(response.context["queues"].notices_in_post) == 3
    assert len(three) == len(one)


# --- 2. a filing found untrue is not settled ---------------------------------------------------------

@pytest.fixture
def filed(enterprise, applicant_user, at):
    with at(2024, 10, 14):
        return ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)


def progress(client, application) -> str:
    response = client.post(reverse("progress"), {"number": application.number, "code": application.query_code})
    assert response.status_code == 200
    return response.content.decode()


def test_a_filing_found_untrue_shows_its_correction_date_and_no_closing_date(filed, client, at):
    """钦政发〔2019〕20号 二（四）: "对未按规定备案或备案信息不实的企业…采取措施予以纠正" — until corrected
    the filing is not settled: no 办结日期, and the date it must be corrected by."""
    assert "办结日期" in progress(client, filed)  # a filing is settled when made
    regulator = UserFactory(role=Role.REGULATOR, organisation=filed.regulator)
    with at(2024, 10, 21):
        services.application_mark_filing_untrue(application=filed, actor=regulator, findings="经营场所地址与实际不符。",
                                                correct_by=dt.date(2024, 11, 15))
        text = progress(client, filed)
    assert "备案信息不实，待改正" in text
    assert "办结日期" not in text and "改正期限：2024年11月15日" in text
    api = client.get(f"/api/v1/progress/{filed.number}/", {"code": filed.query_code}).json()  # the same rule
    assert (api["status"], api["closed_at"], api["correct_by"]) == ("filing_correction", None, "2024-11-15")


def test_once_corrected_the_filing_is_settled_again(filed, applicant_user, client, at):
    """钦政发〔2019〕20号 二（四）: corrected, the filing stands again; no correction date is left to show."""
    regulator = UserFactory(role=Role.REGULATOR, organisation=filed.regulator)
    with at(2024, 10, 21):
        services.application_mark_filing_untrue(application=filed, actor=regulator, findings="经营场所地址与实际不符。",
                                                correct_by=dt.date(2024, 11, 15))
    with at(2024, 10, 28):
        services.application_correct_filing(application=filed, actor=applicant_user, details="经营场所已更正。")
        text = progress(client, filed)
    assert "办结日期" in text and "改正期限：" not in text


# --- 3. 办理时效（电子监察） beside 审批信息推送时效 -------------------------------------------------------

def test_the_officer_desk_links_to_the_efficiency_page_beside_the_sla(login, officer):
    """Issue 11: "The push issue's SLA view and this view belong together" — the same people reach both."""
    html = desk(login(officer))
    assert SLA in html and EFFICIENCY in html


def test_the_admin_index_links_to_the_efficiency_page_beside_the_sla(login, admin_user):
    """The admin watches both (notices.view_outbox_sla); its index links to each."""
    html = login(admin_user).get(reverse("admin:index")).content.decode()
    assert SLA in html and EFFICIENCY in html


def test_an_applicant_sees_neither_link(login, applicant_user):
    """Only those who watch the SLA (admins and approval officers) are shown the links."""
    client = login(applicant_user)
    for name in ("home", "my-applications"):
        html = client.get(reverse(name)).content.decode()
        assert SLA not in html and EFFICIENCY not in html
    assert client.get(reverse("officer-desk")).status_code == 403
