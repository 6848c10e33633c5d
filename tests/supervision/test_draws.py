"""Issue 14, 双随机: a regulator's plan, its draw and what the draw makes.

The draw picks entities and at least two inspectors for each, never one who declared a conflict with it;
it records a seed made at draw time and everything needed to repeat it; a drawn plan cannot be edited or
drawn again for another answer; its picks become inspections in the regulator's queue.
"""
import pytest
from django.utils import timezone

from portal.exceptions import Conflict, InvalidInput, NotAllowed
from portal.models import AuditAction, AuditEvent
from supervision import draw_algorithm, services
from supervision.constants import DrawStatus, InspectionStatus
from supervision.draws import draw_plan_create, draw_plan_update, draw_run
from supervision.models import DrawPlan, Inspection, InspectorConflict
from supervision.queue import inspections_for
from tests.clock import at
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commitment_item, regulator, officer):
    return draw_world(item=commitment_item, regulator=regulator, officer=officer)


def drawn(world, **overrides):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(**overrides))
        return draw_run(plan=plan, actor=world.regulator)


def test_the_draw_picks_half_the_pool_with_two_inspectors_each(world):
    plan = drawn(world)
    assert plan.status == DrawStatus.DRAWN and len(plan.seed) == 64
    assert len(plan.pool) == 6
    picks = list(plan.picks.prefetch_related("inspectors"))
    assert len(picks) == 3  # ceil(6 × 50 %)
    assert len({p.applicant_id for p in picks}) == 3
    assert all(p.inspectors.count() == 2 for p in picks)
    pool_applicants = {a.applicant_id for a in world.applications}
    assert {p.applicant_id for p in picks} <= pool_applicants


def test_a_count_and_a_percentage_both_round_up_and_never_exceed_the_pool(world):
    assert drawn(world, sample_percent=None, sample_count=99).picks.count() == 6
    assert draw_algorithm.sample_size(7, percent=10) == 1
    assert draw_algorithm.sample_size(0, percent=10) == 0


def test_anyone_repeats_the_draw_from_what_it_published(world):
    plan = drawn(world)
    repeated = draw_algorithm.draw(
        seed=plan.seed, pool_size=len(plan.pool), roster=[r["code"] for r in plan.roster],
        per_entity=plan.inspectors_per_entity, exclusions=plan.exclusions,
        sample=draw_algorithm.sample_size(len(plan.pool), percent=plan.sample_percent, count=plan.sample_count))
    recorded = [(p.pool_no, sorted(i.code for i in p.inspectors.all())) for p in plan.picks.order_by("order")]
    assert [(n, sorted(codes)) for n, codes in repeated] == recorded
    # the published pool names the entity of each number
    by_no = {entry["n"]: entry["code"] for entry in plan.pool}
    for pick in plan.picks.select_related("applicant"):
        assert by_no[pick.pool_no] == pick.applicant.identifier


def test_an_inspector_with_a_declared_conflict_is_never_drawn_for_that_entity(world):
    # every inspector but two declares a conflict with every entity: those two must inspect them all
    declared = world.inspectors[2:]
    for inspector in declared:
        for application in world.applications:
            InspectorConflict.objects.create(inspector=inspector, applicant=application.applicant,
                                             relation="近亲属任该企业股东", declared_at=timezone.now())
    plan = drawn(world, sample_percent=100)
    for pick in plan.picks.prefetch_related("inspectors"):
        assert {i.code for i in pick.inspectors.all()} == {i.code for i in world.inspectors[:2]}
    assert len(plan.exclusions) == len(declared) * 6


def test_too_few_inspectors_without_a_conflict_is_refused_before_any_seed_is_made(world):
    for inspector in world.inspectors[1:]:
        InspectorConflict.objects.create(inspector=inspector, applicant=world.applications[0].applicant,
                                         relation="曾在该企业任职", declared_at=timezone.now())
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
        with pytest.raises(Conflict, match="因回避"):
            draw_run(plan=plan, actor=world.regulator)
    plan.refresh_from_db()
    assert plan.status == DrawStatus.DRAFT and plan.seed == "" and not plan.picks.exists()


def test_a_drawn_plan_is_never_drawn_again_nor_edited(world):
    plan = drawn(world)
    first = (plan.seed, list(plan.picks.values_list("applicant_id", flat=True)))
    with at(2026, 11, 17):
        again = draw_run(plan=plan, actor=world.regulator)
        assert (again.seed, list(again.picks.values_list("applicant_id", flat=True))) == first
        with pytest.raises(Conflict, match="不能再修改"):
            draw_plan_update(plan=plan, actor=world.regulator, data=world.plan_data(title="改过的计划"))
    assert DrawPlan.objects.get(pk=plan.pk).title == "2026年第四季度旅馆业双随机抽查"
    assert AuditEvent.objects.filter(action=AuditAction.DRAW_RUN).count() == 1


def test_the_picks_become_inspections_in_the_regulators_queue(world):
    plan = drawn(world)
    drawn_inspections = Inspection.objects.filter(pick__plan=plan)
    assert drawn_inspections.count() == 3
    queue = set(inspections_for(world.regulator).values_list("pk", flat=True))
    assert set(drawn_inspections.values_list("pk", flat=True)) <= queue
    for inspection in drawn_inspections.prefetch_related("inspectors"):
        assert inspection.due_date.isoformat() == "2026-12-31"
        assert inspection.inspectors.count() == 2 and inspection.status == InspectionStatus.PENDING
        # the follow-up check of the commitment is still the application's own, untouched
        assert inspection.application.inspection.pick_id is None
        assert inspection.application.inspection.pk != inspection.pk


def test_a_drawn_check_is_worked_like_any_other(world):
    plan = drawn(world)
    inspection = Inspection.objects.filter(pick__plan=plan).first()
    with at(2026, 11, 20):
        services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome="conforms",
                                          note="双随机抽查，现场检查符合许可条件。")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PASSED


def test_a_bad_plan_is_refused_field_by_field_and_nothing_is_stored(world):
    with at(2026, 11, 16), pytest.raises(InvalidInput) as refused:
        draw_plan_create(actor=world.regulator, data=world.plan_data(
            title="", items=["QZ-999"], licensed_from="2026-10-31", licensed_until="2026-10-01",
            sample_percent=50, sample_count=3, inspectors_per_entity=1, inspectors=["NOPE"], due_date="昨天"))
    assert set(refused.value.errors) >= {"title", "items", "licensed_until", "sample_percent",
                                          "inspectors_per_entity", "inspectors", "due_date"}
    assert not DrawPlan.objects.exists()


def test_an_empty_pool_is_refused_without_a_draw(world):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(licensed_from="2025-01-01",
                                                                            licensed_until="2025-01-31"))
        with pytest.raises(Conflict, match="名录为空"):
            draw_run(plan=plan, actor=world.regulator)


def test_only_the_plans_own_regulators_draw(world, other_regulator, officer):
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data())
        for stranger in (other_regulator, officer):
            with pytest.raises(NotAllowed):
                draw_run(plan=plan, actor=stranger)
    assert DrawPlan.objects.get(pk=plan.pk).status == DrawStatus.DRAFT


def test_a_person_is_published_masked_and_an_enterprise_in_full(commitment_item, regulator, officer):
    world = draw_world(item=commitment_item, regulator=regulator, officer=officer, person=True)
    plan = drawn(world)
    person = next(e for e in plan.pool if e["name"].startswith("陈"))
    assert person["name"] != "陈大文" and "*" in person["code"]
    enterprise = next(e for e in plan.pool if e is not person)
    assert "*" not in enterprise["code"] and "有限公司" in enterprise["name"]
    assert all("*" in r["name"] or len(r["name"]) <= 1 for r in plan.roster)


def test_a_failed_random_check_of_a_licence_asks_its_authority_to_revoke(world):
    from notices.models import Document
    from supervision.models import RevocationRequest

    plan = drawn(world)
    inspection = Inspection.objects.filter(pick__plan=plan).select_related("application").first()
    documents_before = Document.objects.filter(application=inspection.application).count()
    with at(2026, 11, 20):
        services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome="fails",
                                          note="双随机抽查：经营场所与承诺不符。", ground="false_commitment")
    assert RevocationRequest.objects.get(inspection=inspection).application == inspection.application
    # not the 告知承诺 check record: a 双随机抽查记录 of its own, naming the plan
    issued = Document.objects.filter(application=inspection.application).order_by("-id")
    assert issued.count() == documents_before + 1
    assert issued[0].kind == "draw_check_record" and plan.number in issued[0].html
    assert "提请审批部门依法撤销" in issued[0].html


def test_the_workbench_marks_a_drawn_check_and_names_its_plan(world, client, login):
    from django.urls import reverse

    plan = drawn(world)
    inspection = Inspection.objects.filter(pick__plan=plan).first()
    login(world.regulator)
    desk = client.get(reverse("regulator-desk")).content.decode()
    assert desk.count('title="双随机抽查抽中的检查"') == 3
    page = client.get(reverse("regulator-inspection", args=[inspection.pk])).content.decode()
    assert "双随机抽查：" in page and plan.number in page and "抽查计划规定的检查完成期限" in page


def test_an_ordinary_licence_failed_by_a_random_check_is_revoked_without_a_false_commitment_record(world, officer):
    from licensing import services as licensing_services
    from supervision.models import CreditRecord
    from tests.factories import ApplicantFactory, ApplicationFactory

    with at(2026, 10, 20):
        ordinary = ApplicationFactory(approved=True, item=world.item, applicant=ApplicantFactory(), officer=officer,
                                      channel="window")
    plan = drawn(world, sample_percent=100)
    inspection = Inspection.objects.get(pick__plan=plan, application=ordinary)
    with at(2026, 11, 20):
        services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome="fails",
                                          note="双随机抽查：不具备许可条件。", ground="false_commitment")
        licensing_services.application_revoke(application=ordinary, actor=officer, reason="经双随机抽查不具备许可条件。")
    ordinary.refresh_from_db()
    assert ordinary.status == "revoked"
    assert not CreditRecord.objects.filter(application=ordinary).exists()


def test_each_random_check_of_an_application_has_its_own_record_and_none_replaces_another(world, at):
    from notices.models import Document
    from notices.selectors import document_verify

    first = drawn(world, sample_percent=100)
    with at(2026, 11, 16):
        second = draw_run(plan=draw_plan_create(actor=world.regulator, data=world.plan_data(
            title="复抽", sample_percent=100)), actor=world.regulator)
    application = world.applications[0]
    with at(2026, 11, 20):
        for plan in (first, second):
            inspection = Inspection.objects.get(pick__plan=plan, application=application)
            services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome="conforms",
                                              note=f"{plan.number} 检查未发现问题。")
    records = list(Document.objects.filter(application=application, kind="draw_check_record").order_by("version"))
    assert [(d.version, first.number in d.html or second.number in d.html) for d in records] == [(1, True), (2, True)]
    assert all(document_verify(d.verification_code).superseded_by is None for d in records)
