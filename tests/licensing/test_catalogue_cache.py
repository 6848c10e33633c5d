"""The catalogue is cached (issue 13): its pages and API answers come from the shared cache, with an
ETag and a Last-Modified a browser revalidates with, and an admin's edit or import shows at once."""
import io
import json

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import parse_http_date

from licensing.admin import ItemResource
from licensing.models import Item
from licensing.selectors.catalogue import CATALOGUE
from licensing.serializers import ItemSerializer, item_rows
from portal.constants import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["/items/", "/items/?q=旅馆", "/items/?reform_mode=commitment&level=county&page=1", "/items/QZ-013/"]
ANSWERS = ["/api/v1/items/", "/api/v1/items/?q=旅馆", "/api/v1/items/?reform_mode=optimise&page=2",
           "/api/v1/items/QZ-013/"]


@pytest.fixture
def visitor():
    """Someone who is not signed in, with a browser of their own (the `client` fixture may sign in)."""
    return Client()


@pytest.fixture
def admin_browser(login, admin_user):
    return login(admin_user)


def directives(response) -> set:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


# --- served from the cache --------------------------------------------------------------------------

@pytest.mark.parametrize("url", PAGES + ANSWERS)
def test_a_visitor_s_second_request_is_served_from_the_cache_without_a_query(
        visitor, url, django_assert_max_num_queries):
    first = visitor.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(0):
        second = visitor.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] and second["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_says_it_varies_with_the_cookie_and_is_revalidated_before_use(visitor, url):
    response = visitor.get(url)
    assert "Cookie" in response["Vary"]
    assert "no-cache" in directives(response) and "no-store" not in directives(response)
    assert response["ETag"].startswith('"') and parse_http_date(response["Last-Modified"])


@pytest.mark.parametrize("url", ANSWERS)
def test_an_api_answer_from_the_cache_carries_the_headers_drf_gives_it(visitor, url):
    made, kept = visitor.get(url), visitor.get(url)
    for header in ("Content-Type", "Allow", "Vary", "ETag", "Last-Modified", "Cache-Control"):
        assert kept[header] == made[header], header
    assert "Accept" in kept["Vary"] and kept["Content-Type"] == "application/json"


def test_the_list_is_read_in_a_few_queries_whatever_the_page_holds(visitor, django_assert_max_num_queries):
    """Cold: the catalogue's version (its stored timestamps), the count, the page's ids, its rows, their
    authorities; no query per row."""
    with django_assert_max_num_queries(12):
        assert len(visitor.get("/api/v1/items/").json()["results"]) == 50


def test_the_list_s_rows_are_what_the_serializer_gives_for_every_item():
    items = Item.objects.order_by("seq_no", "code").prefetch_related(
        "authorities__organisation", "authorities__entrusted_by")
    expected = json.loads(json.dumps(ItemSerializer(items, many=True).data))
    rows = item_rows([item.pk for item in items])
    assert rows == expected
    assert [list(row) for row in rows] == [list(row) for row in expected]  # the fields in the same order
    assert any(a["entrusted_by"] for row in rows for a in row["authorities"])
    assert next(row for row in rows if row["code"] == "QZ-038")["committed_days"] == 15


# --- conditional GET -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", PAGES + ANSWERS)
def test_a_copy_that_is_still_current_is_304_with_no_body(visitor, url):
    first = visitor.get(url)
    by_etag = visitor.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = visitor.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    for response in (by_etag, by_date):
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == first["ETag"] and response["Last-Modified"] == first["Last-Modified"]
    assert visitor.get(url, headers={"If-None-Match": '"an-old-one"'}).status_code == 200


def test_the_etag_differs_between_json_and_indented_json(visitor):
    plain = visitor.get("/api/v1/items/QZ-013/")
    indented = visitor.get("/api/v1/items/QZ-013/", headers={"Accept": "application/json; indent=2"})
    assert plain["ETag"] != indented["ETag"] and b"\n  " in indented.content
    assert visitor.get("/api/v1/items/QZ-013/", headers={
        "Accept": "application/json; indent=2", "If-None-Match": plain["ETag"]}).status_code == 200


# --- an admin's edit and import show at once -------------------------------------------------------

def _change_form_data(browser, item):
    form = browser.get(reverse("admin:licensing_item_change", args=[item.pk])).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "measures"}
    data["measures"] = json.dumps(item.measures, ensure_ascii=False)
    for prefix in ("authorities", "regulator_routes", "materials", "scope_keywords"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_an_admin_edit_through_the_change_form_shows_at_once_with_a_new_etag(
        visitor, admin_browser, django_capture_on_commit_callbacks):
    item = Item.objects.get(code="QZ-020")
    urls = ["/items/", "/items/QZ-020/", "/api/v1/items/", "/api/v1/items/QZ-020/"]
    before = {url: visitor.get(url) for url in urls}
    data = _change_form_data(admin_browser, item)
    data.update({"remark": "按新的管理办法执行（缓存测试）", "materials-TOTAL_FORMS": 1, "materials-0-order": 1,
                 "materials-0-name": "营业场所平面图", "materials-0-due": "at_application"})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_browser.post(reverse("admin:licensing_item_change", args=[item.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    for url in urls:
        after = visitor.get(url, headers={"If-None-Match": before[url]["ETag"]})
        assert after.status_code == 200, url
        assert "按新的管理办法执行（缓存测试）" in after.content.decode(), url
        assert after["ETag"] != before[url]["ETag"]
        assert parse_http_date(after["Last-Modified"]) >= parse_http_date(before[url]["Last-Modified"])
    assert "营业场所平面图" in visitor.get("/items/QZ-020/").content.decode()


def test_the_page_is_new_within_the_editing_transaction_too(visitor):
    """Before the commit: a new version at once, so the transaction's own reads see its change."""
    item = Item.objects.get(code="QZ-020")
    assert "临时备注" not in visitor.get("/items/QZ-020/").content.decode()
    item.remark = "临时备注"
    item.save()
    assert "临时备注" in visitor.get("/items/QZ-020/").content.decode()


def test_a_page_another_process_made_from_the_old_rows_during_the_edit_is_not_used_after_commit(
        visitor, django_capture_on_commit_callbacks):
    """Until the commit, other processes still read the old rows, under the edit's first new version;
    the commit gives another."""
    visitor.get("/items/QZ-020/")
    with django_capture_on_commit_callbacks(execute=True):
        item = Item.objects.get(code="QZ-020")
        item.remark = "提交后的备注"
        item.save()
        during = CATALOGUE.current()  # what another process, not yet seeing the row, caches the old page under
        CATALOGUE.write(during, ("page", ("guide", "QZ-020")), ("text/html; charset=utf-8", b"<p>old rows</p>"))
        assert visitor.get("/items/QZ-020/").content == b"<p>old rows</p>"
    after = visitor.get("/items/QZ-020/")
    assert "提交后的备注" in after.content.decode() and CATALOGUE.current().token != during.token


def test_an_admin_import_shows_at_once_with_a_new_etag(visitor, admin_browser, django_capture_on_commit_callbacks):
    before = visitor.get("/api/v1/items/QZ-038/")
    guide = visitor.get("/items/QZ-038/")
    dataset = ItemResource().export(Item.objects.filter(code="QZ-038"))
    dataset.dict = [{**dataset.dict[0], "remark": "导入的新备注"}]
    upload = io.BytesIO(dataset.csv.encode("utf-8"))
    upload.name = "items.csv"
    preview = admin_browser.post(reverse("admin:licensing_item_import"),
                                 {"resource": "0", "format": "1", "import_file": upload})
    assert preview.status_code == 200 and preview.context["confirm_form"] is not None, preview.content.decode()[:2000]
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_browser.post(reverse("admin:licensing_item_process_import"),
                                  preview.context["confirm_form"].initial)
    assert done.status_code == 302
    after = visitor.get("/api/v1/items/QZ-038/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after.json()["remark"] == "导入的新备注"
    assert "导入的新备注" in visitor.get("/items/QZ-038/", headers={"If-None-Match": guide["ETag"]}).content.decode()


def test_an_organisation_renamed_shows_in_the_catalogue(visitor, django_capture_on_commit_callbacks):
    organisation = Item.objects.get(code="QZ-013").authorities.first().organisation
    visitor.get("/items/?q=旅馆")
    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "钦州市公安局（更名后）"
        organisation.save()
    assert "钦州市公安局（更名后）" in visitor.get("/items/?q=旅馆").content.decode()
    assert visitor.get("/api/v1/items/QZ-013/").json()["authorities"][0]["name"] == "钦州市公安局（更名后）"


def test_last_modified_comes_back_the_same_after_the_cache_is_emptied(visitor, django_capture_on_commit_callbacks):
    """It is read from the history rows of the edits, not kept only in the cache."""
    with django_capture_on_commit_callbacks(execute=True):
        item = Item.objects.get(code="QZ-013")
        item.remark = "改过一次"
        item.save()
    edited = visitor.get("/items/QZ-013/")
    cache.clear()
    flushed = visitor.get("/items/QZ-013/")
    assert flushed["Last-Modified"] == edited["Last-Modified"]
    assert "改过一次" in flushed.content.decode()
    assert visitor.get("/items/QZ-013/", headers={"If-Modified-Since": edited["Last-Modified"]}).status_code == 304


# --- what is personal stays personal ---------------------------------------------------------------

def test_a_signed_in_user_sees_their_own_header_on_a_cached_page(visitor, login, applicant_user):
    assert "登录" in visitor.get("/items/").content.decode()  # the visitors' copy is cached
    response = login(applicant_user).get("/items/")
    html = response.content.decode()
    assert "张三" in html and "退出" in html and 'href="/accounts/login/"' not in html
    assert "ETag" not in response and {"no-store", "private"} <= directives(response)
    assert 'href="/accounts/login/"' in visitor.get("/items/").content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_user_s_page_is_made_from_the_cached_data(login, applicant_user, url):
    browser = login(applicant_user)
    browser.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "licensing_item" in q["sql"]] == []


def test_the_guide_offers_each_reader_their_own_next_step(visitor, login, clerk):
    assert "需先登录" in visitor.get("/items/QZ-013/").content.decode()
    html = login(clerk).get("/items/QZ-013/").content.decode()
    assert "到窗口受理台为申请人受理" in html and "需先登录" not in html
    assert "需先登录" in visitor.get("/items/QZ-013/").content.decode()


def test_a_guide_a_visitor_had_cached_is_made_again_for_a_signed_in_reader(visitor, login, applicant_user):
    """The page a visitor's request kept is not mistaken for the item's data, which is kept under the same
    stamp: the signed-in reader, then a reader in English, get the guide too (a 500 before)."""
    assert visitor.get("/items/QZ-013/").status_code == 200
    assert visitor.get("/items/QZ-013/").status_code == 200  # from the cache
    assert "在线申请" in login(applicant_user).get("/items/QZ-013/").content.decode()
    assert Client(headers={"accept-language": "en"}).get("/items/QZ-013/").status_code == 200


def test_a_message_waiting_for_a_visitor_is_shown_on_a_cached_page(visitor):
    visitor.get("/items/")
    waiting = CookieStorage(RequestFactory().get("/"))._encode([Message(message_levels.INFO, "您已退出登录。")])
    visitor.cookies["messages"] = waiting
    assert "您已退出登录。" in visitor.get("/items/").content.decode()


def test_the_browsable_api_is_made_afresh_for_each_user(login, visitor):
    visitor.get("/api/v1/items/QZ-013/")  # the JSON is cached
    applicant = UserFactory(role=Role.APPLICANT, full_name="赵六")
    response = login(applicant).get("/api/v1/items/QZ-013/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "ETag" not in response and "赵六" in response.content.decode()


def test_a_bad_token_is_refused_even_when_the_answer_is_cached(visitor):
    visitor.get("/api/v1/items/QZ-013/")
    response = visitor.get("/api/v1/items/QZ-013/", headers={"Authorization": "Token not-a-token"})
    assert response.status_code == 401


# --- bad input is answered as before ---------------------------------------------------------------

@pytest.mark.parametrize("url,status", [
    ("/items/?page=abc", 200), ("/items/?page=999", 200), ("/items/?reform_mode=nonsense", 200),
    ("/items/?q=" + "长" * 101, 200), ("/items/?authority=NOPE&x=1", 200), ("/items/qz-013/", 404),
    ("/items/QZ-999/", 404), ("/api/v1/items/?reform_mode=bogus", 400), ("/api/v1/items/?seq_no=abc", 400),
    ("/api/v1/items/?page=999", 404), ("/api/v1/items/?page=abc", 404), ("/api/v1/items/QZ-999/", 404),
    ("/api/v1/items/?q=" + "长" * 101, 400),
])
def test_bad_query_strings_are_answered_as_before_and_again(visitor, url, status):
    assert [visitor.get(url).status_code for _ in range(2)] == [status, status]


@pytest.mark.parametrize("headers", [
    {"If-None-Match": "garbage, , W/"}, {"If-Modified-Since": "not a date"}, {"If-Match": '"nope"'},
    {"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
])
@pytest.mark.parametrize("url", ["/items/", "/api/v1/items/QZ-013/"])
def test_odd_conditional_headers_are_never_a_server_error(visitor, url, headers):
    visitor.get(url)
    assert visitor.get(url, headers=headers).status_code in (200, 304, 412)


UNREACHABLE_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "portal"}}


@pytest.mark.parametrize("url", PAGES + ANSWERS)
def test_the_catalogue_answers_from_the_database_when_the_cache_is_unreachable(visitor, url, settings):
    made = visitor.get(url)
    settings.CACHES = UNREACHABLE_REDIS
    for _ in range(2):
        response = visitor.get(url)
        assert response.status_code == 200 and response.content == made.content


def test_an_edit_is_saved_when_the_cache_is_unreachable(admin_browser, settings, django_capture_on_commit_callbacks):
    item = Item.objects.get(code="QZ-020")
    data = _change_form_data(admin_browser, item)
    settings.CACHES = UNREACHABLE_REDIS
    data["remark"] = "缓存不可用时的修改"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_browser.post(reverse("admin:licensing_item_change", args=[item.pk]), data)
    assert response.status_code == 302
    assert "缓存不可用时的修改" in Client().get("/items/QZ-020/").content.decode()
