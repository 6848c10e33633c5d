"""公开办理进度: one lookup (licensing.selectors.application_progress) behind the page (POST /progress/)
and the API (GET /api/v1/progress/<number>/?code=…), so both accept the same input.

Numbers and codes are typed from paper or a text message: case and spaces do not matter. A wrong
code and a number that does not exist answer alike, on both.
"""
from urllib.parse import quote

import pytest
from django.urls import reverse

from licensing.constants import Status
from licensing.selectors import application_progress
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(commitment_item, enterprise, applicant_user, officer):
    return ApplicationFactory(notice_issued=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                              officer=officer)


def spaced(text: str) -> str:
    """QZ2026-000001 as someone reads it out: QZ 2026 - 000 001."""
    head, tail = text.split("-")
    return f"{head[:2]} {head[2:]} - {tail[:3]} {tail[3:]}"


NUMBER_AS_TYPED = {
    "as given": lambda n: n,
    "lower case": str.lower,
    "surrounding spaces": lambda n: f"  {n}  ",
    "inner spaces": spaced,
    "lower case with inner spaces": lambda n: spaced(n).lower(),
}
CODE_AS_TYPED = {
    "as given": lambda c: c,
    "lower case": str.lower,
    "with spaces": lambda c: f" {c[:4]} {c[4:]} ",
    "lower case with spaces": lambda c: f"{c[:4].lower()}  {c[4:].lower()}",
}


def page(client, number, code):
    return client.post(reverse("progress"), {"number": number, "code": code})


def api(client, number, code):
    return client.get(f"/api/v1/progress/{quote(number, safe='')}/", {"code": code})


@pytest.mark.parametrize("number_as", list(NUMBER_AS_TYPED))
@pytest.mark.parametrize("code_as", list(CODE_AS_TYPED))
def test_the_page_and_the_api_find_the_application_however_it_is_typed(client, application, number_as, code_as):
    number = NUMBER_AS_TYPED[number_as](application.number)
    code = CODE_AS_TYPED[code_as](application.query_code)
    assert application_progress(number, code) == application

    on_page = page(client, number, code)
    assert on_page.status_code == 200
    html = on_page.content.decode()
    assert application.number in html and "已告知，待承诺" in html

    by_api = api(client, number, code)
    assert by_api.status_code == 200, by_api.content
    body = by_api.json()
    assert (body["number"], body["status"], body["status_display"]) == (
        application.number, Status.NOTICE_ISSUED, "已告知，待承诺")


def test_what_the_page_and_the_api_show_is_the_same_status_after_the_application_moves(
        client, application, applicant_user):
    from licensing import services

    services.application_choose_ordinary(application=application, actor=applicant_user)
    code = application.query_code
    assert "已提交" in page(client, application.number.lower(), code).content.decode()
    assert api(client, f" {application.number} ", code.lower()).json()["status"] == Status.SUBMITTED


def test_the_progress_shows_nobody_who_applied(client, application):
    html = page(client, application.number, application.query_code).content.decode()
    body = api(client, application.number, application.query_code).content.decode()
    for shown in (html, body):
        assert application.applicant.name not in shown
        assert application.applicant.identifier not in shown


def a_wrong_code(application) -> str:
    return "22222222" if application.query_code != "22222222" else "33333333"


@pytest.mark.parametrize("number_as", ["as given", "lower case", "inner spaces"])
def test_a_wrong_code_answers_404_on_both(client, application, number_as):
    number = NUMBER_AS_TYPED[number_as](application.number)
    on_page = page(client, number, a_wrong_code(application))
    assert on_page.status_code == 404
    assert "已告知，待承诺" not in on_page.content.decode()
    assert "未查询到办件" in on_page.content.decode()
    assert api(client, number, a_wrong_code(application)).status_code == 404
    assert api(client, number, "").status_code == 404


def test_a_number_that_does_not_exist_answers_exactly_like_a_wrong_code(client, application):
    year = application.number[2:6]
    missing = f"QZ{year}-999999"
    with_wrong_code = api(client, application.number, a_wrong_code(application))
    with_missing_number = api(client, missing, application.query_code)
    assert with_wrong_code.status_code == with_missing_number.status_code == 404
    assert with_wrong_code.json() == with_missing_number.json()

    wrong_page = page(client, application.number, a_wrong_code(application))
    missing_page = page(client, missing, application.query_code)
    assert wrong_page.status_code == missing_page.status_code == 404
    assert wrong_page.context["form"].non_field_errors() == missing_page.context["form"].non_field_errors()


@pytest.mark.parametrize("number", ["QZ-1", "../admin", "QZ2026-000001\x00", "一二三"])
def test_a_number_that_cannot_be_one_answers_404_not_an_error(client, application, number):
    # A NUL byte in the address is refused before any lookup (400, issue 8), whatever the number.
    assert api(client, number, application.query_code).status_code == (400 if "\x00" in number else 404)
    assert page(client, number, application.query_code).status_code in (400, 404)


def test_the_page_reads_the_same_number_of_rows_however_many_materials_the_application_owes(
        client, application, django_assert_max_num_queries):
    """Issue 13: each material's name comes with its row (no query per material), so a lookup costs as much
    for an application of eight materials as for one of two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from licensing.models import Material, MaterialSubmission

    form = {"number": application.number, "code": application.query_code}
    with CaptureQueriesContext(connection) as few:
        assert client.post(reverse("progress"), form).status_code == 200
    for n in range(6):
        material = Material.objects.create(item=application.item, name=f"补充材料{n}", order=100 + n)
        MaterialSubmission.objects.create(application=application, material=material)
    with django_assert_max_num_queries(len(few)):
        response = client.post(reverse("progress"), form)
    assert response.status_code == 200
