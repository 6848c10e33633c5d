"""Issue 14, the directories of 双随机: a regulator's 监管对象库 and its 执法检查人员库.

The entity directory lists every applicant holding, for the regulator's organisation, a licence, a filing
or a cancelled item's registration in force (a revoked licence drops out), enterprises in full and persons
masked, with filters that refuse bad values (400) and a page whose cost does not grow with the page. The
inspector directory is kept on the desk: inspectors added once, taken out of the draws and back, and their
declared conflicts (回避) keep them away from those entities when a plan is drawn.
"""
import html

import pytest
from django.urls import reverse

from licensing import services as licensing_services
from licensing.constants import ReformMode
from portal.constants import Role
from portal.masking import mask_identifier
from portal.models import AuditAction, AuditEvent
from supervision.draws import draw_plan_create, draw_run
from supervision.models import Inspector, InspectorConflict
from tests.clock import at
from tests.factories import (
    ApplicantFactory, ApplicationFactory, UserFactory, catalogue_item, route_item, valid_id_number,
)
from tests.supervision.draw_world import draw_world

pytestmark = pytest.mark.django_db

ENTITIES = reverse("entity-directory")
INSPECTORS = reverse("inspector-directory")


@pytest.fixture
def world(commitment_item, regulator, officer):
    """Six holders of item 13's licence (the first a person), decided 12–16 October 2026."""
    return draw_world(item=commitment_item, regulator=regulator, officer=officer, person=True)


@pytest.fixture
def desk(login, regulator):
    return login(regulator)


def text(response, status=200) -> str:
    assert response.status_code == status, response.content[:500]
    return html.unescape(response.content.decode())


def a_filing_and_a_registration(organisation):
    """A filing (审批改为备案) and a cancelled item's registration, both routed to `organisation`."""
    made = []
    for mode, trait in ((ReformMode.FILING, "filed"), (ReformMode.CANCEL, "recorded")):
        item = catalogue_item(mode)
        route_item(item, organisation)
        with at(2026, 11, 2):
            made.append(ApplicationFactory(**{trait: True}, item=item))
    assert all(a.regulator_id == organisation.pk for a in made)
    return made


# --- 监管对象库 --------------------------------------------------------------------------------------

def test_the_directory_lists_exactly_the_entities_in_force(world, desk, officer):
    person, revoked = world.applications[0], world.applications[1]
    with at(2026, 11, 3):
        licensing_services.application_revoke(application=revoked, actor=officer, reason="检查发现承诺内容不实。")
    filing, registration = a_filing_and_a_registration(world.organisation)
    with at(2026, 11, 16):
        page = text(desk.get(ENTITIES))
    for application in world.applications[2:] + [filing, registration]:
        assert application.applicant.name in page and application.applicant.identifier in page
        assert f'href="{reverse("web-application-detail", args=[application.number])}"' in page
    assert revoked.applicant.name not in page and revoked.number not in page
    for label in ("准予许可", "已备案", "已登记（取消审批）"):
        assert label in page
    # a person: the surname and the ID number's ends only
    assert "陈*" in page and "陈大文" not in page
    assert mask_identifier(person.applicant.identifier) in page and person.applicant.identifier not in page
    assert "共 7 户" in page


def test_the_filters_narrow_the_directory(world, desk, commitment_item):
    filing, _registration = a_filing_and_a_registration(world.organisation)
    names = {a.applicant.name for a in world.applications[1:]}

    def listed(**query):
        page = text(desk.get(ENTITIES, query))
        return {name for name in names | {filing.applicant.name} if name in page}

    assert listed(item=commitment_item.code.lower()) == names
    assert listed(item=filing.item.code) == {filing.applicant.name}
    county = commitment_item.authorities.first().organisation.code
    assert listed(county=county) == names
    # decided on the 12th to the 16th by turns: the 14th and the 15th are the third and the fourth
    assert listed(since="2026-10-14", until="2026-10-15") == {a.applicant.name for a in world.applications[2:4]}
    assert listed(since="2026-11-01") == {filing.applicant.name}
    third = world.applications[3].applicant
    # a part of the name that only it has (the factory's names differ by their number: 钦州测试<n>有限公司)
    assert listed(q=third.name.removeprefix("钦州")[:-3]) == {third.name}
    assert listed(q=third.identifier.lower()) == {third.name}


def test_a_person_is_found_by_the_full_id_number_only(world, desk):
    person = world.applications[0].applicant
    assert mask_identifier(person.identifier) in text(desk.get(ENTITIES, {"q": person.identifier}))
    assert "没有符合条件的监管对象" in text(desk.get(ENTITIES, {"q": "陈大"}))
    assert "没有符合条件的监管对象" in text(desk.get(ENTITIES, {"q": person.identifier[:10]}))


@pytest.mark.parametrize(("query", "said"), [
    ({"item": "QZ 013!"}, "事项编码格式不正确"),
    ({"item": "QZ-999"}, "没有编码为 QZ-999 的事项"),
    ({"county": "NOPE"}, "没有机构代码为 NOPE 的审批部门"),
    ({"county": "县区"}, "机构代码格式不正确"),
    ({"since": "2026-13-01"}, "请按 YYYY-MM-DD 填写生效日期起"),
    ({"since": "2026-10-20", "until": "2026-10-10"}, "生效日期止不能早于生效日期起"),
    ({"q": "钦州\x01"}, "查询内容应为"),
    ({"q": "钦州\x00"}, "空字符"),  # refused before any view reads it (portal.middleware)
    ({"q": "钦" * 101}, "查询内容应为"),
])
def test_bad_filters_are_refused_in_chinese_and_list_nothing(world, desk, query, said):
    page = text(desk.get(ENTITIES, query), status=400)
    assert said in page
    assert world.applications[2].applicant.name not in page


def test_a_page_costs_the_same_at_five_and_twenty_five_entities(commitment_item, regulator, officer, desk,
                                                               django_assert_max_num_queries):
    world = draw_world(item=commitment_item, regulator=regulator, officer=officer, entities=5, inspectors=1)
    desk.get(ENTITIES)  # the session and the second factor settle on the first request
    with django_assert_max_num_queries(10) as five:
        assert text(desk.get(ENTITIES)).count('href="/applications/') == 5
    for n in range(20):
        with at(2026, 10, 20, 10):
            ApplicationFactory(decided=True, item=world.item, officer=officer, channel="window")
    with django_assert_max_num_queries(10) as twenty_five:
        assert text(desk.get(ENTITIES)).count('href="/applications/') == 25
    assert len(twenty_five.captured_queries) == len(five.captured_queries)


def test_another_regulator_sees_none_of_them(world, login, other_regulator):
    page = text(login(other_regulator).get(ENTITIES))
    assert not any(a.applicant.name in page or a.number in page for a in world.applications)
    assert "本部门还没有监管对象" in page


def test_the_export_holds_every_item_of_the_filtered_directory(world, desk):
    import io

    import openpyxl

    with at(2026, 11, 16):
        response = desk.get(reverse("entity-directory-export"), {"since": "2026-10-14"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    numbers = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {a.number for a in world.applications[2:5]}
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.regulator).exists()
    assert desk.get(reverse("entity-directory-export"), {"until": "昨天"}).status_code == 400


def test_only_regulators_keep_directories(login, officer, client):
    assert login(officer).get(ENTITIES).status_code == 403
    client.logout()
    response = client.get(INSPECTORS)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- 执法检查人员库 ------------------------------------------------------------------------------------

@pytest.fixture
def newcomer(regulator):
    return UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="韦执法")


def test_a_regulator_adds_an_inspector_once(desk, regulator, newcomer):
    assert "韦执法" in text(desk.get(INSPECTORS))  # offered among the accounts to add
    response = desk.post(reverse("inspector-add"), {"username": newcomer.username, "code": "45070-0099"})
    assert response.status_code == 302
    inspector = Inspector.objects.get(user=newcomer)
    assert (inspector.organisation_id, inspector.code, inspector.active) == (regulator.organisation_id,
                                                                             "45070-0099", True)
    assert AuditEvent.objects.filter(actor=regulator, object_id=str(inspector.pk)).exists()
    page = text(desk.get(INSPECTORS))
    assert "45070-0099" in page and "0 项" in page
    # the same account again, or the same 执法证号 for another: refused with a message, nothing added
    again = desk.post(reverse("inspector-add"), {"username": newcomer.username, "code": "45070-0100"})
    assert "已在执法检查人员库中" in text(again, status=409)
    other = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation)
    taken = desk.post(reverse("inspector-add"), {"username": other.username, "code": "45070-0099"})
    assert "执法证号 45070-0099 已经登记" in text(taken, status=409)
    assert Inspector.objects.count() == 1


@pytest.mark.parametrize(("form", "said"), [
    ({"username": "", "code": "45070"}, "请选择要加入执法检查人员库的监管人员"),
    ({"username": "nobody", "code": "45070"}, "不是本部门在岗的监管人员"),
    ({"username": "{newcomer}", "code": "执法证 1"}, "执法证号由字母、数字和“-”组成"),
    ({"username": "{newcomer}", "code": ""}, "请填写执法证号"),
])
def test_a_bad_addition_is_refused(desk, newcomer, form, said):
    form = {k: v.format(newcomer=newcomer.username) for k, v in form.items()}
    assert said in text(desk.post(reverse("inspector-add"), form), status=400)
    assert not Inspector.objects.exists()


def test_an_account_of_another_organisation_cannot_be_added(desk, other_regulator):
    response = desk.post(reverse("inspector-add"), {"username": other_regulator.username, "code": "45070"})
    assert "不是本部门在岗的监管人员" in text(response, status=400)


def test_an_inspector_is_taken_out_of_the_draws_and_back(world, desk):
    inspector = world.inspectors[1]
    url = reverse("inspector-active", args=[inspector.pk])
    assert desk.post(url, {"active": "false"}).status_code == 302
    inspector.refresh_from_db()
    assert not inspector.active and "已移出" in text(desk.get(INSPECTORS))
    assert desk.post(url, {"active": "true"}).status_code == 302
    inspector.refresh_from_db()
    assert inspector.active
    assert "“在库”应为 true 或 false" in text(desk.post(url, {"active": "maybe"}), status=400)
    # an account no longer an active regulator cannot come back
    desk.post(url, {"active": "false"})
    inspector.user.is_active = False
    inspector.user.save()
    assert "不能恢复在库" in text(desk.post(url, {"active": "true"}), status=409)
    assert inspector.history.count() >= 4


def test_another_organisations_inspector_does_not_exist_for_a_regulator(world, login, other_regulator):
    client = login(other_regulator)
    inspector = world.inspectors[1]
    assert client.get(reverse("inspector-detail", args=[inspector.pk])).status_code == 404
    assert client.post(reverse("inspector-active", args=[inspector.pk]), {"active": "false"}).status_code == 404
    inspector.refresh_from_db()
    assert inspector.active
    assert "执法1号" not in text(client.get(INSPECTORS))


def declare(client, inspector, applicant, relation="近亲属任该企业法定代表人"):
    return client.post(reverse("inspector-conflict-add", args=[inspector.pk]),
                       {"identifier": applicant.identifier, "relation": relation})


def test_a_declared_conflict_keeps_the_inspector_away_from_that_entity_in_the_draw(world, desk):
    related = world.applications[2].applicant
    declared = world.inspectors[2:]  # all but two: those two must inspect it
    for inspector in declared:
        assert declare(desk, inspector, related).status_code == 302
    detail = text(desk.get(reverse("inspector-detail", args=[declared[0].pk])))
    assert related.name in detail and "近亲属任该企业法定代表人" in detail
    assert "1 项" in text(desk.get(INSPECTORS))
    assert AuditEvent.objects.filter(action=AuditAction.INSPECTOR_CONFLICT, actor=world.regulator).count() == 2
    with at(2026, 11, 16):
        plan = draw_plan_create(actor=world.regulator, data=world.plan_data(sample_percent=100))
        plan = draw_run(plan=plan, actor=world.regulator)
    pick = plan.picks.prefetch_related("inspectors").get(applicant=related)
    assert {i.code for i in pick.inspectors.all()} == {i.code for i in world.inspectors[:2]}
    for other in plan.picks.exclude(applicant=related).prefetch_related("inspectors"):
        assert len(other.inspectors.all()) == 2


def test_a_conflict_names_a_known_applicant_once(world, desk):
    inspector = world.inspectors[1]
    unknown = declare(desk, inspector, ApplicantFactory.build(identifier=valid_id_number(99)))
    assert "没有找到证件号码为" in text(unknown, status=400)
    bad = desk.post(reverse("inspector-conflict-add", args=[inspector.pk]), {"identifier": "123", "relation": ""})
    page = text(bad, status=400)
    assert "应为18位数字或大写字母" in page and "请填写回避事由" in page
    person = world.applications[0].applicant  # a person: declared by the full number, shown masked
    assert declare(desk, inspector, person).status_code == 302
    assert "已经登记过" in text(declare(desk, inspector, person, relation="再次申报"), status=409)
    detail = text(desk.get(reverse("inspector-detail", args=[inspector.pk])))
    assert mask_identifier(person.identifier) in detail and person.identifier not in detail and "陈大文" not in detail
    assert InspectorConflict.objects.filter(inspector=inspector).count() == 1


# --- the admin -------------------------------------------------------------------------------------

def test_an_admin_reads_the_directory_and_removes_a_mistaken_conflict_with_its_history(world, desk, login,
                                                                                      admin_user):
    inspector, related = world.inspectors[1], world.applications[2].applicant
    declare(desk, inspector, related)
    conflict = InspectorConflict.objects.get()
    client = login(admin_user)
    assert inspector.code in text(client.get(reverse("admin:supervision_inspector_changelist")))
    conflicts = reverse("admin:supervision_inspectorconflict_changelist")
    listed = text(client.get(conflicts))
    assert related.masked_identifier in listed and related.identifier not in listed  # lists mask it
    assert related.name in text(client.get(conflicts, {"q": related.identifier}))  # found by the full code
    assert related.name not in text(client.get(conflicts, {"q": related.identifier[:10]}))
    # the roster is kept on the desk: the admin cannot edit an inspector by hand
    client.post(reverse("admin:supervision_inspector_change", args=[inspector.pk]), {"code": "X"})
    assert Inspector.objects.get(pk=inspector.pk).code == inspector.code
    response = client.post(reverse("admin:supervision_inspectorconflict_delete", args=[conflict.pk]), {"post": "yes"})
    assert response.status_code == 302 and not InspectorConflict.objects.exists()
    assert InspectorConflict.history.filter(id=conflict.pk, history_type="-").exists()
    assert AuditEvent.objects.filter(action=AuditAction.INSPECTOR_CONFLICT, actor=admin_user,
                                     details__step="conflict_remove").exists()


def test_a_regulator_cannot_remove_a_conflict(world, desk, regulator):
    from portal.exceptions import NotAllowed
    from supervision.directories import inspector_conflict_remove

    declare(desk, world.inspectors[1], world.applications[2].applicant)
    with pytest.raises(NotAllowed):
        inspector_conflict_remove(conflict=InspectorConflict.objects.get(), actor=regulator)
    assert InspectorConflict.objects.count() == 1
