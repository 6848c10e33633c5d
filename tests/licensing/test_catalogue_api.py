"""The public, read-only catalogue API."""
import pytest

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_list_holds_every_item_with_the_documented_fields(client):
    first = get(client, "/api/v1/items/")
    assert first["count"] == 102
    item = first["results"][0]
    for field in ("seq_no", "code", "name", "reform_mode", "authorities", "measures", "remark",
                  "statutory_days", "committed_days"):
        assert field in item


def test_filter_by_reform_mode(client):
    data = get(client, "/api/v1/items/", reform_mode="commitment")
    assert data["count"] == 16
    assert {i["reform_mode"] for i in data["results"]} == {"commitment"}


def test_filter_by_seq_no_gives_both_items_of_42(client):
    data = get(client, "/api/v1/items/", seq_no=42)
    assert [i["code"] for i in data["results"]] == ["QZ-042A", "QZ-042B"]


def test_keyword_search(client):
    data = get(client, "/api/v1/items/", q="旅馆")
    assert [i["code"] for i in data["results"]] == ["QZ-013"]


def test_one_item_by_code_with_its_authorities_and_limits(client):
    item = get(client, "/api/v1/items/QZ-038/")
    assert (item["statutory_days"], item["committed_days"]) == (20, 15)
    assert item["measures"][1] == "压缩审批时限，将法定20个工作日压缩至15个工作日。"
    assert {a["level"] for a in item["authorities"]} == {"region", "city", "county"}


def test_bad_filters_are_400_with_a_chinese_message(client):
    response = client.get("/api/v1/items/", {"reform_mode": "bogus"})
    assert response.status_code == 400 and "有效" in str(response.json())
    assert client.get("/api/v1/items/", {"seq_no": "abc"}).status_code == 400


def test_an_unknown_code_is_404(client):
    assert client.get("/api/v1/items/QZ-999/").status_code == 404


def test_the_catalogue_is_read_only_even_for_a_verified_admin(login, admin_user):
    client = login(admin_user)
    assert client.get("/api/v1/items/QZ-013/").status_code == 200
    assert client.post("/api/v1/items/", {"name": "x"}).status_code == 405
    assert client.delete("/api/v1/items/QZ-013/").status_code == 405
    assert client.get("/api/v1/items/QZ-013/").json()["name"] == "旅馆业特种行业许可证核发"
