"""Caching (issue 8): no browser, shared computer or proxy keeps a copy of anything personal.

Every answer to a signed-in user (a session, or a token for the API) and every answer of the
lookups by a secret code (public progress, page and API; document verification) says
`Cache-Control: no-store, private`; the public catalogue stays cacheable.
"""
import pytest
from django.urls import reverse

from notices.constants import DocumentKind
from tests.portal.permission_matrix import project_urls
from tests.portal.test_fuzz_every_url import Asker, World, urls_of

pytestmark = pytest.mark.django_db


def directives(response) -> set:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


class NoStoreAsker(Asker):
    def check(self, what, url, response):
        if not {"no-store", "private"} <= directives(response):
            self.failures.append(f"{url.key} {what}: {response.status_code} Cache-Control: "
                                 f"{response.get('Cache-Control')!r}")


@pytest.mark.parametrize("persona", ["applicant_user", "clerk", "officer", "regulator", "admin_user"])
def test_every_answer_to_a_signed_in_user_says_no_store(request, client, login, persona):
    """Every URL of the project, GET and POST, pages by session and the API by token."""
    world = World(request)
    user = request.getfixturevalue(persona)
    login(user)
    asker = NoStoreAsker(client, user)
    for url in project_urls():
        path = urls_of(url.route, world)
        asker.ask("GET", url, "GET", path)
        asker.ask("POST", url, "POST", path, data=b"{}" if path.startswith("/api/") else b"",
                  content_type="application/json" if path.startswith("/api/") else "application/x-www-form-urlencoded")
    assert asker.failures == []


def test_the_lookups_by_secret_code_say_no_store_to_anyone(request, client):
    world = World(request)
    application = world.application
    answers = [
        client.get(reverse("progress")),
        client.post(reverse("progress"), {"number": application.number, "code": application.query_code}),
        client.get(f"/api/v1/progress/{application.number}/", {"code": application.query_code}),
        client.get(f"/api/v1/progress/{application.number}/", {"code": "WRONG123"}),
        client.get(reverse("verify"), {"code": world.decision.verification_code}),
    ]
    assert [response.status_code for response in answers] == [200, 200, 200, 404, 200]
    assert all({"no-store", "private"} <= directives(response) for response in answers)


@pytest.mark.parametrize("address", ["/", "/items/", "/items/QZ-013/", "/api/v1/items/", "/api/v1/items/QZ-013/",
                                     "/commitments/", "/api/v1/calendar/add-working-days/?start=2019-09-30&days=3"])
def test_the_public_catalogue_stays_cacheable_for_visitors(client, address):
    response = client.get(address)
    assert response.status_code == 200
    assert "no-store" not in directives(response)


def test_a_view_that_said_more_keeps_its_words(request, client, login, applicant_user):
    world = World(request)
    login(applicant_user)
    response = client.get(reverse("document-html", args=[world.application.documents.get(
        kind=DocumentKind.DECISION).verification_code]))
    assert response.status_code == 200
    assert {"no-store", "private", "no-cache", "must-revalidate", "max-age=0"} <= directives(response)
