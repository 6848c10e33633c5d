"""What the business-scope finder costs (issue 15), as ratios to bare Django views in the same run.

Builds a throw-away SQLite database (the migrations load the catalogue and licensing/data/scope_keywords.json),
then times three questions, a 1-character query (酒), a 2-character query (旅馆) and a 600-character business
scope as printed on a licence (headings, boilerplate, exclusions), each asked:
- of licensing.selectors.scope.items_for_scope itself (the keyword table kept in the process, as between
  two requests);
- of the page /finder/?scope= and the API /api/v1/items/?scope= through Django's test client, as a new
  question (an extra parameter makes every request's cache key new, so the answer is made each time from the
  kept table) and asked again (the same URL, served whole from the cache);
interleaved with two references through the same middleware: a view that returns "ok", and one that runs
SELECT 1 and answers a small JSON (as bench/bare.py's). Prints each median as a multiple of each reference.

    .venv/bin/python bench/finder_bench.py [-n 50] [--alternatives] [--database-url postgres://…/name]

--alternatives also times what licensing/selectors/scope.py's docstring compares the choice with: jieba's
segmentation of the 600-character scope, and its dictionary load, when jieba is importable (it is not a
dependency of the portal: install it in a scratch virtualenv to see it); with --database-url (PostgreSQL, a
throw-away test_<name> database made and dropped as the test runner does), pg_trgm on the keyword table: a
GIN trigram index, LIKE '%酒%' and '%旅馆%', and the keywords a 600-character text contains (strpos).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="finder-bench-")
os.environ.pop("DATABASE_URL", None)
if "--database-url" in sys.argv:
    os.environ["DATABASE_URL"] = sys.argv[sys.argv.index("--database-url") + 1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# 600 characters as a licence of a hotel with a restaurant, a bath and a pool prints them (许可项目 and 一般项目,
# the boilerplate, exclusions in brackets); tests/licensing/test_finder.py uses one like it.
SCOPE_600 = (
    "许可项目：住宿服务；餐饮服务；食品销售；烟草制品零售；酒类经营；洗浴服务；高危险性体育运动（游泳）；歌舞娱乐活动；"
    "道路旅客运输经营；旅游业务；城市生活垃圾经营性服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营"
    "项目以相关部门批准文件或许可证件为准）一般项目：酒店管理；餐饮管理；物业管理；停车场服务；会议及展览服务；健身休闲"
    "活动；洗染服务；日用百货销售；工艺美术品及收藏品零售（象牙及其制品除外）；办公用品销售；日用品销售；化妆品零售；服装"
    "服饰零售；鞋帽零售；家居用品销售；农副产品销售；票务代理服务；商务代理代办服务；信息咨询服务（不含许可类信息咨询服务）；"
    "市场调查（不含涉外调查）；企业管理咨询；礼仪服务；婚庆礼仪服务；组织文化艺术交流活动；体育赛事策划；广告设计、代理；"
    "广告制作；图文设计制作；摄影扩印服务；打字复印；家政服务；专业保洁、清洗、消毒服务；园林绿化工程施工；化工产品销售（不含"
    "许可类化工产品）；五金产品零售；电子产品销售；互联网销售（除销售需要许可的商品）；技术服务、技术开发、技术咨询、技术交流、"
    "技术转让、技术推广；非居住房地产租赁；住房租赁；柜台、摊位出租；汽车租赁；洗车服务；机动车修理和维护；新鲜水果零售；"
    "新鲜蔬菜零售；食用农产品零售；水产品零售；花卉绿植租借与代管理；茶具销售；宠物食品及用品零售；（除依法须经批准的项目"
    "外，凭营业执照依法自主开展经营活动）"
)
QUESTIONS = [("1 character (酒)", "酒"), ("2 characters (旅馆)", "旅馆"), (f"{len(SCOPE_600)}-character scope", SCOPE_600)]
BARE, BARE_QUERY = "/bench/bare/", "/bench/bare-query/"


def bare_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def bare_query_view(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"ok": one})


def urlpatterns_with_bare_views():
    from django.urls import path

    from portal.urls import urlpatterns

    return [path("bench/bare/", bare_view), path("bench/bare-query/", bare_query_view), *urlpatterns]


urlpatterns = []  # filled in run(): this module is the bench's ROOT_URLCONF


def median_seconds(operation, n) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        operation(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def get(client, url, *, new=False, status=200):
    def operation(i):
        response = client.get(f"{url}&bench={i}" if new else url)
        assert response.status_code == status, (url, response.status_code)
    return operation


class References:
    """The two bare views, timed again before each row so that a drifting machine drifts both."""

    def __init__(self, client, n):
        self.client, self.n = client, n

    def row(self, label, seconds):
        ok = median_seconds(get(self.client, BARE + "?"), self.n)
        query = median_seconds(get(self.client, BARE_QUERY + "?"), self.n)
        print(f"  {label:<44} {seconds / ok:7.2f} x ok {seconds / query:7.2f} x SELECT 1"
              f"   ({seconds * 1000:.3f} ms vs {ok * 1000:.3f} / {query * 1000:.3f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests of each kind (default 50)")
    parser.add_argument("--alternatives", action="store_true", help="also time jieba and (on PostgreSQL) pg_trgm")
    parser.add_argument("--database-url", help="PostgreSQL to make the throw-away test database in (default: SQLite)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if args.database_url:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)  # migrates it
    else:
        call_command("migrate", verbosity=0)
    try:
        run(args)
    finally:
        if args.database_url:
            connection.creation.destroy_test_db(name, verbosity=0)


def run(args):
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from licensing.models import ScopeKeyword
    from licensing.selectors.scope import items_for_scope

    cache.clear()
    urlpatterns.extend(urlpatterns_with_bare_views())
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        refs = References(client, args.n)
        for _, text in QUESTIONS:  # warm-up: templates, URL resolver, the keyword table
            client.get("/finder/?" + urlencode({"scope": text}))
            client.get("/api/v1/items/?" + urlencode({"scope": text}))
        print(f"finder_bench: N={args.n} of each, {ScopeKeyword.objects.count()} keywords (cache: "
              f"{caches['default'].__class__.__name__}, database: {connection.vendor}); median time as a ratio to a "
              f"bare view (ok) and to one running SELECT 1")
        for label, text in QUESTIONS:
            found = items_for_scope(text)
            print(f"{label}: {len(found)} items, first {found[0].item.code} {list(found[0].matched)}")
            refs.row("items_for_scope()", median_seconds(lambda i, text=text: items_for_scope(text), args.n))
            for path in ("/finder/", "/api/v1/items/"):
                url = path + "?" + urlencode({"scope": text})
                refs.row(f"{path} a new question", median_seconds(get(client, url, new=True), args.n))
                refs.row(f"{path} asked again (cached)", median_seconds(get(client, url), args.n))
        bad = "/api/v1/items/?" + urlencode({"scope": "x" * 2001})
        refs.row("/api/v1/items/ over 2,000 characters (400)", median_seconds(get(client, bad, status=400), args.n))
        if args.alternatives:
            alternatives(args, refs)


def alternatives(args, refs):
    """jieba and pg_trgm, for the comparison in licensing/selectors/scope.py's docstring."""
    try:
        import jieba
    except ImportError:
        print("jieba: not installed (pip install jieba in a scratch virtualenv to time it)")
    else:
        start = time.perf_counter()
        jieba.initialize()
        print(f"jieba {jieba.__version__}: dictionary loaded in {time.perf_counter() - start:.2f} s;"
              f" 住宿服务 -> {jieba.lcut('住宿服务')}, 酒 -> {jieba.lcut('酒')}")
        refs.row("jieba.lcut(600-character scope)", median_seconds(lambda i: jieba.lcut(SCOPE_600), args.n))
    from django.db import connection

    if connection.vendor != "postgresql":
        print("pg_trgm: needs --database-url postgres://…")
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE INDEX bench_scope_trgm ON licensing_scopekeyword USING gin (keyword gin_trgm_ops)")
        cursor.execute("ANALYZE licensing_scopekeyword")
        cursor.execute("SELECT show_trgm('住宿服务'), show_trgm('酒')")
        print(f"pg_trgm: trigrams of 住宿服务 {cursor.fetchone()[0]}, of 酒: none a LIKE can use (under 3 characters)")
    for label, sql, param in [
            ("pg_trgm LIKE '%酒%'", "SELECT item_id, keyword FROM licensing_scopekeyword WHERE keyword LIKE %s", "%酒%"),
            ("pg_trgm LIKE '%旅馆%'", "SELECT item_id, keyword FROM licensing_scopekeyword WHERE keyword LIKE %s",
             "%旅馆%"),
            ("PostgreSQL strpos(600-character scope)",
             "SELECT item_id, keyword FROM licensing_scopekeyword WHERE strpos(%s, keyword) > 0", SCOPE_600)]:
        def query(i, sql=sql, param=param):
            with connection.cursor() as cursor:
                cursor.execute(sql, [param])
                cursor.fetchall()
        refs.row(label, median_seconds(query, args.n))


if __name__ == "__main__":
    main()
