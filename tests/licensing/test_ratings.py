"""好差评 (issue 15): the applicant rates an ended application once; a poor rating is answered by the rated
authority within 15 working days, the answer mailed to the rater in the rater's language and shown on the
application page; overdue follow-ups show on the authority's desk and in the quarterly figures; the public sees
each authority's ratings in aggregate only.
"""
import datetime as dt

import polib
import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from licensing.constants import RatingLevel, ReformMode, Status
from licensing.models import Item, Rating
from licensing.reports.figures import department_figures
from licensing.reports.periods import Quarter
from licensing.selectors import application_allowed_actions
from licensing.selectors import ratings as selectors
from licensing.services import application_mark_filing_untrue
from licensing.services.ratings import rating_answer, rating_submit
from portal import calendar
from portal.constants import Role
from portal.exceptions import Conflict, InvalidInput, NotAllowed
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, route_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(commitment_item, enterprise, applicant_user, officer):
    """Item 13 of the enterprise, decided on the spot by the officer's authority: it has ended."""
    def make():
        return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  decided=True)
    return make


def rate(application, user, level=RatingLevel.DISSATISFIED, comment="窗口排队时间过长。"):
    return rating_submit(application=application, actor=user, level=int(level), comment=comment)


def fresh(application):
    application.refresh_from_db()
    return application


# --- when, by whom, how often --------------------------------------------------------------------------

def test_an_application_still_running_is_not_offered_for_rating_and_is_refused(
        commitment_item, enterprise, applicant_user, officer):
    running = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                 committed=True)
    assert "rate" not in application_allowed_actions(running, applicant_user)
    with pytest.raises(Conflict, match="办结后才能评价"):
        rate(running, applicant_user)
    assert not Rating.objects.exists()


def test_a_filing_waiting_for_its_correction_has_not_ended(enterprise, applicant_user, regulator):
    item = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(item, regulator.organisation)
    filed = ApplicationFactory(item=item, applicant=enterprise, actor=applicant_user)
    assert "rate" in application_allowed_actions(filed, applicant_user)
    untrue = application_mark_filing_untrue(application=filed, actor=regulator, findings="经营场所与备案不符。",
                                            correct_by=dt.date.today() + dt.timedelta(days=10))
    assert untrue.status == Status.FILING_CORRECTION
    assert "rate" not in application_allowed_actions(fresh(untrue), applicant_user)


def test_only_the_applicant_s_accounts_are_offered_the_rating(decided, applicant_user, colleague, clerk, officer,
                                                              regulator, admin_user):
    application = decided()
    offered = {user.username for user in (applicant_user, colleague, clerk, officer, regulator, admin_user)
               if "rate" in application_allowed_actions(application, user)}
    assert offered == {applicant_user.username, colleague.username}


@pytest.mark.parametrize("persona", ["outsider", "clerk", "officer", "other_officer", "admin_user"])
def test_anyone_but_the_applicant_s_accounts_is_refused_by_the_service(request, decided, persona):
    application = decided()
    with pytest.raises(NotAllowed):
        rate(application, request.getfixturevalue(persona))
    assert not Rating.objects.exists()


def test_rating_twice_keeps_the_first_rating(decided, applicant_user, colleague):
    application = decided()
    first = rate(application, applicant_user, RatingLevel.VERY_SATISFIED, "办理很快。")
    with pytest.raises(Conflict, match="只能评价一次"):
        rate(application, colleague, RatingLevel.VERY_DISSATISFIED, "")
    assert list(Rating.objects.values_list("pk", "level")) == [(first.pk, 5)]
    assert "rate" not in application_allowed_actions(fresh(application), applicant_user)


def test_the_form_posted_twice_stores_one_rating_and_says_why_the_second_is_refused(decided, login, applicant_user):
    application = decided()
    client = login(applicant_user)
    url = reverse("web-application-rate", args=[application.number])
    first = client.post(url, {"level": "4", "comment": "满意。"})
    assert first.status_code == 302 and first["Location"].endswith(f"/applications/{application.number}/#rating")
    second = client.post(url, {"level": "1", "comment": "再评一次。"})
    assert second.status_code == 409
    assert "只能评价一次" in second.content.decode()
    assert list(Rating.objects.values_list("level", "comment")) == [(4, "满意。")]


@pytest.mark.parametrize("level", [0, 6, -1, True, "5", None, 2.5])
def test_a_level_outside_1_to_5_is_refused_and_nothing_is_stored(decided, applicant_user, level):
    application = decided()
    with pytest.raises(InvalidInput) as refused:
        rating_submit(application=application, actor=applicant_user, level=level, comment="")
    assert refused.value.field == "level"
    assert not Rating.objects.exists()


def test_a_comment_over_500_characters_is_refused(decided, applicant_user):
    with pytest.raises(InvalidInput) as refused:
        rate(decided(), applicant_user, RatingLevel.SATISFIED, "慢" * 501)
    assert refused.value.field == "comment"
    assert not Rating.objects.exists()


def test_the_rating_concerns_the_authority_that_decided(decided, applicant_user, officer):
    rating = rate(decided(), applicant_user)
    assert rating.organisation == officer.organisation
    assert rating.rated_by == applicant_user


# --- the follow-up of a poor rating ---------------------------------------------------------------------

def test_a_poor_rating_is_due_15_working_days_later_counted_across_the_national_day(decided, applicant_user, at):
    """Rated on Monday 28 September 2026: 中秋 (25–27 Sep) is past, 国庆 (1–7 Oct) is off and Saturday 10 October is a
    make-up working day, so the 15th working day after is Friday 23 October, not Monday 19 October as weekdays
    alone would give."""
    with at(2026, 9, 28, 10):
        application = decided()
        rating = rate(application, applicant_user, RatingLevel.VERY_DISSATISFIED)
    assert rating.follow_up_due == dt.date(2026, 10, 23)
    assert calendar.working_days_between(dt.date(2026, 9, 28), rating.follow_up_due) == 15
    assert rating.follow_up_due != _weekdays_after(dt.date(2026, 9, 28), 15)


def _weekdays_after(day, n):
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


@pytest.mark.parametrize("level", [RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED])
def test_a_poor_rating_opens_a_follow_up_for_the_rated_authority(decided, applicant_user, officer, level):
    rating = rate(decided(), applicant_user, level)
    assert rating.follow_up_due is not None
    assert list(selectors.follow_ups_open(officer.organisation_id)) == [rating]


@pytest.mark.parametrize("level", [RatingLevel.FAIRLY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.VERY_SATISFIED])
def test_a_rating_of_3_to_5_opens_no_follow_up(decided, applicant_user, officer, level):
    rating = rate(decided(), applicant_user, level)
    assert rating.follow_up_due is None
    assert not selectors.follow_ups_open(officer.organisation_id).exists()
    with pytest.raises(Conflict, match="需要整改反馈"):
        rating_answer(rating=rating, actor=officer, answer="谢谢。")


def test_the_follow_ups_come_earliest_due_first(commitment_item, applicant_user, officer, at):
    made = []
    for day in (5, 2, 3):
        with at(2026, 3, day, 10):
            application = ApplicationFactory(item=commitment_item, actor=applicant_user, officer=officer,
                                             applicant=_enterprise_of(applicant_user), decided=True)
            made.append(rate(application, applicant_user, RatingLevel.DISSATISFIED))
    shown = list(selectors.follow_ups_open(officer.organisation_id))
    assert shown == sorted(made, key=lambda r: r.follow_up_due)
    assert [r.follow_up_due for r in shown] == sorted(r.follow_up_due for r in made)


def _enterprise_of(user):
    from tests.factories import ApplicantFactory

    return ApplicantFactory(members=[user])


def test_an_overdue_follow_up_is_marked_on_the_authority_s_desk(decided, applicant_user, officer, login, at):
    with at(2026, 9, 28, 10):
        rating = rate(decided(), applicant_user, RatingLevel.VERY_DISSATISFIED, "材料被退回三次。")
    with at(2026, 10, 23, 16):  # the due day itself: not yet late
        client = login(officer)
        page = client.get(reverse("rating-follow-ups")).content.decode()
        assert f'id="rating-{rating.pk}" class=""' in page
        assert selectors.follow_ups_overdue_count(officer.organisation_id) == 0
        assert "ratings-entry" in client.get(reverse("officer-desk")).content.decode()
    with at(2026, 10, 26, 9):  # Monday after: overdue
        client = login(officer)
        page = client.get(reverse("rating-follow-ups")).content.decode()
        assert f'id="rating-{rating.pk}" class="late-row"' in page and "已逾期" in page
        assert "材料被退回三次。" in page
        desk = client.get(reverse("officer-desk")).content.decode()
        assert "逾期 1" in desk and reverse("rating-follow-ups") in desk


def test_another_authority_sees_no_follow_up_and_may_not_answer(decided, applicant_user, other_officer, login):
    rating = rate(decided(), applicant_user)
    client = login(other_officer)
    assert f"rating-{rating.pk}" not in client.get(reverse("rating-follow-ups")).content.decode()
    response = client.post(reverse("rating-answer", args=[rating.pk]), {"answer": "已整改。"})
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        rating_answer(rating=rating, actor=other_officer, answer="已整改。")
    assert Rating.objects.get().answered_at is None


def test_the_answer_is_given_once(decided, applicant_user, officer):
    rating = rate(decided(), applicant_user)
    rating_answer(rating=rating, actor=officer, answer="已核实，优化了窗口排班。")
    with pytest.raises(Conflict, match="不能再次反馈"):
        rating_answer(rating=rating, actor=officer, answer="再答一次。")
    assert Rating.objects.get().answer == "已核实，优化了窗口排班。"


def test_an_empty_answer_comes_back_with_its_error_tied_to_the_field(decided, applicant_user, officer, login):
    rating = rate(decided(), applicant_user)
    response = login(officer).post(reverse("rating-answer", args=[rating.pk]), {"answer": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    field = f"answer{rating.pk}_answer"
    assert f'aria-describedby="{field}_help {field}_error"' in html and 'aria-invalid="true"' in html
    assert f'id="{field}_error"' in html and "请填写整改反馈" in html
    assert Rating.objects.get().answered_at is None


def test_the_answer_shows_on_the_application_page(decided, applicant_user, officer, login,
                                                 django_capture_on_commit_callbacks):
    application = decided()
    rating = rate(application, applicant_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(officer).post(reverse("rating-answer", args=[rating.pk]), {"answer": "已核实，优化了窗口排班。"})
    assert response.status_code == 302 and response["Location"] == reverse("rating-follow-ups")
    page = login(applicant_user).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert 'id="rating"' in page and "已核实，优化了窗口排班。" in page and "窗口排队时间过长。" in page


# --- the answer by mail ------------------------------------------------------------------------------------

ENGLISH = {
    "【好差评整改反馈】%(item)s（办件编号 %(number)s）": "[Rating follow-up] %(item)s (application %(number)s)",
    "本邮件由系统自动发送，请勿回复。": "This e-mail was sent automatically; please do not reply.",
}


@pytest.fixture
def english_catalogue(tmp_path):
    """An English catalogue holding the mail's subject and closing line, in a locale directory of this test's
    own (LOCALE_PATHS comes first), so the test reads the language the mail was written in."""
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for msgid, msgstr in ENGLISH.items():
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    catalogue.save_as_mofile(str(folder / "django.mo"))
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        yield


def _answered(application, rater, officer, capture):
    rating = rate(application, rater)
    with capture(execute=True):
        rating_answer(rating=rating, actor=officer, answer="已核实，优化了窗口排班。")
    return rating


@pytest.mark.usefixtures("english_catalogue")
def test_the_answer_is_mailed_to_the_rater_in_the_rater_s_language(
        decided, applicant_user, colleague, officer, django_capture_on_commit_callbacks):
    applicant_user.email, applicant_user.language = "zhang@example.com", "en"
    applicant_user.save()
    colleague.email, colleague.language = "li@example.com", ""
    colleague.save()
    english = decided()
    _answered(english, applicant_user, officer, django_capture_on_commit_callbacks)
    chinese = decided()
    _answered(chinese, colleague, officer, django_capture_on_commit_callbacks)
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"zhang@example.com", "li@example.com"}
    to_english, to_chinese = sent["zhang@example.com"], sent["li@example.com"]
    assert to_english.subject.startswith("[Rating follow-up]") and english.number in to_english.subject
    assert "please do not reply" in to_english.body and "已核实，优化了窗口排班。" in to_english.body
    assert to_chinese.subject.startswith("【好差评整改反馈】") and chinese.number in to_chinese.subject
    assert "请勿回复" in to_chinese.body and f"/applications/{chinese.number}/#rating" in to_chinese.body


def test_no_mail_leaves_before_the_answer_is_committed(decided, applicant_user, officer,
                                                        django_capture_on_commit_callbacks):
    applicant_user.email = "zhang@example.com"
    applicant_user.save()
    rating = rate(decided(), applicant_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rating_answer(rating=rating, actor=officer, answer="已核实。")
    assert mail.outbox == [] and len(callbacks) == 1


# --- the rating form -------------------------------------------------------------------------------------

def test_the_application_page_offers_the_form_to_the_applicant_s_account_only(decided, login, applicant_user, clerk):
    application = decided()
    form_url = reverse("web-application-rate", args=[application.number])
    page = reverse("web-application-detail", args=[application.number])
    assert form_url in login(applicant_user).get(page).content.decode()
    assert form_url not in login(clerk).get(page).content.decode()
    assert login(clerk).get(form_url).status_code == 403


def test_the_form_has_five_levels_in_a_fieldset_with_a_legend(decided, login, applicant_user):
    application = decided()
    html = login(applicant_user).get(reverse("web-application-rate", args=[application.number])).content.decode()
    assert "<fieldset" in html and "<legend>" in html
    assert html.count('type="radio" name="level"') == 5
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{label}</label>" in html


def test_a_form_without_a_level_comes_back_with_the_error_tied_to_the_levels(decided, login, applicant_user):
    application = decided()
    response = login(applicant_user).post(reverse("web-application-rate", args=[application.number]),
                                          {"comment": "没选等级。"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="rating_level_error"' in html and 'id="rating_level_error"' in html
    assert "请选择评价等级" in html and "没选等级。" in html  # what was typed stays
    assert not Rating.objects.exists()


def test_an_outsider_is_told_the_application_does_not_exist(decided, login, outsider):
    application = decided()
    url = reverse("web-application-rate", args=[application.number])
    assert login(outsider).get(url).status_code == 404
    assert login(outsider).post(url, {"level": "1"}).status_code == 404
    assert not Rating.objects.exists()


# --- in public ---------------------------------------------------------------------------------------------

def _rated(application, user, level, comment=""):
    return rate(application, user, level, comment)


def test_the_aggregate_counts_each_level_per_authority_in_one_query(
        commitment_item, applicant_user, officer, django_assert_num_queries):
    other = OrganisationFactory(name="钦州市测试审批局")
    for level in (5, 5, 4, 3, 2, 1):
        _rated(ApplicationFactory(item=commitment_item, applicant=_enterprise_of(applicant_user),
                                  actor=applicant_user, officer=officer, decided=True), applicant_user, level)
    elsewhere = ApplicationFactory(item=commitment_item, applicant=_enterprise_of(applicant_user),
                                   actor=applicant_user, officer=officer, decided=True)
    Rating.objects.filter(pk=_rated(elsewhere, applicant_user, 1).pk).update(organisation=other)
    with django_assert_num_queries(1):
        summary = {a.name: a for a in selectors.rating_summary()}
    mine = summary[officer.organisation.name]
    assert mine.counts == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}
    assert (mine.total, mine.satisfied, mine.satisfied_share) == (6, 4, 0.6667)
    assert summary[other.name].counts == {5: 0, 4: 0, 3: 0, 2: 0, 1: 1}
    assert summary[other.name].satisfied_share == 0.0
    totals = selectors.rating_totals(list(summary.values()))
    assert (totals.total, totals.satisfied) == (7, 4)


def test_the_public_page_shows_counts_and_shares_but_no_rater_or_comment(client, decided, applicant_user):
    _rated(decided(), applicant_user, RatingLevel.VERY_DISSATISFIED, "经办人员态度差。")
    _rated(decided(), applicant_user, RatingLevel.SATISFIED, "还行。")
    response = client.get(reverse("ratings-public"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and '<th scope="row">' in html and "50.0%" in html
    for private in ("经办人员态度差。", "还行。", applicant_user.full_name, applicant_user.username):
        assert private not in html


# --- the quarterly figures ------------------------------------------------------------------------------

def test_the_quarter_counts_poor_ratings_and_the_follow_ups_overdue_at_its_end(decided, applicant_user, officer, at):
    with at(2026, 9, 28, 10):
        overdue = rate(decided(), applicant_user, RatingLevel.VERY_DISSATISFIED)  # due 23 Oct
        rate(decided(), applicant_user, RatingLevel.VERY_SATISFIED)
    with at(2026, 12, 1, 10):
        answered_late = rate(decided(), applicant_user, RatingLevel.DISSATISFIED)  # due 22 Dec
    with at(2026, 12, 28, 10):
        rating_answer(rating=answered_late, actor=officer, answer="已整改。")
    with at(2027, 1, 4, 10):
        figures = department_figures(officer.organisation, Quarter(2026, 4))
    assert figures["ratings"] == {"rated": 1, "poor": 1, "answered": 1, "answered_late": 1, "open_at_end": 1,
                                  "overdue_at_end": 1}
    assert overdue.answered_at is None
    third = department_figures(officer.organisation, Quarter(2026, 3))["ratings"]
    assert (third["rated"], third["poor"], third["open_at_end"], third["overdue_at_end"]) == (2, 1, 1, 0)


def test_an_applicant_account_not_acting_for_the_applicant_is_offered_no_rating(decided):
    stranger = UserFactory(role=Role.APPLICANT)
    assert "rate" not in application_allowed_actions(decided(), stranger)


# --- two at once ---------------------------------------------------------------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL row locks; SQLite serialises all writers, so there is no race to test")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_accounts_rating_at_the_same_moment_make_one_rating(decided, applicant_user, colleague):
    """The enterprise's two accounts press 提交评价 at once: the application's row lock queues them; one rating."""
    from tests.licensing.test_concurrency import at_once

    application = decided()
    raters = [applicant_user, colleague]
    results = at_once(2, lambda i: rate(application, raters[i], RatingLevel.DISSATISFIED - i))
    made = [r for r in results if isinstance(r, Rating)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(made), len(refused)) == (1, 1), results
    assert list(Rating.objects.values_list("pk", flat=True)) == [made[0].pk]
