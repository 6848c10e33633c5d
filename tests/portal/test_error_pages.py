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
