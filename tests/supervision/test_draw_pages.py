"""Issue 14, 双随机、一公开 in the browser: a regulator makes a plan, draws it once and sees the picks in
its workbench; the public page shows the draw with enterprises in full and persons masked, and offers the
data to repeat it; a drawn plan is never drawn again nor edited; another organisation's plan is not there.
"""
import html
import re

import pytest
from django.urls import reverse

from supervision import services
from supervision.constants import DrawStatus
from supervision.draws import draw_plan_create, draw_run
from supervision.models import DrawPlan, Inspection
from tests.clock import at
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db

LIST = reverse("draw-list")
NEW = reverse("draw-new")
DISCLOSURE = reverse("draw-disclosure")


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def world(commitment_item, regulator, officer):
    return draw_world(item=commitment_item, regulator=regulator, officer=officer, person=True)


def words(response) -> str:
    """The page's text without its tags."""
    return re.sub(r"<[^>]+>", "", text(response))


def form_of(world, **overrides) -> dict:
    """The plan as the browser posts it: several values of a multiple choice under one name."""
    data = world.plan_data(**overrides)
    return {name: ("" if value is None else value) for name, value in data.items()}


def drawn_plan(world):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
        return draw_run(plan=plan, actor=world.regulator)


def test_a_regulator_makes_a_plan_draws_it_and_sees_the_picks(client, login, world):
    login(world.regulator)
    with at(2026, 11, 16):
        form = client.get(NEW)
        assert form.status_code == 200
        page = text(form)
        assert world.item.code in page and "执法1号" in page  # the items and the organisation's inspectors
        made = client.post(NEW, form_of(world))
        assert made.status_code == 302
        plan = DrawPlan.objects.get()
        assert made["Location"] == reverse("draw-detail", args=[plan.pk])
        detail = words(client.get(made["Location"]))
        assert "名录共 6 户" in detail and "将抽取 3 户" in detail and "抽取（抽取后不能修改" in detail

        drawn = client.post(reverse("draw-run", args=[plan.pk]), follow=True)
    assert drawn.status_code == 200
    page = text(drawn)
    plan.refresh_from_db()
    assert plan.status == DrawStatus.DRAWN and plan.seed in page and "sha256-rank-v1" in page
    assert "已抽取：3户监管对象" in page
    for inspection in Inspection.objects.filter(pick__plan=plan):
        assert reverse("regulator-inspection", args=[inspection.pk]) in page
        assert inspection.application.number in page
    # the picks are in the workbench's queue
    with at(2026, 11, 16):
        desk = text(client.get(reverse("regulator-desk")))
    assert all(i.application.number in desk for i in Inspection.objects.filter(pick__plan=plan))
    assert plan.number in text(client.get(LIST))


def test_the_public_page_shows_the_draw_with_persons_masked(client, world):
    plan = drawn_plan(world)
    listing = text(client.get(DISCLOSURE))
    assert plan.number in listing and world.organisation.name in listing and plan.title in listing
    page = text(client.get(reverse("draw-disclosure-detail", args=[plan.number])))
    assert plan.seed in page and "sha256-rank-v1" in page
    person = next(a.applicant for a in world.applications if a.applicant.kind == "person")
    assert "陈大文" not in page and person.identifier not in page and "陈*" in page
    enterprise = next(a.applicant for a in world.applications if a.applicant.kind == "enterprise")
    assert enterprise.name in page and enterprise.identifier in page  # enterprises in full
    # inspectors by code and masked name only
    for inspector in world.inspectors:
        assert inspector.code in page
        assert inspector.user.full_name not in page
    assert reverse("draw-disclosure-json", args=[plan.number]) in page
    assert len(re.findall(r"<td>\d+</td><td>[^<]+</td><td class=\"code\">", page)) == 6  # the whole pool


def test_the_public_page_shows_a_result_once_recorded_but_no_note_or_names(client, world):
    plan = drawn_plan(world)
    inspection = Inspection.objects.filter(pick__plan=plan).first()
    services.inspection_assign(inspection=inspection, inspectors=[world.regulator, world.inspectors[1].user],
                               actor=world.regulator)
    with at(2026, 11, 20):
        services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome="conforms",
                                          note="现场检查由执法1号记录：符合许可条件。")
    page = text(client.get(reverse("draw-disclosure-detail", args=[plan.number])))
    assert "符合承诺（2026年11月20日）" in page
    assert "现场检查由" not in page and "执法1号" not in page
    assert "待检查" in page  # the other picks


def test_the_published_json_holds_what_the_draw_needs(client, world):
    plan = drawn_plan(world)
    response = client.get(reverse("draw-disclosure-json", args=[plan.number]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    assert {"algorithm", "seed", "pool", "roster", "exclusions", "inspectors_per_entity", "sample_percent",
            "sample_count", "picks"} <= set(data)
    assert data["pool"] == plan.pool and data["seed"] == plan.seed
    assert [p["order"] for p in data["picks"]] == [1, 2, 3]
    assert all(len(p["inspectors"]) == 2 for p in data["picks"])


def test_a_draft_is_not_public_and_bad_numbers_are_404(client, world):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
    assert plan.number not in text(client.get(DISCLOSURE))
    for number in (plan.number, "SJ2026-99999", "不是编号", "x" * 300):
        assert client.get(reverse("draw-disclosure-detail", args=[number])).status_code == 404
        assert client.get(reverse("draw-disclosure-json", args=[number])).status_code == 404


def test_a_second_run_changes_nothing(client, login, world):
    plan = drawn_plan(world)
    seed, picks = plan.seed, list(plan.picks.values_list("applicant_id", "pool_no"))
    inspections = Inspection.objects.count()
    login(world.regulator)
    with at(2026, 11, 17):
        again = client.post(reverse("draw-run", args=[plan.pk]), follow=True)
    assert again.status_code == 200 and "结果不变" in text(again)
    plan.refresh_from_db()
    assert plan.seed == seed and list(plan.picks.values_list("applicant_id", "pool_no")) == picks
    assert Inspection.objects.count() == inspections


def test_a_drawn_plan_cannot_be_edited(client, login, world):
    plan = drawn_plan(world)
    login(world.regulator)
    with at(2026, 11, 17):
        shown = client.get(reverse("draw-edit", args=[plan.pk]))
        posted = client.post(reverse("draw-edit", args=[plan.pk]), form_of(world, title="改过的计划"))
    assert shown.status_code == 409 and "不能再修改" in text(shown)
    assert posted.status_code == 409
    assert DrawPlan.objects.get(pk=plan.pk).title == "2026年第四季度旅馆业双随机抽查"


def test_a_draft_is_edited_and_its_form_shows_its_values(client, login, world):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
    login(world.regulator)
    with at(2026, 11, 16):
        form = text(client.get(reverse("draw-edit", args=[plan.pk])))
        assert 'value="2026年第四季度旅馆业双随机抽查"' in form and 'value="2026-10-01"' in form
        saved = client.post(reverse("draw-edit", args=[plan.pk]),
                            form_of(world, title="改过的计划", sample_percent="", sample_count="2"))
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "改过的计划" and plan.sample_count == 2 and plan.sample_percent is None


def test_field_errors_are_shown_in_the_form_and_its_values_kept(client, login, world):
    login(world.regulator)
    with at(2026, 11, 16):
        refused = client.post(NEW, form_of(world, title="我的计划", licensed_from="2026-10-31",
                                           licensed_until="2026-10-01", sample_count="3", due_date="2026-11-01",
                                           inspectors=[world.inspectors[0].code]))
    assert refused.status_code == 400
    page = text(refused)
    for message in ("许可（备案）日期止不能早于日期起。", "抽取比例和抽取户数须填写且只填写其中一项。",
                    "检查完成期限应晚于今天。", "参加抽取的执法检查人员不少于每户人数（2名）。"):
        assert message in page
    assert 'value="我的计划"' in page and 'value="2026-10-31"' in page
    assert not DrawPlan.objects.exists()


def test_an_empty_pool_is_refused_with_a_message_and_no_draw(client, login, world):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(
            licensed_from="2025-01-01", licensed_until="2025-01-31"))
    login(world.regulator)
    with at(2026, 11, 16):
        refused = client.post(reverse("draw-run", args=[plan.pk]))
    assert refused.status_code == 409 and "名录为空" in text(refused)
    assert DrawPlan.objects.get(pk=plan.pk).status == DrawStatus.DRAFT


def test_another_regulator_is_told_the_plan_does_not_exist(client, login, world, other_regulator):
    plan = drawn_plan(world)
    login(other_regulator)
    for name in ("draw-detail", "draw-edit"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404
    assert client.post(reverse("draw-run", args=[plan.pk])).status_code == 404
    assert plan.number not in text(client.get(LIST))


def test_anyone_but_a_regulator_is_refused_and_anonymous_signs_in(client, login, world, officer):
    assert client.get(LIST)["Location"].startswith(reverse("login"))
    login(officer)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


def test_hostile_input_to_a_real_plan_is_never_a_server_error(client, login, world):
    """The project-wide fuzz (tests/portal/test_fuzz_every_url.py) meets no plan; here one is there."""
    from tests.portal.test_fuzz_every_url import FORM, FORM_BODIES, GET_QUERIES

    with at(2026, 11, 16):
        draft = draw_plan_create(actor=world.regulator, data=world.plan_data())
    plan = drawn_plan(world)
    client.raise_request_exception = False
    login(world.regulator)
    posts = [reverse("draw-new"), reverse("draw-edit", args=[draft.pk]), reverse("draw-run", args=[plan.pk])]
    gets = [reverse("draw-detail", args=[plan.pk]), reverse("draw-detail", args=[draft.pk]), LIST, DISCLOSURE,
            reverse("draw-disclosure-detail", args=[plan.number]), reverse("draw-disclosure-json", args=[plan.number])]
    with at(2026, 11, 17):
        for url in posts:
            for body in FORM_BODIES.values():
                assert client.generic("POST", url, body, content_type=FORM).status_code < 500, url
        for url in gets:
            for query in GET_QUERIES.values():
                assert client.get(f"{url}?{query}&pool={query[:50]}").status_code < 500, url
    assert DrawPlan.objects.get(pk=draft.pk).title == "2026年第四季度旅馆业双随机抽查"
    assert DrawPlan.objects.count() == 2
