"""What the catalogue's pages and API cost, as ratios to bare Django views in the same run.

Builds a throw-away SQLite database (migrations load the 100-item catalogue), then requests
each page N times through Django's test client, interleaved with two references through the same
middleware: a view that returns "ok" and touches nothing, and one that runs one trivial query
(SELECT 1) and answers a small JSON, as bench/bare.py's does. Prints each page's median time
divided by each reference's.

    .venv/bin/python bench/catalogue_bench.py [-n 50] [--cold] [--signed-in] [--database-url postgres://…/name]

--cold empties the cache before every request of a page (what a request costs when nothing is
cached, e.g. right after an admin's edit); --signed-in asks as a signed-in applicant (whose header
is their own, so pages are made from the cached data rather than served whole). Without either, a
visitor's requests after the first are served from the cache, and the conditional GETs (If-None-Match
with the ETag of the first answer, 304) are timed too. CACHE_URL=redis://… times the shared cache in
Redis instead of the process's memory. --database-url runs on PostgreSQL instead, in a throw-away
test database (test_<name>, made and dropped as the test runner does), where the reference's SELECT 1
is a round trip to the server as in production.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="catalogue-bench-")
os.environ.pop("DATABASE_URL", None)
if "--database-url" in sys.argv:
    os.environ["DATABASE_URL"] = sys.argv[sys.argv.index("--database-url") + 1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PAGES = [
    "/items/",
    "/items/?q=%E6%97%85%E9%A6%86",
    "/items/?reform_mode=optimise&level=county",
    "/items/QZ-013/",
    "/items/QZ-038/",
    "/api/v1/items/",
    "/api/v1/items/?q=%E9%A3%9F%E5%93%81",
    "/api/v1/items/QZ-013/",
]
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


urlpatterns = []  # filled in main(): this module is the bench's ROOT_URLCONF


def median_seconds(client, url, n, *, status=200, cold=False, **headers):
    from django.core.cache import cache

    times = []
    for _ in range(n):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == status, (url, response.status_code)
    return statistics.median(times)


def signed_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from portal.constants import Role

    user = get_user_model().objects.create_user("bench-applicant", role=Role.APPLICANT)
    client = Client()
    client.force_login(user)
    return client


def timed(client, url, n, label=None, **kwargs):
    ref = median_seconds(client, BARE, n)
    ref_query = median_seconds(client, BARE_QUERY, n)
    page = median_seconds(client, url, n, **kwargs)
    print(f"  {label or url:<48} {page / ref:6.1f} x ok {page / ref_query:6.2f} x SELECT 1"
          f"   ({page * 1000:.2f} ms vs {ref * 1000:.2f} / {ref_query * 1000:.2f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests of each page (default 50)")
    parser.add_argument("--cold", action="store_true", help="empty the cache before every request of a page")
    parser.add_argument("--signed-in", action="store_true", help="ask as a signed-in applicant")
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

    cache.clear()
    urlpatterns.extend(urlpatterns_with_bare_views())
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = signed_in_client() if args.signed_in else Client()
        for url in [BARE, BARE_QUERY, *PAGES]:
            client.get(url)  # warm-up: templates, URL resolver, and the cache unless --cold
        who = "a signed-in applicant" if args.signed_in else "a visitor"
        cold = ", the cache emptied before each" if args.cold else ""
        print(f"catalogue_bench: N={args.n} requests each by {who}{cold} (cache: {caches['default'].__class__.__name__},"
              f" database: {connection.vendor}); median time as a ratio to a bare view (ok) and to one running SELECT 1")
        for url in PAGES:
            timed(client, url, args.n, cold=args.cold)
        if args.cold or args.signed_in:
            return
        for url in PAGES:
            etag = client.get(url).get("ETag")
            if etag:
                timed(client, url, args.n, label=f"{url} (304)", status=304, If_None_Match=etag)


if __name__ == "__main__":
    main()
