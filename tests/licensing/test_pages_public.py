"""公开办理进度 and 承诺公开: useful to anyone, and no personal data."""
import pytest
from django.urls import reverse

from licensing.constants import ApplicantKind, Channel
from tests.factories import ApplicantFactory, commitment_application, valid_id_number

pytestmark = pytest.mark.django_db

NOT_FOUND = "未查询到办件，请核对办件编号和查询码后重新输入"


@pytest.fixture
def approved(commitment_item, enterprise, applicant_user, officer):
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  channel=Channel.ONLINE)


def lookup(client, number, code):
    return client.post(reverse("progress"), {"number": number, "code": code})


def test_progress_shows_status_and_dates_without_personal_data(client, approved, enterprise):
    response = lookup(client, approved.number.lower(), approved.query_code.lower())

    html = response.content.decode()
    assert response.status_code == 200
    assert "准予许可" in html and approved.item.name in html and "事后核查期限" in html
    assert "递交承诺书" in html  # the steps, by name
    assert enterprise.name not in html and enterprise.identifier not in html and "张三" not in html


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(client, approved):
    wrong_code = lookup(client, approved.number, "ABCDEFGH")
    unknown_number = lookup(client, "QZ1999-000001", approved.query_code)

    assert wrong_code.status_code == unknown_number.status_code == 404
    assert NOT_FOUND in wrong_code.content.decode() and NOT_FOUND in unknown_number.content.decode()
    assert approved.item.name not in wrong_code.content.decode()


def test_progress_asks_for_both_fields(client):
    response = client.post(reverse("progress"), {"number": "", "code": ""})
    assert response.status_code == 400 and response.content.decode().count("此项为必填项") == 2


def test_the_progress_form_is_protected_by_csrf(approved):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("progress"), {"number": approved.number, "code": approved.query_code}).status_code == 403


def test_disclosed_commitments_show_enterprises_by_name_and_persons_by_masked_name(
        client, approved, enterprise, commitment_item, officer, colleague):
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number("disclose"), name="张小明",
                              members=[colleague])
    commitment_application(item=commitment_item, applicant=person, actor=colleague, officer=officer)

    html = client.get(reverse("commitments")).content.decode()

    assert enterprise.name in html and "张**" in html and "张小明" not in html
    assert enterprise.identifier not in html and person.identifier not in html
    assert "已具备许可条件" in html and commitment_item.name in html


def test_disclosed_commitments_are_searchable_by_item(client, approved, commitment_item):
    assert commitment_item.name in client.get(reverse("commitments"), {"q": "旅馆"}).content.decode()
    other = client.get(reverse("commitments"), {"q": "食品"}).content.decode()
    assert "没有与“食品”有关的承诺" in other and approved.applicant.name not in other


def test_disclosed_commitments_are_paginated(client, commitment_item, officer, applicant_user):
    for n in range(21):
        applicant = ApplicantFactory(members=[applicant_user])
        commitment_application(item=commitment_item, applicant=applicant, actor=applicant_user, officer=officer,
                               until="committed")
    first = client.get(reverse("commitments")).content.decode()
    second = client.get(reverse("commitments"), {"page": 2}).content.decode()

    assert "第 1 / 2 页，共 21 条" in first and "下一页" in first
    assert "第 2 / 2 页" in second


def test_the_home_page_shows_each_signed_in_user_the_way_to_their_desk(client, login, applicant_user, clerk, officer):
    assert reverse("progress") in client.get(reverse("home")).content.decode()
    assert reverse("my-applications") in login(applicant_user).get(reverse("home")).content.decode()
    clerk_home = login(clerk).get(reverse("home")).content.decode()
    assert reverse("window-desk") in clerk_home and reverse("officer-desk") not in clerk_home
    assert reverse("officer-desk") in login(officer).get(reverse("home")).content.decode()
