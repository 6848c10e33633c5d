"""好差评 through the API (issue 15): POST /api/v1/applications/{number}/rating/ and GET /api/v1/ratings/summary/,
answering in the API's one shape (portal.api_errors)."""
import polib
import pytest
from django.test import override_settings

from licensing.constants import RatingLevel
from licensing.models import Rating
from licensing.services.ratings import rating_submit
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def decided(commitment_item, enterprise, applicant_user, officer):
    def make(**options):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  **({"decided": True} | options))
    return make


def post_rating(client, application, body, **headers):
    return client.post(f"{API}/applications/{application.number}/rating/", body, content_type="application/json",
                       **headers)


def test_the_applicant_s_account_rates_and_gets_the_rating_back(decided, login, applicant_user, officer, at):
    with at(2026, 9, 28, 10):
        application = decided()
        response = post_rating(login(applicant_user), application, {"level": 2, "comment": "等待时间长。"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["application"] == application.number
    assert (body["level"], body["level_label"], body["comment"]) == (2, "不满意", "等待时间长。")
    assert body["authority"] == {"code": officer.organisation.code, "name": officer.organisation.name}
    assert body["follow_up_due"] == "2026-10-23" and body["answered_at"] is None and body["answer"] == ""
    assert Rating.objects.get().rated_by == applicant_user


def test_the_detail_lists_rate_until_the_application_is_rated(decided, login, applicant_user):
    application = decided()
    client = login(applicant_user)
    detail = f"{API}/applications/{application.number}/"
    assert "rate" in client.get(detail).json()["allowed_actions"]
    assert post_rating(client, application, {"level": 5}).status_code == 201
    assert "rate" not in client.get(detail).json()["allowed_actions"]


@pytest.mark.parametrize("body", [{"level": 0}, {"level": 6}, {"level": "很好"}, {"level": True}, {"level": None},
                                  {"comment": "没有等级"}, {"level": 3.5}])
def test_a_bad_level_is_400_naming_the_field_and_nothing_is_stored(decided, login, applicant_user, body):
    response = post_rating(login(applicant_user), decided(), body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "level"
    assert "1 到 5" in response.json()["detail"]
    assert not Rating.objects.exists()


def test_a_comment_over_500_characters_is_400(decided, login, applicant_user):
    response = post_rating(login(applicant_user), decided(), {"level": 4, "comment": "长" * 501})
    assert response.status_code == 400 and response.json()["field"] == "comment"
    assert not Rating.objects.exists()


def test_a_second_rating_is_409_and_the_first_stays(decided, login, applicant_user, colleague):
    application = decided()
    assert post_rating(login(applicant_user), application, {"level": 5}).status_code == 201
    response = post_rating(login(colleague), application, {"level": 1, "comment": "改评差评"})
    assert response.status_code == 409
    assert "只能评价一次" in response.json()["detail"]
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_an_application_still_running_is_409(decided, login, applicant_user):
    response = post_rating(login(applicant_user), decided(decided=False, committed=True), {"level": 5})
    assert response.status_code == 409
    assert "办结后" in response.json()["detail"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("other_officer", 404), ("other_regulator", 404),
                                                 ("clerk", 403), ("officer", 403), ("regulator", 403),
                                                 ("admin_user", 403)])
def test_those_who_may_not_rate_are_refused_with_nothing_stored(request, decided, login, persona, status):
    response = post_rating(login(request.getfixturevalue(persona)), decided(), {"level": 1})
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Rating.objects.exists()


def test_an_unknown_number_reads_like_an_application_one_may_not_see(decided, login, outsider):
    client = login(outsider)
    hidden = post_rating(client, decided(), {"level": 1})
    unknown = client.post(f"{API}/applications/QZ1999-999999/rating/", {"level": 1}, content_type="application/json")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


def test_visitors_must_sign_in(client, decided):
    assert post_rating(client, decided(), {"level": 5}).status_code == 401


def test_the_error_follows_accept_language(decided, login, applicant_user, tmp_path):
    from licensing.api_ratings import CHOOSE_LEVEL

    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    catalogue.append(polib.POEntry(msgid=str(CHOOSE_LEVEL), msgstr="level must be a whole number from 1 to 5."))
    catalogue.save_as_mofile(str(folder / "django.mo"))
    client, application = login(applicant_user), decided()
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        english = post_rating(client, application, {"level": 9}, HTTP_ACCEPT_LANGUAGE="en")
        chinese = post_rating(client, application, {"level": 9}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert english.json()["detail"] == "level must be a whole number from 1 to 5."
    assert "评价等级" in chinese.json()["detail"]


# --- the public aggregate -------------------------------------------------------------------------------

def test_the_summary_is_public_and_counts_each_level(client, decided, applicant_user, officer):
    for level in (5, 4, 1, 1):
        rating_submit(application=decided(), actor=applicant_user, level=level, comment="私人意见")
    response = client.get(f"{API}/ratings/summary/")
    assert response.status_code == 200
    body = response.json()
    [authority] = body["authorities"]
    assert authority["name"] == officer.organisation.name and authority["total"] == 4
    assert [(row["level"], row["count"]) for row in authority["levels"]] == [(5, 1), (4, 1), (3, 0), (2, 0), (1, 2)]
    assert (authority["satisfied"], authority["satisfied_share"]) == (2, 0.5)
    assert body["total"]["total"] == 4
    assert "私人意见" not in response.content.decode() and applicant_user.username not in response.content.decode()


def test_the_summary_with_no_ratings_is_empty(client):
    body = client.get(f"{API}/ratings/summary/").json()
    assert body["authorities"] == [] and body["total"]["total"] == 0 and body["total"]["satisfied_share"] == 0.0
    assert [row["level"] for row in body["total"]["levels"]] == [int(level) for level in RatingLevel.values]
