"""Licensing in English (issue 15): its pages read in English with the gazette's texts kept in Chinese and
marked lang="zh-Hans" (items with their English gloss beside them), a form's errors in English, the API's
refusals in the language of Accept-Language, and the Chinese pages as they were.

english_leftovers (tests/i18n_checks.py) is the Chinese an English reader would still meet outside the parts
marked as Chinese; every page here is read whole, header and footer included.
"""
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.constants import Channel
from licensing.models import Item
from licensing import tasks
from tests.factories import TEST_PASSWORD, commitment_application, valid_uscc
from tests.i18n_checks import english_leftovers
from tests.licensing.test_conditions_step import run, will_meet  # noqa: F401  (a fixture: licensed on a promise)

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
HOTEL_GLOSS = "Special trade licence for hotels"  # item 13, licensing/data/item_glosses_en.json


def in_english(client):
    client.cookies[COOKIE] = "en"
    return client


@pytest.fixture(autouse=True)
def _names_in_latin_letters(applicant_user, officer, clerk, outsider):
    """People who read the portal in English, named so: the header shows the signed-in person by name, a
    name the portal keeps as it was written (the header is the portal app's, tests/portal/test_i18n.py)."""
    for user, name in ((applicant_user, "Zhang San"), (officer, "Officer Li"), (clerk, "Clerk Wang"),
                       (outsider, "Wang Wu")):
        user.full_name = name
        user.save(update_fields=["full_name"])


def read(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def assert_english(html):
    assert '<html lang="en"' in html
    assert english_leftovers(html) == []


def online(item, applicant, actor, officer, until="notice_issued"):
    return commitment_application(item=item, applicant=applicant, actor=actor, officer=officer, until=until,
                                  channel=Channel.ONLINE)


# --- the gazette's items: glosses ---------------------------------------------------------------------------

def test_every_item_of_the_catalogue_has_an_english_gloss_from_the_data_migration():
    assert not Item.objects.filter(name_en="").exists()
    assert Item.objects.get(code="QZ-013").name_en == HOTEL_GLOSS


# --- public pages -------------------------------------------------------------------------------------------

def test_the_catalogue_reads_in_english_with_each_name_in_chinese_and_its_gloss(client):
    html = read(in_english(client).get(reverse("catalogue")))

    assert_english(html)
    assert f'<span lang="zh-Hans">旅馆业特种行业许可证核发</span> <span class="gloss">({HOTEL_GLOSS})</span>' in html
    assert "items found." in html


def test_a_catalogue_search_reads_in_english_and_is_not_served_from_the_chinese_cache(client):
    chinese = read(client.get(reverse("catalogue"), {"q": "旅馆"}))
    english = read(in_english(client).get(reverse("catalogue"), {"q": "旅馆"}))

    assert "共找到" in chinese and HOTEL_GLOSS not in chinese
    assert_english(english)
    assert HOTEL_GLOSS in english


def test_the_guide_of_a_commitment_item_reads_in_english(client, commitment_item):
    html = read(in_english(client).get(reverse("item-guide", args=[commitment_item.code])))

    assert_english(html)
    assert "This item uses notify and commit." in html
    assert f"<title>{HOTEL_GLOSS}: guide" in html  # a title cannot mark a part of itself as Chinese
    assert '<dd><span lang="zh-Hans">测试用法律依据条款</span></dd>' in html  # the admin's legal basis, as written


def test_the_progress_lookup_reads_in_english(client, commitment_item, enterprise, applicant_user, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)

    html = read(in_english(client).post(reverse("progress"), {"number": application.number,
                                                              "code": application.query_code}))

    assert_english(html)
    assert "Notified, awaiting commitment" in html and "Commitment due" in html


# --- the applicant's pages ----------------------------------------------------------------------------------

def test_the_apply_form_reads_in_english(login, applicant_user, enterprise, commitment_item):
    html = read(in_english(login(applicant_user)).get(reverse("apply", args=[commitment_item.code])))

    assert_english(html)
    assert "I will commit (notify and commit)" in html
    assert '<span lang="zh-Hans">钦州市好客旅馆有限公司</span>' in html  # the applicant's name, as registered


def test_my_applications_read_in_english(login, applicant_user, enterprise, commitment_item, officer):
    online(commitment_item, enterprise, applicant_user, officer)

    html = read(in_english(login(applicant_user)).get(reverse("my-applications")))

    assert_english(html)
    assert "Notified, awaiting commitment" in html and "Commitment due: " in html


def test_the_application_page_reads_in_english_for_the_applicant_who_commits(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)

    html = read(in_english(login(applicant_user)).get(reverse("web-application-detail", args=[application.number])))

    assert_english(html)
    assert "Sign and hand in the commitment" in html
    # The 承诺书's seven confirmations are the gazette's words: in Chinese, marked so.
    assert '<span lang="zh-Hans">申请单位（人）承诺所提供的申请材料实质内容均真实、合法、有效。</span>' in html


def test_the_application_page_reads_in_english_for_the_officer_who_decides(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer, until="committed")

    html = read(in_english(login(officer)).get(reverse("web-application-detail", args=[application.number])))

    assert_english(html)
    assert ">Approve</button>" in html and "Sign and hand in the commitment" not in html
    assert "<strong>Commitment handed in</strong>" in html  # the timeline's event, in the reader's language


def test_a_form_error_reads_in_english_beside_its_field(login, outsider):
    code = valid_uscc("english-1")
    wrong = code[:17] + ("1" if code[17] != "1" else "2")

    html = read(in_english(login(outsider)).post(reverse("my-applicants"), {
        "kind": "enterprise", "identifier": wrong, "name": "钦州市英文测试有限公司"}), status=400)

    assert_english(html)
    assert f"the 18th character should be {code[17]}" in html


# --- the staff's desks --------------------------------------------------------------------------------------

def test_the_officer_desk_reads_in_english(login, applicant_user, enterprise, commitment_item, officer):
    online(commitment_item, enterprise, applicant_user, officer, until="committed")
    online(commitment_item, enterprise, applicant_user, officer, until="submitted")

    html = read(in_english(login(officer)).get(reverse("officer-desk")))

    assert_english(html)
    assert "Commitments to decide today" in html and HOTEL_GLOSS in html


def test_the_window_desk_reads_in_english_and_offers_to_register_an_unknown_applicant(login, clerk):
    page = in_english(login(clerk))
    assert_english(read(page.get(reverse("window-desk"))))

    html = read(page.get(reverse("window-desk"), {"identifier": valid_uscc("english-window")}))

    assert_english(html)
    assert "Register applicant" in html


# --- the API ------------------------------------------------------------------------------------------------

@pytest.fixture
def api_as(applicant_user):
    response = APIClient().post("/api/v1/auth/token/", {"username": applicant_user.username,
                                                        "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def submit(client, enterprise, **headers):
    return client.post("/api/v1/applications/", {"item": "QZ-999", "applicant": enterprise.identifier},
                       format="json", **headers)


def test_a_bad_submission_is_refused_in_english_for_accept_language_english(api_as, enterprise):
    response = submit(api_as, enterprise, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["detail"] == "There is no item with the code \u201cQZ-999\u201d."


def test_a_bad_submission_is_refused_in_chinese_without_accept_language(api_as, enterprise):
    response = submit(api_as, enterprise)

    assert response.status_code == 400
    assert response.json()["detail"] == "没有编码为“QZ-999”的事项。"


def test_a_step_the_state_forbids_is_refused_in_english_with_the_status_in_english(
        api_as, enterprise, applicant_user, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer, until="submitted")

    response = api_as.post(f"/api/v1/applications/{application.number}/resubmit/", {}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json()["detail"] == "This application does not follow the ordinary procedure; this step is not possible."


# --- mails ---------------------------------------------------------------------------------------------------

def test_the_conditions_reminder_goes_to_each_account_in_the_language_it_chose(
        will_meet, colleague, django_capture_on_commit_callbacks, at):  # noqa: F811
    colleague.language = "en"
    colleague.save(update_fields=["language"])

    with at(2024, 11, 22, 8, 30), django_capture_on_commit_callbacks(execute=True):
        assert run(tasks.remind_conditions) == [will_meet.number]

    chinese, english = mail.outbox
    assert chinese.to == ["zhang@example.com"] and "经营许可条件到期提醒" in chinese.subject
    assert english.to == ["li@example.com"] and english.subject.startswith("[Reminder: conditions due]")
    assert "By 29 Nov 2024, please:" in english.body and "安全设施说明 (due by 11 Nov 2024)" in english.body
    assert f"{HOTEL_GLOSS})" in english.body and "请在" not in english.body


# --- the Chinese pages stay as they were --------------------------------------------------------------------

def test_the_chinese_pages_carry_no_english_and_no_marks(client, login, applicant_user, enterprise, commitment_item,
                                                         officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    guide = read(client.get(reverse("item-guide", args=[commitment_item.code])))
    detail = read(login(applicant_user).get(reverse("web-application-detail", args=[application.number])))

    assert HOTEL_GLOSS not in guide and '<span lang="zh-Hans">' not in guide
    assert "<h1>旅馆业特种行业许可证核发</h1>" in guide and "本事项实行告知承诺制。" in guide
    assert f"承诺书递交期限" in detail and "签署并递交承诺书" in detail and "Sign and hand in" not in detail
