"""Issue 14 in a real browser: a regulator plans a 双随机 draw, runs it, and the public page shows it.

The regulator signs in through the real pages (a backup code as its second factor), fills the plan's form
by its labels, presses 抽取 and reads the picks; then anyone opens 抽查公示 and finds the same draw with its
seed and picks, and the published JSON repeats to the same picks with scripts/redraw.py.
"""
import datetime as dt
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import DrawPlan
from tests.factories import second_factor_code
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDRAW = Path(__file__).resolve().parents[2] / "scripts" / "redraw.py"


def set_date(browser, label, day: dt.date):
    """A date field as a person's date picker leaves it (typing into Chromium's picker depends on its locale)."""
    browser.driver.execute_script("arguments[0].value = arguments[1]", browser.field(label), day.isoformat())


def test_a_regulator_runs_a_draw_in_the_browser_and_the_public_page_shows_it(
        browser, live_server, commitment_item, regulator, officer, tmp_path):
    world = draw_world(item=commitment_item, regulator=regulator, officer=officer, entities=4, inspectors=3)
    today = timezone.localdate()
    browser.visit(reverse("draw-new"))
    browser.sign_in(regulator, code=second_factor_code(regulator))
    assert browser.heading() == "制定抽查计划"
    browser.fill("计划名称", "旅馆业双随机抽查（浏览器）")
    browser.select("事项", f"{commitment_item.seq_no}. {commitment_item.name}（{commitment_item.code}）")
    set_date(browser, "许可（备案）日期起", dt.date(2026, 10, 1))
    set_date(browser, "许可（备案）日期止", today)
    browser.fill("抽取比例（%）", "50")
    browser.fill("每户执法检查人员数", "2")
    for inspector in world.inspectors:
        browser.choose(f"{inspector.user.full_name or inspector.user.username}（执法证号 {inspector.code}）")
    set_date(browser, "检查完成期限", today + dt.timedelta(days=30))
    browser.click("制定计划")

    plan = DrawPlan.objects.get(title="旅馆业双随机抽查（浏览器）")
    assert browser.path == reverse("draw-detail", args=[plan.pk])
    assert "名录共 4 户" in browser.text().replace("\n", "")
    browser.click("抽取（抽取后不能修改、不能重抽，结果向社会公开）")
    plan.refresh_from_db()
    assert plan.seed and plan.seed in browser.text("#drawn")
    picks = browser.finds("#picks tbody tr")
    assert len(picks) == 2  # ⌈4 × 50 %⌉

    browser.sign_out()
    browser.visit(reverse("draw-disclosure"))
    browser.click(plan.number)
    assert plan.seed in browser.text("#algorithm")
    assert len(browser.finds("#picks tbody tr")) == 2
    for entry in plan.pool:
        assert entry["name"] in browser.text("#pool")

    published = urllib.request.urlopen(live_server.url + reverse("draw-disclosure-json", args=[plan.number]))  # noqa: S310
    path = tmp_path / f"{plan.number}.json"
    path.write_bytes(published.read())
    assert json.loads(path.read_text())["seed"] == plan.seed
    rerun = subprocess.run([sys.executable, str(REDRAW), str(path)], capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0 and "一致" in rerun.stdout
