"""What the catalogue's pages and API cost, as ratios to a bare Django view in the same run.

Builds a throw-away SQLite database (migrations load the 100-item catalogue), then requests
each page N times through Django's test client, interleaved with a view that returns
"ok" and touches nothing, and prints each page's median time divided by the bare view's.

    .venv/bin/python bench/catalogue_bench.py [-n 50]
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PAGES = [
    "/items/",
    "/items/?q=%E6%97%85%E9%A6%86",
    "/items/?reform_mode=optimise&level=county",
    "/items/QZ-038/",
    "/api/v1/items/",
    "/api/v1/items/?q=%E9%A3%9F%E5%93%81",
    "/api/v1/items/QZ-013/",
]


def bare_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def urlpatterns_with_bare_view():
    from django.urls import path

    from portal.urls import urlpatterns

    return [path("bench/bare/", bare_view), *urlpatterns]


urlpatterns = []  # filled in main(): this module is the bench's ROOT_URLCONF


def median_seconds(client, url, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests of each page (default 50)")
    n = parser.parse_args().n

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    urlpatterns.extend(urlpatterns_with_bare_view())
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        for url in ["/bench/bare/", *PAGES]:
            client.get(url)  # warm-up: templates, URL resolver
        print(f"catalogue_bench: N={n} requests each; median time as a ratio to a bare Django view")
        for url in PAGES:
            ref = median_seconds(client, "/bench/bare/", n)
            page = median_seconds(client, url, n)
            print(f"  {url:<48} {page / ref:7.1f} x   ({page * 1000:.1f} ms vs {ref * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
