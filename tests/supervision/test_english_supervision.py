"""English as the second language of supervision's pages and API (issue 15).

With English chosen (the switch's cookie), every page a regulator, an applicant, an approval officer and the
public meet in supervision reads in English: no Chinese is left outside the parts marked lang="zh-Hans" (the
gazette's item names and document numbers, and the data the portal keeps in Chinese: organisations, names,
what people wrote). A refused form says why in English; the API's refusals follow Accept-Language. The
Chinese pages stay as they were: nothing is marked on them (and tests/supervision reads them as before).

The records arrive the real way: decisions through licensing's services, the inbox by delivery, the draw
and the credit records through supervision's services.
"""
import pytest
from django.urls import reverse

from portal.constants import Role
from supervision import services
from supervision.constants import CreditReason, InspectionOutcome
from supervision.directories import inspector_conflict_declare
from supervision.draws import draw_plan_create, draw_run
from supervision.models import CreditRepairRule, InboxRecord
from tests.factories import ApplicationFactory, UserFactory
from tests.i18n_checks import english_leftovers
from tests.supervision.draw_world import TODAY, draw_world
from tests.supervision.inbox_world import deliver_all

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def in_english(client):
    client.cookies["django_language"] = "en"
    return client


def in_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def supervisions_part(html: str) -> str:
    """What supervision renders of a page: its title and its <main> (the site's header and footer are the
    portal's own, checked with its pages)."""
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    return f"<title>{title}</title><main" + html.split("<main", 1)[1].split("</main>", 1)[0] + "</main>"


def leftovers(client, url) -> list[str]:
    """The Chinese an English reader would meet on the page at `url` outside its marked parts."""
    html = page(in_english(client), url)
    assert '<html lang="en">' in html
    return english_leftovers(supervisions_part(html))


@pytest.fixture
def world(at, commitment_item, regulator, officer, enterprise, applicant_user):
    """Item 13's regulator with a queue, an inbox, a drawn plan and a draft, its directories with a declared
    conflict; the enterprise's credit record, open to repair, with a request pending at the officer's authority."""
    colleague = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="核查员乙")
    with at(2026, 10, 9, 10):
        fresh = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise).inspection
        checked = ApplicationFactory(decided=True, item=commitment_item).inspection
        deliver_all()
        services.inspection_assign(inspection=checked, inspectors=[regulator, colleague], actor=regulator)
        services.inspection_record_result(inspection=checked, actor=regulator, outcome=InspectionOutcome.RECTIFY,
                                          note="消防通道堆放杂物。", rectify_within_days=10)
    draws = draw_world(item=commitment_item, regulator=regulator, officer=officer, entities=3, inspectors=3)
    with at(*TODAY):
        drawn = draw_run(plan=draw_plan_create(actor=regulator, data=draws.plan_data()), actor=regulator)
        draft = draw_plan_create(actor=regulator, data=draws.plan_data(title="第二批抽查"))
        inspector_conflict_declare(inspector=draws.inspectors[1], actor=regulator, identifier=enterprise.identifier,
                                   relation="近亲属任该企业法定代表人")
        CreditRepairRule.objects.filter(reason=CreditReason.MISSING_MATERIALS).update(
            repairable=True, after_months=0, basis="测试依据：信用修复办法第五条")
        record = services.credit_record_create(applicant=enterprise, actor=officer,
                                               reason=CreditReason.MISSING_MATERIALS, details="逾期未交安全设施说明")
        repairable = services.credit_record_create(applicant=enterprise, actor=officer,
                                                   reason=CreditReason.FALSE_COMMITMENT)
        repair = services.credit_repair_request_submit(record=record, actor=applicant_user,
                                                       reasons="已补交安全设施说明。")
    return {"fresh": fresh, "checked": checked, "drawn": drawn, "draft": draft, "inspector": draws.inspectors[1],
            "record": repairable, "repair": repair, "inbox": InboxRecord.objects.get(application=fresh.application)}


def regulator_pages(world) -> list[str]:
    return [
        reverse("regulator-desk"), reverse("regulator-desk") + "?status=rectify",
        reverse("regulator-inspection", args=[world["fresh"].pk]),
        reverse("regulator-inspection", args=[world["checked"].pk]),
        reverse("supervision-inbox"), reverse("supervision-inbox-record", args=[world["inbox"].pk]),
        reverse("draw-list"), reverse("draw-new"), reverse("draw-edit", args=[world["draft"].pk]),
        reverse("draw-detail", args=[world["draft"].pk]), reverse("draw-detail", args=[world["drawn"].pk]),
        reverse("entity-directory"), reverse("inspector-directory"),
        reverse("inspector-detail", args=[world["inspector"].pk]),
    ]


def test_the_regulators_pages_read_in_english_with_only_marked_chinese_left(login, at, world, regulator):
    client = login(regulator)
    with at(*TODAY):
        found = {url: leftovers(client, url) for url in regulator_pages(world)}
    assert {url: words for url, words in found.items() if words} == {}


def test_the_lists_htmx_asks_for_alone_read_in_english(login, at, world, regulator):
    """The queue and the inbox, as the filters and the pager fetch them without reloading the page."""
    client = in_english(login(regulator))
    regions = {reverse("regulator-desk") + "?status=pending": "inspection-queue",
               reverse("supervision-inbox") + "?acknowledged=false": "inbox-records"}
    with at(*TODAY):
        found = {}
        for url, region in regions.items():
            response = client.get(url, headers={"HX-Request": "true", "HX-Target": region})
            html = response.content.decode()
            assert response.status_code == 200 and "<html" not in html and f'id="{region}"' in html
            found[url] = english_leftovers(html)
    assert {url: words for url, words in found.items() if words} == {}


def test_the_public_pages_read_in_english(client, at, world):
    drawn = world["drawn"]
    with at(*TODAY):
        found = {url: leftovers(client, url) for url in [
            reverse("credit-public"), reverse("credit-public") + "?q=好客", reverse("draw-disclosure"),
            reverse("draw-disclosure-detail", args=[drawn.number])]}
    assert {url: words for url, words in found.items() if words} == {}


def test_the_credit_repair_pages_read_in_english_on_both_sides(login, at, world, applicant_user, officer):
    with at(*TODAY):
        applicant_side = {url: leftovers(login(applicant_user), url) for url in [
            reverse("my-credit"), reverse("my-credit-repair", args=[world["record"].pk]),
            reverse("my-credit-repair", args=[world["repair"].record_id])]}
        authority_side = {url: leftovers(login(officer), url) for url in [
            reverse("credit-repair-desk"), reverse("credit-repair-request", args=[world["repair"].pk])]}
    assert {url: words for url, words in {**applicant_side, **authority_side}.items() if words} == {}


def test_the_gazette_and_the_data_stay_in_chinese_marked_so(login, at, world, regulator, commitment_item):
    with at(*TODAY):
        html = page(in_english(login(regulator)), reverse("regulator-inspection", args=[world["fresh"].pk]))
    assert f'<span lang="zh-Hans">{commitment_item.name}</span>' in html
    assert '<span lang="zh-Hans">钦州市好客旅馆有限公司</span>' in html
    assert "Follow-up inspection" in html


def test_a_refused_result_says_why_in_english(login, at, world, regulator):
    client = in_english(login(regulator))
    url = reverse("regulator-inspection-result", args=[world["fresh"].pk])
    with at(*TODAY):
        services.inspection_assign(inspection=world["fresh"], inspectors=list(world["checked"].inspectors.all()),
                                   actor=regulator)
        no_outcome = client.post(url, {"note": "Checked on site."})
        no_note = client.post(url, {"outcome": "conforms", "note": " "})
    assert no_outcome.status_code == 400
    assert "Please choose the result." in no_outcome.content.decode()
    assert english_leftovers(supervisions_part(no_outcome.content.decode())) == []
    assert no_note.status_code == 400
    assert "Please describe what the inspection found." in no_note.content.decode()


def test_a_bad_directory_filter_is_explained_in_english(login, at, world, regulator):
    with at(*TODAY):
        response = in_english(login(regulator)).get(reverse("entity-directory"), {"item": "??", "since": "昨天"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The item code is not valid, e.g. QZ-013." in html
    assert "Please enter the start of the effective dates as YYYY-MM-DD" in html


def test_the_apis_refusals_follow_accept_language(login, at, world, regulator, officer):
    client = login(regulator)
    inspections = "/api/v1/inspections/"
    assign = f"/api/v1/inspections/{world['fresh'].pk}/assign/"
    with at(*TODAY):
        english = client.get(inspections, {"status": "done"}, **ENGLISH)
        chinese = client.get(inspections, {"status": "done"})
        english_body = client.post(assign, {}, content_type="application/json", **ENGLISH)
        chinese_body = client.post(assign, {}, content_type="application/json")
        not_a_regulator = login(officer).get("/api/v1/draws/", **ENGLISH)
    assert english.status_code == chinese.status_code == 400
    assert english.json()["detail"].startswith("The inspection status is not valid; choose one of: pending, passed")
    assert chinese.json()["detail"].startswith("核查状态无效，可选：pending、passed")
    assert english_body.json()["detail"] == "Please choose the inspectors."
    assert chinese_body.json()["detail"] == "请选择核查人员。"
    assert not_a_regulator.status_code == 403
    assert english_leftovers(not_a_regulator.json()["detail"]) == []


def test_the_api_ignores_the_pages_language_cookie(login, at, world, regulator):
    """A client's language is its Accept-Language header; a cookie set by the pages' switch does not change it."""
    client = in_english(login(regulator))
    with at(*TODAY):
        response = client.get("/api/v1/inspections/", {"overdue": "maybe"})
    assert response.json()["detail"] == "“已逾期”应为 true 或 false。"


def test_the_chinese_pages_mark_nothing(login, at, world, regulator):
    client = in_chinese(login(regulator))
    with at(*TODAY):
        pages = [page(client, url) for url in regulator_pages(world)]
    assert all('<html lang="zh-Hans">' in html for html in pages)
    assert not [html for html in pages if 'lang="zh-Hans"' in supervisions_part(html)]
    assert "核查工作台" in pages[0] and "监管收件箱" in pages[4]
