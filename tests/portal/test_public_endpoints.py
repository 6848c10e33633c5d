"""A bare HTTP GET of every public page and API endpoint answers without error, over a real socket."""
import json
import urllib.request

import pytest

PUBLIC = [
    "/", "/items/", "/items/?q=%E6%97%85%E9%A6%86&reform_mode=commitment", "/items/QZ-013/", "/items/QZ-042B/",
    "/api/v1/items/", "/api/v1/items/?reform_mode=optimise&page=2", "/api/v1/items/QZ-013/",
    "/api/v1/calendar/add-working-days/?start=2019-09-30&days=3", "/api/schema/", "/api/docs/",
    "/accounts/login/",
]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own live server)
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_public_endpoint_answers_200(live_server):
    failures = []
    for path in PUBLIC:
        status, _, _ = fetch(live_server.url + path)
        if status != 200:
            failures.append((path, status))
    assert failures == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_documented_calendar_example_over_http(live_server):
    _, content_type, body = fetch(live_server.url + "/api/v1/calendar/add-working-days/?start=2019-09-30&days=3")
    assert content_type.startswith("application/json")
    assert json.loads(body) == {"date": "2019-10-10", "provisional": False}
