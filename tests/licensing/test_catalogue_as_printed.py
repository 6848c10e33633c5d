"""The catalogue as 附件2 printed it, beside what the portal repaired (issue 11, "Catalogue details, as printed").

The gazette is read from ../shared/source/ (every checkout and CI run has it), so a footnote or a printed
cell that drifts from it fails here.
"""
import importlib
import json
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from licensing.constants import AuthorityRole
from licensing.models import Application, Item, ItemAuthority, RegulatorRoute
from licensing.selectors import decider_options
from licensing.selectors.catalogue import CATALOGUE_FOOTNOTE
from portal.models import Organisation
from tests.gazette import gazette_lines

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("licensing.migrations.0009_catalogue_as_printed")
TEXT_FIELDS = MIGRATION.TEXT_FIELDS
HistoricalItem = Item.history.model
# The OCR of the gazette prints full-width punctuation as half-width with a space.
OCR_PUNCTUATION = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"})


def unocr(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(OCR_PUNCTUATION)


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def guide(client, code) -> str:
    return page(client, reverse("item-guide", args=[code]))


def between(html: str, start: str, end: str) -> str:
    """The part of the page from `start` up to the next `end`."""
    head = html.index(start)
    return html[head:html.index(end, head)]


def items_with_texts() -> list[str]:
    rows = json.loads(MIGRATION.DATA.read_text(encoding="utf-8"))["items"]
    return [row["code"] for row in rows if any(row.get(f) for f in TEXT_FIELDS)]


# ---------------------------------------------------------------- the table's 备注


def test_the_catalogue_page_shows_the_table_s_footnote_word_for_word(client):
    """附件2, after item 100: "备注: 各级各部门根据各自职责和工作实际, 制定本单位改革举措。 1. 行政审批部门制定本部门
    许可环节改革举措, 行业主管部门制定事中事后监管举措。 2. … 3. 行政审批权限在上级部门的, … 按照上级部门出台的
    具体管理措施执行。" It applies to every item, so it follows every page of the list."""
    lines = gazette_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("备注:") and "制定本单位改革举措" in line)
    printed = [unocr(line) for line in lines[start:start + 4]]
    assert printed[0] == "备注：" + CATALOGUE_FOOTNOTE.text
    assert [re.sub(r"^\d\.", "", p) for p in printed[1:]] == list(CATALOGUE_FOOTNOTE.points)
    assert [p[:2] for p in printed[1:]] == ["1.", "2.", "3."]
    for number in (1, 5):
        html = page(client, reverse("catalogue"), page=number)
        assert "备注：" + CATALOGUE_FOOTNOTE.text in html
        assert all(f"<li>{point}</li>" in html for point in CATALOGUE_FOOTNOTE.points)
        assert CATALOGUE_FOOTNOTE.source in html


def test_each_item_s_own_remark_is_in_the_list_and_in_its_guide(client):
    """Item 1's 备注 cell: "按自治区公安厅出台的具体管理措施执行"."""
    remark = "按自治区公安厅出台的具体管理措施执行"
    assert Item.objects.get(seq_no=1).remark == remark
    assert f"<td>{remark}</td>" in page(client, reverse("catalogue"), seq_no=1, q="因私出入境")
    assert remark in guide(client, "QZ-001")


# ---------------------------------------------------------------- printed text beside the repair


def test_the_guide_of_item_6_shows_the_printed_name_and_authorities_beside_the_repair(client):
    """Item 6 as printed: 事项名称 "从事出版物、包和刷的批 装装横印刷品业 其他印刷品企 经营活立、更 设、变更审",
    实施机关 "自治区新 闻局、审 批局"."""
    html = guide(client, "QZ-006")
    item = Item.objects.get(code="QZ-006")
    assert "<h1>从事出版物、包装装潢印刷品和其他印刷品印刷经营活动的企业设立、变更审批</h1>" in html
    assert "目录原文（事项名称）：</span>“从事出版物、包和刷的批 装装横印刷品业 其他印刷品企 经营活立、更 设、变更审”" in html
    authorities = between(html, "<dt>实施机关</dt>", "</dd>")
    assert "自治区新闻出版局" in authorities and "市行政审批局" in authorities
    assert "目录原文：</span>“自治区新 闻局、审 批局”" in authorities
    assert '<dt id="repair-note">修订说明</dt>' in html and item.repair_note in html
    assert "第7、8项" in item.repair_note and "第47项" in item.repair_note  # what it was inferred from


def test_qz_042a_shows_the_printed_自然资源局_beside_自然资源部(client):
    """Item 42 (甲级) as printed: 实施机关 "自然资源局", 备注 "按自然资源部出台的具 体管理措施 执行"."""
    authorities = between(guide(client, "QZ-042A"), "<dt>实施机关</dt>", "</dd>")
    assert "<li>自然资源部（" in authorities
    assert "目录原文：</span>“自然资源局”" in authorities
    note = Item.objects.get(code="QZ-042A").repair_note
    assert note.startswith("公报印作“自然资源局”") and "推断为自然资源部" in note


def test_qz_042b_shows_the_printed_自治区自然资源局_beside_the_自然资源厅(client):
    """Item 42 (乙、丙、丁级) as printed: 实施机关 "自治区自然资源局", 备注 "按自治区自然资 源厅出台的…"."""
    authorities = between(guide(client, "QZ-042B"), "<dt>实施机关</dt>", "</dd>")
    assert "<li>自治区自然资源厅（" in authorities and "目录原文：</span>“自治区自然资源局”" in authorities


# ---------------------------------------------------------------- how the authorities relate


def test_item_22_s_guide_says_its_authorities_are_alternatives(client):
    """Item 22: "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局" — one of them decides an application."""
    authorities = between(guide(client, "QZ-022"), "<dt>实施机关</dt>", "</dd>")
    assert "目录原文：</span>“交通运输部或者自治区人民政府水路运输管理部门、市行政审批局”" in authorities
    assert "<strong>实施机关说明：</strong>" in authorities and "择一关系而非共同审批" in authorities
    options = decider_options(Item.objects.get(code="QZ-022"))
    assert [o.label for o in options] == ["交通运输部", "自治区人民政府水路运输管理部门", "市行政审批局"]


def test_item_55_s_county_authority_keeps_the_gazette_s_wording(client):
    """Item 55: "行政审批局, 各县(市)人民政府文化广电旅游体育部门" — not items 33/34's "市、县区人民政府文化广电体育
    旅游部门" nor item 44's "县区人民政府文化广电体育旅游部门"."""
    county = ItemAuthority.objects.get(item__code="QZ-055", organisation__level="county").organisation
    assert county.name == "各县(市)人民政府文化广电旅游体育部门"
    assert list(county.item_roles.values_list("item__code", flat=True)) == ["QZ-055"]
    other = Organisation.objects.get(name="县区人民政府文化广电体育旅游部门")
    for code in ("QZ-033", "QZ-034", "QZ-044"):
        assert ItemAuthority.objects.get(item__code=code, organisation__level="county").organisation == other
    assert "“行政审批局”未写层级" in Item.objects.get(code="QZ-055").authority_note
    assert "各县(市)人民政府文化广电旅游体育部门（县区，审批）" in guide(client, "QZ-055")


def test_item_21_s_entrusted_row_names_the_authority_it_decides_for(client):
    """Item 21: "自治区文化和旅游厅或者其委托的市行政审批局" — the bureau decides in the 厅's name."""
    row = ItemAuthority.objects.get(item__code="QZ-021", role=AuthorityRole.DELEGATED)
    assert (row.organisation.name, row.entrusted_by.name) == ("市行政审批局", "自治区文化和旅游厅")
    assert "市行政审批局（市，委托：受自治区文化和旅游厅委托，以其名义作出决定）" in guide(client, "QZ-021")
    assert "市行政审批局（受自治区文化和旅游厅委托）" in page(client, reverse("catalogue"), q="旅行社设立许可")


def test_items_80_and_82_entrusted_rows_name_the_自治区应急厅():
    """Item 80: "自治区应急厅及其委托的市、县区人民政府应急管理部门"; item 82: "自治区应急厅及其委托的市应急局"."""
    rows = ItemAuthority.objects.filter(role=AuthorityRole.DELEGATED).select_related("item", "organisation", "entrusted_by")
    assert sorted((r.item.code, r.organisation.name, r.entrusted_by.name) for r in rows) == [
        ("QZ-021", "市行政审批局", "自治区文化和旅游厅"),
        ("QZ-080", "县区人民政府应急管理部门", "自治区应急厅"),
        ("QZ-080", "市人民政府应急管理部门", "自治区应急厅"),
        ("QZ-082", "市应急局", "自治区应急厅"),
    ]
    assert not ItemAuthority.objects.exclude(role=AuthorityRole.DELEGATED).filter(entrusted_by__isnull=False).exists()


def test_item_75_s_guide_shows_who_examines_first_and_in_what_order(client):
    """Item 75: "自治区公安厅审批，市人民政府公安部门审核，县区人民政府公安部门审查" — the county examines, the city
    checks, the region decides."""
    html = guide(client, "QZ-075")
    order = between(html, "<dt>办理顺序</dt>", "</dd>")
    steps = ["县区人民政府公安部门审查", "市人民政府公安部门审核", "自治区公安厅审批，作出决定"]
    assert all(step in order for step in steps)
    assert [order.index(step) for step in steps] == sorted(order.index(step) for step in steps)
    assert "目录原文：</span>“自治区公安厅审批，市人民政府公安部门审核，县区人民政府公安部门审查”" in html


def test_an_item_decided_by_one_authority_has_no_review_order(client):
    """Item 13: "县区人民政府公安部门" alone."""
    assert "办理顺序" not in guide(client, "QZ-013")


# ---------------------------------------------------------------- the API


def test_the_api_detail_carries_the_printed_text_the_notes_and_each_entruster(client):
    """Item 21: "自治区文化和旅游厅或者其委托的市行政审批局"; item 6's printed cells."""
    item = client.get("/api/v1/items/QZ-021/").json()
    assert item["printed_authorities"] == "自治区文化和旅游厅或者其委托的市行政审批局"
    assert item["authority_note"].startswith("自治区文化和旅游厅审批，或者由其委托的市行政审批局")
    entrusted = {a["name"]: a["entrusted_by"] for a in item["authorities"]}
    assert entrusted == {"自治区文化和旅游厅": None,
                         "市行政审批局": {"code": "R09", "name": "自治区文化和旅游厅", "level": "region"}}
    six = client.get("/api/v1/items/QZ-006/").json()
    assert six["printed_name"] == "从事出版物、包和刷的批 装装横印刷品业 其他印刷品企 经营活立、更 设、变更审"
    assert six["printed_authorities"] == "自治区新 闻局、审 批局" and "推断" in six["repair_note"]
    plain = client.get("/api/v1/items/QZ-013/").json()
    assert (plain["printed_name"], plain["repair_note"], plain["authority_note"]) == ("", "", "")


# ---------------------------------------------------------------- history and migration 0009


def test_the_history_says_what_was_printed_what_was_inferred_and_why():
    """Item 6 printed "自治区新 闻局、审 批局"; item 42 printed "自然资源局" and "自治区自然资源局"."""
    reasons = {code: HistoricalItem.objects.filter(code=code, history_change_reason__startswith="问题11：")
               .values_list("history_change_reason", flat=True).get() for code in ("QZ-006", "QZ-042A", "QZ-042B")}
    assert "印作“自治区新 闻局、审 批局”" in reasons["QZ-006"] and "推断" in reasons["QZ-006"]
    assert "印作“自然资源局”" in reasons["QZ-042A"] and "故推断为自然资源部" in reasons["QZ-042A"]
    assert "印作“自治区自然资源局”" in reasons["QZ-042B"] and "自治区无此机构" in reasons["QZ-042B"]
    latest = HistoricalItem.objects.filter(code="QZ-006").order_by("-history_date", "-history_id").first()
    assert latest.printed_authorities == "自治区新 闻局、审 批局"  # the entry records the printed text itself


def test_every_reason_fits_the_history_column():
    """simple_history keeps a change reason in 100 characters; PostgreSQL refuses a longer one."""
    limit = HistoricalItem._meta.get_field("history_change_reason").max_length
    assert max(len(r) for r in [MIGRATION.REASON, *MIGRATION.REASONS.values()]) <= limit


def test_the_admin_history_page_of_item_6_shows_the_reason(login, admin_user):
    """Item 6: "自治区新 闻局、审 批局"."""
    item = Item.objects.get(code="QZ-006")
    html = page(login(admin_user), reverse("admin:licensing_item_history", args=[item.pk]))
    assert MIGRATION.REASONS["QZ-006"] in html


def snapshot() -> dict:
    return {
        "items": list(Item.objects.order_by("code").values_list("code", *TEXT_FIELDS)),
        "history": HistoricalItem.objects.count(),
        "authorities": list(ItemAuthority.objects.order_by("id").values_list(
            "id", "item_id", "organisation_id", "role", "entrusted_by_id")),
        "organisations": list(Organisation.objects.order_by("id").values_list("id", "code", "name")),
        "applications": list(Application.objects.order_by("id").values_list("id", "authority_id", "entrusted_id")),
    }


def test_running_0009_a_second_time_changes_nothing_and_each_item_has_one_entry():
    """Each printed cell is recorded once in the item's history (issue 11: "the item's history says what the
    gazette printed, what was inferred and why")."""
    before = snapshot()
    MIGRATION.forwards(django_apps, None)
    assert snapshot() == before
    changed = items_with_texts()
    assert {"QZ-006", "QZ-042A", "QZ-042B", "QZ-021", "QZ-022", "QZ-055"} <= set(changed)
    for code in changed:
        assert HistoricalItem.objects.filter(code=code, history_change_reason__startswith="问题11：").count() == 1, code
    assert not HistoricalItem.objects.filter(history_change_reason__startswith="问题11：").exclude(code__in=changed).exists()


def test_0009_brings_an_old_database_to_the_printed_catalogue():
    """A database loaded before issue 11: item 55's county authority merged into 县区人民政府文化广电体育旅游部门,
    no printed text, 委托 rows without their 委托机关. 0009 gives it what a fresh one has (item 55: "各县(市)人民
    政府文化广电旅游体育部门"; item 21: "或者其委托的市行政审批局"), the routes following item 55's authority."""
    merged, own = Organisation.objects.get(code="D07"), Organisation.objects.get(code="D07B")
    regulator = Organisation.objects.get(code="C04")
    ItemAuthority.objects.filter(item__code="QZ-055", organisation=own).update(organisation=merged)
    RegulatorRoute.objects.create(item=Item.objects.get(code="QZ-055"), level="county", authority=merged,
                                  regulator=regulator)
    ItemAuthority.objects.update(entrusted_by=None)
    Item.objects.filter(code="QZ-006").update(printed_name="", printed_authorities="", repair_note="")
    MIGRATION.forwards(django_apps, None)
    assert ItemAuthority.objects.get(item__code="QZ-055", organisation__level="county").organisation == own
    assert RegulatorRoute.objects.get(item__code="QZ-055").authority == own
    assert ItemAuthority.objects.get(item__code="QZ-021", role=AuthorityRole.DELEGATED).entrusted_by.code == "R09"
    item = Item.objects.get(code="QZ-006")
    assert item.printed_authorities == "自治区新 闻局、审 批局" and item.repair_note
    latest = HistoricalItem.objects.filter(code="QZ-006").order_by("-history_id").first()
    assert latest.history_change_reason == MIGRATION.REASONS["QZ-006"]


# ---------------------------------------------------------------- the admin


def change_form_data(response) -> dict:
    """What the admin change form would post back unchanged: the item's fields and every inline row."""
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "measures"}
    data["measures"] = json.dumps(form.initial["measures"], ensure_ascii=False)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for row in formset.forms:
            data.update({row.add_prefix(name): row[name].value() for name in row.fields
                         if row[name].value() is not None})
    return data


def delegated_row_prefix(data: dict) -> str:
    return next(k.rsplit("-", 1)[0] for k, v in data.items() if k.startswith("authorities-") and v == "delegated")


def test_the_item_admin_shows_the_printed_text_in_its_own_fieldset(login, admin_user):
    """Item 6's 事项名称 as printed: "从事出版物、包和刷的批 装装横印刷品业 其他印刷品企 经营活立、更 设、变更审"."""
    url = reverse("admin:licensing_item_change", args=[Item.objects.get(code="QZ-006").pk])
    html = page(login(admin_user), url)
    assert "目录原文与修订说明" in html
    for field in ("printed_name", "printed_authorities", "repair_note", "authority_note"):
        assert f'name="{field}"' in html
    assert "从事出版物、包和刷的批 装装横印刷品业 其他印刷品企 经营活立、更 设、变更审" in html


def test_the_authority_inline_saves_an_unchanged_item_21(login, admin_user):
    """Item 21: "自治区文化和旅游厅或者其委托的市行政审批局" — the 委托 row with its 委托机关 is valid as it is."""
    client = login(admin_user)
    url = reverse("admin:licensing_item_change", args=[Item.objects.get(code="QZ-021").pk])
    response = client.post(url, change_form_data(client.get(url)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ItemAuthority.objects.get(item__code="QZ-021", role=AuthorityRole.DELEGATED).entrusted_by.code == "R09"


def test_the_authority_inline_refuses_a_委托_row_without_its_委托机关_with_a_message(login, admin_user):
    """行政许可法 第二十四条: the entrusted authority acts in the name of the one that entrusted it, so a 委托 row
    (item 21: "或者其委托的市行政审批局") must name it; a 400-style form error, never a 500, nothing saved."""
    client = login(admin_user)
    url = reverse("admin:licensing_item_change", args=[Item.objects.get(code="QZ-021").pk])
    data = change_form_data(client.get(url))
    data[f"{delegated_row_prefix(data)}-entrusted_by"] = ""
    response = client.post(url, data)
    assert response.status_code == 200
    assert "“委托”职责须填写委托机关，其他职责不填写。" in response.content.decode()
    assert ItemAuthority.objects.get(item__code="QZ-021", role=AuthorityRole.DELEGATED).entrusted_by.code == "R09"


def test_the_authority_inline_refuses_a_委托机关_on_an_approving_row(login, admin_user):
    """Only a 委托 row names a 委托机关; item 13 ("县区人民政府公安部门") decides in its own name."""
    client = login(admin_user)
    item = Item.objects.get(code="QZ-013")
    url = reverse("admin:licensing_item_change", args=[item.pk])
    data = change_form_data(client.get(url))
    data["authorities-0-entrusted_by"] = str(Organisation.objects.get(code="R01").pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "“委托”职责须填写委托机关，其他职责不填写。" in response.content.decode()
    assert not item.authorities.filter(entrusted_by__isnull=False).exists()
