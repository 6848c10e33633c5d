"""Issue 14, done when "a script re-runs the draw from the published data alone and gets the same picks":
scripts/redraw.py, run as anyone would run it (its own process, isolated from the portal's code), on the
JSON the public page serves for a real draw; a published pick changed is caught.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.draws import draw_plan_create, draw_run
from supervision.models import InspectorConflict
from tests.clock import at
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "redraw.py"


@pytest.fixture
def world(commitment_item, regulator, officer):
    return draw_world(item=commitment_item, regulator=regulator, officer=officer, entities=9, inspectors=5,
                      person=True)


def published(client, world, **overrides) -> dict:
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(**overrides))
        plan = draw_run(plan=plan, actor=world.regulator)
    response = client.get(reverse("draw-disclosure-json", args=[plan.number]))
    assert response.status_code == 200
    return json.loads(response.content)


def redraw(source, cwd):
    """The script in isolated mode (-I) from a directory of its own: nothing of the portal importable."""
    return subprocess.run([sys.executable, "-I", str(SCRIPT), str(source)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env={"PYTHONIOENCODING": "utf-8"})


def saved(tmp_path, data, name="draw.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_script_repeats_a_published_draw(client, world, tmp_path):
    data = published(client, world)
    result = redraw(saved(tmp_path, data), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "一致" in result.stdout and "不一致" not in result.stdout
    for pick in data["picks"]:  # it prints the picks
        assert f"名录第{pick['n']}户" in result.stdout


def test_a_changed_pick_is_caught(client, world, tmp_path):
    data = published(client, world)
    picked = {p["n"] for p in data["picks"]}
    data["picks"][0]["n"] = next(n for n in range(1, len(data["pool"]) + 1) if n not in picked)
    result = redraw(saved(tmp_path, data), tmp_path)
    assert result.returncode == 1
    assert "不一致" in result.stdout and "第1户" in result.stdout


def test_a_changed_inspector_is_caught(client, world, tmp_path):
    data = published(client, world)
    drawn = set(data["picks"][0]["inspectors"])
    other = next(r["code"] for r in data["roster"] if r["code"] not in drawn)
    data["picks"][0]["inspectors"][0] = other
    result = redraw(saved(tmp_path, data), tmp_path)
    assert result.returncode == 1 and "执法检查人员" in result.stdout


def test_a_draw_with_declared_conflicts_and_a_count_is_repeated_too(client, world, tmp_path):
    for inspector in world.inspectors[:3]:
        for application in world.applications[:4]:
            InspectorConflict.objects.create(inspector=inspector, applicant=application.applicant,
                                             relation="近亲属任该企业股东", declared_at=timezone.now())
    data = published(client, world, sample_percent=None, sample_count=7)
    assert len(data["exclusions"]) == 12 and len(data["picks"]) == 7
    result = redraw(saved(tmp_path, data), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_script_fetches_the_published_data_from_the_portal(live_server, commitment_item, regulator, officer,
                                                               tmp_path):
    world = draw_world(item=commitment_item, regulator=regulator, officer=officer, person=True)
    with at(2026, 11, 16):
        plan = draw_run(plan=draw_plan_create(actor=world.regulator, data=world.plan_data()), actor=world.regulator)
    url = live_server.url + reverse("draw-disclosure-json", args=[plan.number])
    result = redraw(url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "一致" in result.stdout and plan.seed in result.stdout


def test_unreadable_data_is_said_so(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = redraw(path, tmp_path)
    assert result.returncode == 2 and "无法复现" in result.stderr


def test_the_script_needs_nothing_of_the_portal():
    source = SCRIPT.read_text(encoding="utf-8")
    for name in ("django", "supervision", "licensing", "portal."):
        assert f"import {name}" not in source and f"from {name}" not in source
