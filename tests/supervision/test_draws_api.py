"""Issue 14, 双随机 through the API: a regulator makes a plan, draws it once, and reads the pool, the seed and
the picks; bad input is a 400 naming each field in Chinese, never a 500; another organisation's plan is not
there, and anyone who draws for no organisation is refused.
"""
import json

import pytest

from supervision.constants import DrawStatus
from supervision.draws import draw_plan_create, draw_run
from supervision.models import DrawPlan, Inspection
from tests.clock import at
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db

LIST = "/api/v1/draws/"


def detail(plan_id):
    return f"/api/v1/draws/{plan_id}/"


def run_url(plan_id):
    return f"/api/v1/draws/{plan_id}/run/"


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def world(commitment_item, regulator, officer):
    return draw_world(item=commitment_item, regulator=regulator, officer=officer, person=True)


def test_a_regulator_makes_a_plan_draws_it_and_reads_the_draw(login, world):
    client = login(world.regulator)
    with at(2026, 11, 16):
        made = post_json(client, LIST, world.plan_data())
        assert made.status_code == 201, made.content
        plan = made.json()
        assert plan["status"] == "draft" and plan["pool_size"] == 6 and plan["seed"] == "" and plan["picks"] == []
        assert plan["items"] == [world.item.code] and plan["inspectors"] == [i.code for i in world.inspectors]

        drawn = post_json(client, run_url(plan["id"]))
    assert drawn.status_code == 200, drawn.content
    body = drawn.json()
    assert body["status"] == "drawn" and len(body["seed"]) == 64 and body["algorithm"] == "sha256-rank-v1"
    assert len(body["pool"]) == 6 and body["pool_size"] == 6 and len(body["roster"]) == 4
    assert body["exclusions"] == []
    assert len(body["picks"]) == 3
    for pick in body["picks"]:
        assert len(pick["inspectors"]) == 2 and pick["entity"] == body["pool"][pick["n"] - 1]
        (inspection,) = pick["inspections"]
        assert inspection["status"] == "pending"
        assert Inspection.objects.get(pk=inspection["id"]).pick.plan_id == plan["id"]

    listed = client.get(LIST)
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["number"] == body["number"] and row["pool_size"] == 6 and "pool" not in row
    assert client.get(detail(plan["id"])).json() == body


def test_a_second_run_answers_the_same_draw(login, world):
    client = login(world.regulator)
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
        first = post_json(client, run_url(plan.pk)).json()
    with at(2026, 11, 17):
        second = post_json(client, run_url(plan.pk))
    assert second.status_code == 200 and second.json() == first
    assert Inspection.objects.filter(pick__plan=plan).count() == 3


def test_bad_plans_are_refused_field_by_field_in_chinese(login, world):
    client = login(world.regulator)
    with at(2026, 11, 16):
        refused = post_json(client, LIST, world.plan_data(
            title="", items=["QZ-999"], licensed_from="2026-10-31", licensed_until="2026-10-01", sample_count=3,
            inspectors_per_entity=1, inspectors=["NOPE"], due_date="2026-11-01"))
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert set(errors) >= {"title", "items", "licensed_until", "sample_percent", "inspectors_per_entity",
                           "inspectors", "due_date"}
    assert errors["title"] == ["请填写计划名称。"]
    assert not DrawPlan.objects.exists()


@pytest.mark.parametrize("body", [
    {"items": "QZ-013"}, {"items": [["QZ-013"]]}, {"items": ["A" * 40]}, {"licensed_from": "昨天"},
    {"licensed_from": 20261001}, {"sample_percent": "一半"}, {"sample_percent": 1e300}, {"sample_count": -1},
    {"inspectors_per_entity": {"a": 1}}, {"title": "计划\x00"}, {"title": "长" * 2000}, {"inspectors": None},
    [], "plan", {},
])
def test_wrong_shapes_are_a_400_never_a_500(login, world, body):
    client = login(world.regulator)
    with at(2026, 11, 16):
        data = {**world.plan_data(), **body} if isinstance(body, dict) and body else body
        refused = client.post(LIST, json.dumps(data), content_type="application/json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["detail"]
    assert not DrawPlan.objects.exists()


def test_an_empty_pool_is_a_409_without_a_seed(login, world):
    client = login(world.regulator)
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(
            licensed_from="2025-01-01", licensed_until="2025-01-31"))
        refused = post_json(client, run_url(plan.pk))
    assert refused.status_code == 409 and "名录为空" in refused.json()["detail"]
    plan.refresh_from_db()
    assert plan.status == DrawStatus.DRAFT and plan.seed == ""


def test_another_organisations_plan_does_not_exist(login, world, other_regulator):
    with at(2026, 11, 16):
        plan = draw_run(plan=draw_plan_create(actor=world.regulator, data=world.plan_data()), actor=world.regulator)
    client = login(other_regulator)
    assert client.get(LIST).json()["results"] == []
    for response in (client.get(detail(plan.pk)), post_json(client, run_url(plan.pk)),
                     client.get(detail(999_999_999)), client.get(detail("9" * 30))):
        assert response.status_code == 404
        assert response.json()["detail"] == "抽查计划不存在，或不是本部门的抽查计划。"


def test_anyone_who_draws_for_no_organisation_is_refused(client, login, world, officer, applicant_user):
    assert client.get(LIST).status_code == 401
    for user in (officer, applicant_user):
        api = login(user)
        assert api.get(LIST).status_code == 403
        with at(2026, 11, 16):
            assert post_json(api, LIST, world.plan_data()).status_code == 403
    assert not DrawPlan.objects.exists()


def test_hostile_bodies_to_a_real_plan_are_never_a_server_error(client, login, world):
    """The project-wide fuzz (tests/portal/test_fuzz_every_url.py) meets no plan; here one is there."""
    from tests.portal.test_fuzz_every_url import JSON, JSON_BODIES

    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
    client.raise_request_exception = False
    login(world.regulator)
    with at(2026, 11, 16):
        for url in (LIST, run_url(plan.pk)):
            for body in JSON_BODIES.values():
                response = client.generic("POST", url, body, content_type=JSON)
                assert response.status_code < 500, (url, response.content[:200])
    assert DrawPlan.objects.count() == 1
