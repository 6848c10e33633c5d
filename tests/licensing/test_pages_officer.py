"""审批工作台 and the officer's buttons: what is due for the officer's authority, and every transition."""
import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import Channel, Route, Status
from licensing.models import Application, Item
from supervision.constants import CreditReason
from supervision.models import CreditRecord
from tests.factories import ApplicationFactory, commitment_application

pytestmark = pytest.mark.django_db


def section(html, anchor):
    """The desk's section with id `anchor`, so a test looks where the officer would."""
    start = html.index(f'<section id="{anchor}">')
    return html[start:html.index("</section>", start)]


def desk_html(client):
    response = client.get(reverse("officer-desk"))
    assert response.status_code == 200
    return response.content.decode()


def submitted(item, applicant, actor, *, wants_commitment=True):
    return services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE,
                                       wants_commitment=wants_commitment)


def journey(item, applicant, actor, officer, until):
    return commitment_application(item=item, applicant=applicant, actor=actor, officer=officer, until=until,
                                  channel=Channel.ONLINE)


def post(client, name, application, data=None, **kwargs):
    return client.post(reverse(name, args=[application.number]), data or {}, **kwargs)


@pytest.fixture
def reviewed_item(commitment_item):
    """Item 13 with a 20-working-day limit entered, for applications that go the ordinary way."""
    commitment_item.statutory_days = 20
    commitment_item.save()
    return commitment_item


# --- who may use it ------------------------------------------------------------------------

def test_only_approval_officers_use_the_officer_desk(client, login, applicant_user, clerk, regulator, officer):
    assert client.get(reverse("officer-desk")).status_code == 302
    for user in (applicant_user, clerk, regulator):
        assert login(user).get(reverse("officer-desk")).status_code == 403
    assert login(officer).get(reverse("officer-desk")).status_code == 200


def test_the_desk_shows_only_the_applications_of_the_officers_authority(
        login, officer, other_officer, enterprise, applicant_user, commitment_item):
    application = submitted(commitment_item, enterprise, applicant_user)

    assert application.number in desk_html(login(officer))
    assert application.number not in desk_html(login(other_officer))


# --- the queues ----------------------------------------------------------------------------

def test_remote_notices_due_are_listed_and_overdue_ones_highlighted(login, officer, enterprise, applicant_user,
                                                                    commitment_item, at):
    with at(2024, 9, 27):
        late = submitted(commitment_item, enterprise, applicant_user)   # due 2024-10-08
    with at(2024, 10, 9):
        on_time = submitted(commitment_item, enterprise, applicant_user)
        notices = section(desk_html(login(officer)), "notices-due")

    assert late.number in notices and on_time.number in notices
    late_row = notices[notices.index(late.number) - 200:notices.index(late.number)]
    assert "late-row" in late_row and "2024年10月8日" in notices
    assert notices.count("已逾期") == 1


def test_commitments_are_listed_to_decide_today_and_yesterdays_flagged_late(login, officer, enterprise, applicant_user,
                                                                            commitment_item, at):
    with at(2024, 10, 9):
        yesterday = journey(commitment_item, enterprise, applicant_user, officer, "committed")
    with at(2024, 10, 10, 9):
        today = journey(commitment_item, enterprise, applicant_user, officer, "committed")
        to_decide = section(desk_html(login(officer)), "to-decide")

    assert today.number in to_decide and yesterday.number in to_decide
    assert to_decide.count("未在承诺当日决定，已逾期") == 1


def test_ordinary_reviews_show_their_decision_date_and_overdue_ones(login, officer, enterprise, applicant_user,
                                                                   reviewed_item, at):
    with at(2024, 9, 2):
        application = submitted(reviewed_item, enterprise, applicant_user, wants_commitment=False)
        due = services.application_accept(application=application, actor=officer).decision_due
    with at(due.year, due.month, due.day):
        on_the_day = section(desk_html(login(officer)), "under-review")
    with at(2024, 10, 9):
        after = section(desk_html(login(officer)), "under-review")

    assert application.number in on_the_day and f"{due.year}年{due.month}月{due.day}日" in on_the_day
    assert "已超过承诺办结时限" not in on_the_day and "已超过承诺办结时限" in after


def test_later_materials_and_inspections_are_running_deadlines_on_the_desk(login, officer, enterprise, applicant_user,
                                                                          commitment_item, at):
    with at(2024, 10, 10):
        application = journey(commitment_item, enterprise, applicant_user, officer, "approved")
        html = desk_html(login(officer))

    assert application.number in section(html, "materials-due") and "2024年11月6日" in section(html, "materials-due")
    assert application.number in section(html, "inspections-due") and "2024年12月10日" in section(html, "inspections-due")


# --- the buttons ---------------------------------------------------------------------------

def test_issuing_the_notice_from_the_desk_goes_back_to_the_desk(login, officer, enterprise, applicant_user,
                                                               commitment_item):
    application = submitted(commitment_item, enterprise, applicant_user)
    response = post(login(officer), "web-application-issue-notice", application, {"next": reverse("officer-desk")})

    assert response.status_code == 302 and response.url == reverse("officer-desk")
    assert Application.objects.get(pk=application.pk).status == Status.NOTICE_ISSUED


def test_a_next_address_off_the_site_is_ignored(login, officer, enterprise, applicant_user, commitment_item):
    application = submitted(commitment_item, enterprise, applicant_user)
    response = post(login(officer), "web-application-issue-notice", application, {"next": "https://evil.example/"})
    assert response.url == reverse("web-application-detail", args=[application.number])


def test_a_notice_for_an_item_with_incomplete_content_says_exactly_what_the_admin_must_fill_in(
        login, enterprise, applicant_user):
    incomplete = Item.objects.get(seq_no=14)
    application = submitted(incomplete, enterprise, applicant_user)
    from tests.factories import UserFactory
    officer_14 = UserFactory(role="officer", organisation=incomplete.authorities.first().organisation)
    client = login(officer_14)

    page = client.get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert "该事项的告知内容不完整，暂不能出具告知书" in page and "申请材料（名称、提交方式和期限）" in page

    response = post(client, "web-application-issue-notice", application)
    assert response.status_code == 409
    assert f"事项“{incomplete.name}”的告知内容不完整，请管理员先在事项目录中补充" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_the_officer_decides_a_commitment_and_the_licence_is_issued(login, officer, enterprise, applicant_user,
                                                                    commitment_item):
    application = journey(commitment_item, enterprise, applicant_user, officer, "committed")
    response = post(login(officer), "web-application-decide", application, follow=True)

    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.licence.number
    assert "已作出准予许可决定" in response.content.decode()


def test_deciding_twice_shows_the_conflict_and_changes_nothing(login, officer, enterprise, applicant_user,
                                                               commitment_item):
    application = journey(commitment_item, enterprise, applicant_user, officer, "approved")
    events = application.events.count()
    response = post(login(officer), "web-application-decide", application)

    assert response.status_code == 409
    assert "办件当前状态为“准予许可”，不能进行此操作" in response.content.decode()
    assert application.events.count() == events


def test_accept_then_approve_an_ordinary_application(login, officer, enterprise, applicant_user, reviewed_item):
    application = submitted(reviewed_item, enterprise, applicant_user, wants_commitment=False)
    client = login(officer)
    post(client, "web-application-accept", application)
    assert Application.objects.get(pk=application.pk).decision_due is not None

    post(client, "web-application-approve", application)
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_a_correction_request_without_a_reason_is_refused_beside_the_field(login, officer, enterprise, applicant_user,
                                                                           reviewed_item):
    application = ApplicationFactory(accepted=True, item=reviewed_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    response = post(login(officer), "web-application-request-correction", application, {"reason": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert html.index("请写明需要补正的内容") > html.index('id="correction_reason"')
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_a_correction_pauses_the_clock_and_the_applicant_resubmits(login, officer, enterprise, applicant_user,
                                                                   reviewed_item):
    application = ApplicationFactory(accepted=True, item=reviewed_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    post(login(officer), "web-application-request-correction", application, {"reason": "请补充消防验收意见书"})
    assert Application.objects.get(pk=application.pk).status == Status.CORRECTION

    applicant_page = login(applicant_user).get(reverse("web-application-detail", args=[application.number]))
    assert "请补充消防验收意见书" in applicant_page.content.decode() and "补正期间暂停计时" in applicant_page.content.decode()
    post(login(applicant_user), "web-application-resubmit", application)
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_rejecting_needs_a_reason_and_issues_the_refusal(login, officer, enterprise, applicant_user, reviewed_item):
    application = ApplicationFactory(accepted=True, item=reviewed_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    client = login(officer)

    assert "不予许可须说明理由" in post(client, "web-application-reject", application, {"reason": ""}).content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED

    post(client, "web-application-reject", application, {"reason": "经营场所不符合消防要求"})
    application.refresh_from_db()
    assert application.status == Status.REJECTED and application.documents.filter(kind="rejection").exists()


def test_revoking_with_a_credit_reason_records_it_and_bars_the_applicant_from_committing(
        login, officer, enterprise, applicant_user, commitment_item):
    application = journey(commitment_item, enterprise, applicant_user, officer, "approved")
    post(login(officer), "web-application-revoke", application,
         {"reason": "核查发现承诺不实", "credit_reason": CreditReason.FALSE_COMMITMENT})

    assert Application.objects.get(pk=application.pk).status == Status.REVOKED
    assert CreditRecord.objects.filter(applicant=enterprise, reason=CreditReason.FALSE_COMMITMENT).exists()
    apply_page = login(applicant_user).get(reverse("apply", args=[commitment_item.code])).content.decode()
    assert "不再适用告知承诺" in apply_page


def test_revoking_without_a_reason_changes_nothing(login, officer, enterprise, applicant_user, commitment_item):
    application = journey(commitment_item, enterprise, applicant_user, officer, "approved")
    response = post(login(officer), "web-application-revoke", application, {"reason": "", "credit_reason": ""})

    assert response.status_code == 400 and "撤销许可须说明理由" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    assert not CreditRecord.objects.exists()


def test_ordinary_applications_of_a_commitment_item_offer_accept_not_notice(login, officer, enterprise, applicant_user,
                                                                            reviewed_item):
    application = submitted(reviewed_item, enterprise, applicant_user, wants_commitment=False)
    assert application.route == Route.ORDINARY
    html = login(officer).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert reverse("web-application-accept", args=[application.number]) in html
    assert reverse("web-application-issue-notice", args=[application.number]) not in html
