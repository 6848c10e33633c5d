"""The references of bench/http_load.py, and the URLconf that serves them beside the portal's.

Only bench/bare_settings.py names this module (ROOT_URLCONF), so the portal itself never exposes
these views. Both go through the portal's whole middleware stack, as every page does:
- bare: one trivial query (SELECT 1) and a small JSON answer, the least a Django view that
  touches the database can cost here;
- insert: one INSERT of one row per request, in its own transaction (autocommit), the least
  a write that must reach the disk can cost. Its table is made by http_load.py, not a migration;
- layout: a page with nothing on it in the portal's layout (templates/base.html: the header, the
  navigation for the user's role, the language switch, the footer), the least an HTML page of the
  portal can cost for the visitor or the signed-in user who asks it. It reads no application.
"""
from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

INSERT_TABLE = "bench_insert"
EMPTY_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}bench{% endblock %}{% block content %}<h1>bench</h1>{% endblock %}')


def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"ok": one})


@csrf_exempt  # a load generator without a browser's CSRF cookie; the reference writes nothing else
def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {INSERT_TABLE} (note) VALUES (%s) RETURNING id", ["x"])  # noqa: S608
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


def layout(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/insert/", insert, name="bench-insert"),
    path("bench/layout/", layout, name="bench-layout"),
    path("", include("portal.urls")),
]
