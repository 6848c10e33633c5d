"""Refusals and missing pages speak Chinese, like the rest of the portal."""
import pytest
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_missing_page_says_so_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_refusal_says_so_in_chinese(login, officer):
    response = login(officer).get(reverse("window-desk"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_opening_a_steps_address_explains_itself_in_chinese(login, applicant_user):
    response = login(applicant_user).get(reverse("web-application-withdraw", args=["QZ2026-000001"]))
    assert response.status_code == 405
    assert "请从页面上的按钮操作" in response.content.decode()


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_says_so_in_chinese(applicant_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_in_chinese_unless_the_client_asks_for_english(client):
    """Issue 15: the API's messages follow Accept-Language (tests/portal/test_i18n.py has the rest)."""
    response = client.get("/api/v1/applications/")
    assert response.status_code in (401, 403)
    assert "身份认证" in response.json()["detail"] or "认证" in response.json()["detail"]
    english = client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == response.status_code and "credentials" in english.json()["detail"]
