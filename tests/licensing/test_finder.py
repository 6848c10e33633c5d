"""经营范围查事项 (issue 15): a business scope, or a word or two, leads to the catalogue items it probably needs,
each with the words that matched, on the page /finder/ and through GET /api/v1/items/?scope=; admins keep
the keywords, and their edit shows in the next answer."""
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

import licensing
from licensing.models import Item, ScopeKeyword
from licensing.selectors.scope import SCOPE_MAX_CHARS, ScopeInvalid, items_for_scope, normalise, scope_segments

pytestmark = pytest.mark.django_db

KEYWORDS_FILE = Path(licensing.__file__).parent / "data" / "scope_keywords.json"

HOTEL = "许可项目：住宿服务。一般项目：酒店管理；会议及展览服务；停车场服务；日用百货销售。"
# A trading and shipping company at the port, as its licence would print its scope (许可项目, 一般项目, the
# registration's boilerplate, exclusions in brackets).
PORT_COMPANY = (
    "许可项目：道路货物运输（不含危险货物）；港口经营；国内水路旅客运输；水路普通货物运输；成品油零售；危险化学品经营；"
    "食品销售；药品零售；第三类医疗器械经营；出版物批发；燃气经营；烟花爆竹零售。（依法须经批准的项目，经相关部门批准后"
    "方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）一般项目：国内货物运输代理；国际货物运输代理；普通"
    "货物仓储服务（不含危险化学品等需许可审批的项目）；装卸搬运；港口货物装卸搬运活动；船舶租赁；国内船舶代理；国际船舶"
    "代理；报关业务；报检业务；供应链管理服务；煤炭及制品销售；金属矿石销售；非金属矿及制品销售；石油制品销售（不含危险"
    "化学品）；化工产品销售（不含许可类化工产品）；建筑材料销售；五金产品批发；机械设备销售；日用百货销售；第二类医疗器械"
    "销售；食品销售（仅销售预包装食品）；农副产品销售；饲料原料销售；粮油仓储服务；市场调查（不含涉外调查）；信息咨询服务"
    "（不含许可类信息咨询服务）；技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；物联网技术服务；"
    "集装箱租赁服务；机械设备租赁；货物进出口；技术进出口；进出口代理；（除依法须经批准的项目"
    "外，凭营业执照依法自主开展经营活动）"
)
PORT_ITEMS = {"QZ-026", "QZ-023", "QZ-022", "QZ-052", "QZ-079", "QZ-059", "QZ-066", "QZ-067", "QZ-047", "QZ-043",
              "QZ-078"}


def codes(matches) -> list[str]:
    return [match.item.code for match in matches]


@pytest.fixture
def visitor():
    return Client()


# --- matching ------------------------------------------------------------------------------------------

def test_a_hotel_s_scope_finds_the_hotel_permit_first_with_the_words_that_matched():
    first = items_for_scope(HOTEL)[0]
    assert first.item.code == "QZ-013"
    assert first.matched == ("住宿服务", "酒店")
    assert first.item.name == "旅馆业特种行业许可证核发" and first.item.reform_mode == "commitment"


def test_a_real_looking_scope_of_500_characters_finds_every_item_it_names_and_nothing_it_excludes():
    assert len(PORT_COMPANY) >= 500
    found = items_for_scope(PORT_COMPANY)
    assert set(codes(found)) == PORT_ITEMS
    by_code = {match.item.code: match for match in found}
    assert by_code["QZ-026"].matched == ("道路货物运输",)  # its “（不含危险货物）” is no 危险货物运输 (item 83)
    assert by_code["QZ-079"].matched == ("危险化学品经营",)


def test_boilerplate_headings_and_exclusions_are_not_activities():
    text = ("一般项目：市场调查（不含涉外调查）；化工产品销售（危险化学品除外）；普通货物仓储，不含危险化学品；"
            "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）许可项目：依法须经批准的项目，经相关部门批准后方可"
            "开展经营活动，具体经营项目以相关部门批准文件或许可证件为准")
    assert scope_segments(normalise(text)) == ["市场调查", "化工产品销售", "普通货物仓储"]
    assert items_for_scope(text) == []
    assert codes(items_for_scope("涉外调查")) == ["QZ-089"]


def test_the_longest_keyword_wins_where_keywords_overlap():
    """“成品油” is a keyword of 51 (批发、仓储) and 52 (零售); inside “成品油零售” only 52 is meant."""
    assert codes(items_for_scope("成品油零售；日用百货销售")) == ["QZ-052"]
    assert set(codes(items_for_scope("成品油；日用百货销售"))) == {"QZ-051", "QZ-052"}


def test_one_character_finds_the_items_whose_keywords_contain_it():
    found = items_for_scope("酒")
    assert found[0].item.code == "QZ-013" and found[0].matched == ("酒店",)
    assert {"QZ-033", "QZ-057", "QZ-059"} <= set(codes(found))


def test_two_characters_find_the_item_by_its_keyword_and_its_name():
    found = items_for_scope("旅馆")
    assert codes(found) == ["QZ-013"]
    assert found[0].matched == ("旅馆",)


def test_a_short_query_finds_items_by_their_names_alone():
    found = items_for_scope("资格认定")
    assert codes(found) == ["QZ-001", "QZ-016", "QZ-045", "QZ-089"]
    assert all(match.matched == ("资格认定",) for match in found)


def test_a_long_scope_does_not_match_item_names():
    """Only keywords: a scope's “许可证核发” segment is boilerplate of no item in particular."""
    assert items_for_scope("日用百货销售；办公用品销售；许可证核发；五金产品零售") == []


def test_full_width_letters_spaces_and_line_breaks_are_read_as_typed():
    assert codes(items_for_scope("住 宿 服 务"))[0] == "QZ-013"
    assert codes(items_for_scope("ＫＴＶ")) == ["QZ-033"]
    assert set(codes(items_for_scope("一般项目：\r\n日用百货销售\r\n许可项目：\r\n道路旅客运输经营"))) == {"QZ-025"}


@pytest.mark.parametrize("text", ["", "   \n\t ", None])
def test_an_empty_text_is_refused_with_a_message(text):
    with pytest.raises(ScopeInvalid) as refused:
        items_for_scope(text)
    assert "请填写经营范围" in refused.value.message


def test_a_text_over_2000_characters_is_refused_and_one_of_2000_is_taken():
    with pytest.raises(ScopeInvalid) as refused:
        items_for_scope("住宿服务；" * 400 + "酒")
    assert f"最多 {SCOPE_MAX_CHARS} 个字，现有 2001 个字" in refused.value.message
    assert codes(items_for_scope("住宿服务；" * 400))[0] == "QZ-013"


def test_the_keyword_table_is_read_once_and_matched_in_memory(django_assert_max_num_queries):
    items_for_scope("住宿服务")
    with django_assert_max_num_queries(0):
        assert codes(items_for_scope("旅馆")) == ["QZ-013"]
        assert items_for_scope(PORT_COMPANY)


def test_the_shipped_table_gives_every_catalogue_item_two_to_six_keywords():
    rows = json.loads(KEYWORDS_FILE.read_text(encoding="utf-8"))
    per_item = {}
    for row in rows["keywords"]:
        per_item.setdefault(row["item"], []).append(row["keyword"])
    assert set(per_item) == set(Item.objects.values_list("code", flat=True))
    assert all(2 <= len(words) <= 6 for words in per_item.values())
    assert "not an official table" in rows["source"]
    assert ScopeKeyword.objects.count() == len(rows["keywords"])  # the migration loaded every row


# --- admins keep the keywords ------------------------------------------------------------------------

def test_an_admin_s_new_keyword_changes_the_next_answer_of_the_finder_page_and_api(
        login, admin_user, visitor, django_capture_on_commit_callbacks):
    assert items_for_scope("茶馆") == []
    page, answer = visitor.get("/finder/", {"scope": "茶馆"}), visitor.get("/api/v1/items/", {"scope": "茶馆"})
    assert answer.json()["count"] == 0
    admin = login(admin_user)
    item = Item.objects.get(code="QZ-015")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("admin:licensing_scopekeyword_add"),
                              {"keyword": "茶馆", "item": item.pk, "weight": 2})
    assert response.status_code == 302
    assert codes(items_for_scope("茶馆")) == ["QZ-015"]
    assert "公共场所卫生许可" in visitor.get("/finder/", {"scope": "茶馆"}).content.decode()
    assert visitor.get("/finder/", {"scope": "茶馆"})["ETag"] != page["ETag"]
    assert [row["code"] for row in visitor.get("/api/v1/items/", {"scope": "茶馆"}).json()["results"]] == ["QZ-015"]


def test_an_admin_s_edit_and_delete_of_a_keyword_change_the_next_answer(
        login, admin_user, django_capture_on_commit_callbacks):
    admin = login(admin_user)
    keyword = ScopeKeyword.objects.get(item__code="QZ-013", keyword="住宿服务")
    assert codes(items_for_scope("住宿服务")) == ["QZ-013", "QZ-015"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("admin:licensing_scopekeyword_change", args=[keyword.pk]),
                              {"keyword": "住宿服务", "item": keyword.item_id, "weight": 1})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        ScopeKeyword.objects.filter(item__code="QZ-015", keyword="住宿服务").get().delete()
    assert codes(items_for_scope("住宿服务")) == ["QZ-013"]
    assert items_for_scope("住宿服务")[0].score == 1


def test_the_keyword_list_searches_and_filters_by_item(login, admin_user):
    admin = login(admin_user)
    url = reverse("admin:licensing_scopekeyword_changelist")
    html = admin.get(url, {"q": "住宿"}).content.decode()
    assert "住宿服务" in html and "KTV" not in html
    item = Item.objects.get(code="QZ-033")
    html = admin.get(url, {"item__id__exact": item.pk}).content.decode()
    assert "KTV" in html and "住宿服务" not in html


def test_the_item_s_change_form_lists_its_keywords(login, admin_user):
    item = Item.objects.get(code="QZ-013")
    html = login(admin_user).get(reverse("admin:licensing_item_change", args=[item.pk])).content.decode()
    assert 'name="scope_keywords-TOTAL_FORMS"' in html and 'value="民宿"' in html


def test_a_keyword_twice_for_one_item_is_refused_by_the_form_not_the_database(login, admin_user):
    item = Item.objects.get(code="QZ-013")
    response = login(admin_user).post(reverse("admin:licensing_scopekeyword_add"),
                                      {"keyword": "旅馆", "item": item.pk, "weight": 1})
    assert response.status_code == 200
    assert ScopeKeyword.objects.filter(item=item, keyword="旅馆").count() == 1


# --- the API -------------------------------------------------------------------------------------------

def test_the_api_ranks_items_with_the_words_that_matched(visitor):
    body = visitor.get("/api/v1/items/", {"scope": "许可项目：住宿服务；餐饮服务；洗浴服务"}).json()
    results = body["results"]
    assert [row["code"] for row in results] == ["QZ-015", "QZ-013", "QZ-059", "QZ-099"]
    assert results[0]["matched"] == ["住宿服务", "洗浴服务"] and results[0]["score"] == 4
    assert results[1]["matched"] == ["住宿服务"] and results[1]["name"] == "旅馆业特种行业许可证核发"
    assert body["count"] == 4 and results[1]["reform_mode"] == "commitment" and results[1]["authorities"]


def test_the_api_keeps_its_other_filters_with_a_scope(visitor):
    rows = visitor.get("/api/v1/items/", {"scope": "酒", "reform_mode": "optimise"}).json()["results"]
    assert [row["code"] for row in rows] == ["QZ-057", "QZ-033", "QZ-059"]


def test_the_list_without_a_scope_is_as_it_was(visitor):
    rows = visitor.get("/api/v1/items/").json()["results"]
    assert rows[0]["code"] == "QZ-001" and "matched" not in rows[0] and "score" not in rows[0]


@pytest.mark.parametrize("scope", ["", "  ", "酒" * (SCOPE_MAX_CHARS + 1)])
def test_the_api_answers_400_on_the_field_for_a_scope_it_cannot_take(visitor, scope):
    response = visitor.get("/api/v1/items/", {"scope": scope})
    assert response.status_code == 400
    assert response.json()["field"] == "scope" and "经营范围" in response.json()["detail"]


def test_the_api_s_answer_to_a_scope_is_kept_in_the_cache(visitor, django_assert_max_num_queries):
    first = visitor.get("/api/v1/items/", {"scope": HOTEL})
    with django_assert_max_num_queries(0):
        again = visitor.get("/api/v1/items/", {"scope": HOTEL})
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_the_schema_documents_the_scope_parameter_and_the_words_that_matched():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert "经营范围" in parameters["scope"]["description"]
    row = schema["components"]["schemas"]["ItemListRow"]
    assert {"matched", "score"} <= set(row["properties"]) and "matched" not in row.get("required", [])


# --- the page, without JavaScript ----------------------------------------------------------------------

def test_the_page_is_a_labelled_get_form(visitor):
    html = visitor.get("/finder/").content.decode()
    assert '<form method="get" action="/finder/"' in html
    assert '<label for="id_scope">' in html and '<textarea name="scope"' in html
    assert 'aria-describedby="id_scope_helptext"' in html and "可能需要办理的事项" not in html


def test_the_page_lists_the_items_with_mode_words_and_links(visitor):
    response = visitor.get("/finder/", {"scope": HOTEL})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/items/QZ-013/" lang="zh-Hans">旅馆业特种行业许可证核发</a>' in html
    assert "实行告知承诺" in html and "<mark>住宿服务</mark>、<mark>酒店</mark>" in html
    assert 'href="/items/QZ-013/apply/"' in html
    assert html.index("旅馆业特种行业许可证核发") < html.index("公共场所卫生许可")


def test_the_page_says_when_nothing_matched(visitor):
    html = visitor.get("/finder/", {"scope": "日用百货销售"}).content.decode()
    assert "没有找到对应的事项" in html


def test_the_page_answers_400_with_the_message_tied_to_the_field(visitor):
    response = visitor.get("/finder/", {"scope": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_scope_error"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_scope_helptext id_scope_error"' in html and "请填写经营范围" in html
    too_long = visitor.get("/finder/", {"scope": "酒" * (SCOPE_MAX_CHARS + 1)})
    assert too_long.status_code == 400 and "最多 2000 个字" in too_long.content.decode()


def test_every_page_links_to_the_finder_and_so_does_the_catalogue(visitor):
    assert 'href="/finder/"' in visitor.get("/").content.decode()
    catalogue = visitor.get("/items/").content.decode()
    assert catalogue.count('href="/finder/"') == 2  # the navigation and the catalogue's own line
