"""One slow request never takes the server down (issue 13).

- A statement past the database's statement timeout ends its request as a 503 with Retry-After, in
  Chinese (JSON for the API), logged as one warning line: never a 500 or a traceback. On PostgreSQL;
  SQLite has no statement timeout. This module is also the URLconf of those tests: a view and a
  middleware that wait in the database (`SELECT pg_sleep`), under a tiny timeout set for the test.
- The timeout chain (database < gunicorn worker < proxy) holds, and portal/gunicorn_conf.py takes each
  value from the environment.
- `scripts/serve` starts gunicorn, a Celery worker and beat under production settings, answers over real
  HTTP and stops them all on TERM (slow: it migrates and starts three processes).
"""
import logging
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

# The suite's session fixtures (tests/conftest.py, the demonstration seals) need the test database even
# where a test itself reads none.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "portal" / "gunicorn_conf.py"
SLEEP = "SELECT pg_sleep(2)"
TINY_TIMEOUT_MS = 50

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the statement timeout is PostgreSQL's; SQLite has none (run with DATABASE_URL=postgres://…)")


# --- the URLconf of these tests: a view whose query outlasts the timeout ---------------------------

def _sleep_in_the_database():
    # A savepoint, as a service's transaction.atomic would: the canceled statement rolls back alone.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SLEEP)


def slow_view(request):
    _sleep_in_the_database()
    return HttpResponse("done")


def broken_view(request):
    raise OperationalError("server closed the connection unexpectedly")


class SlowMiddleware:
    """Waits in the database before the view: as a session or user lookup does on an overloaded server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _sleep_in_the_database()
        return self.get_response(request)


urlpatterns = [
    path("items/slow/", slow_view),
    path("api/v1/slow/", slow_view),
    path("items/broken/", broken_view),
]


@pytest.fixture
def tiny_statement_timeout(db):
    """The test's connection gives up on a statement after 50 ms (until the test's transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {TINY_TIMEOUT_MS}")


# --- a canceled statement is a 503 --------------------------------------------------------------------

@on_postgresql
@pytest.mark.urls(__name__)
def test_a_page_whose_query_runs_too_long_says_the_server_is_busy_in_chinese(tiny_statement_timeout, client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/items/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "系统繁忙" in page and "请约 30 秒后再试" in page
    assert "no-store" in response["Cache-Control"]
    warnings = [r for r in caplog.records if r.name == "portal.slow_requests"]
    assert len(warnings) == 1 and "/items/slow/" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@on_postgresql
@pytest.mark.urls(__name__)
def test_the_api_answers_a_query_that_ran_too_long_with_json(tiny_statement_timeout, client):
    response = client.get("/api/v1/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "服务器繁忙" in response.json()["detail"]


@on_postgresql
@pytest.mark.urls(__name__)
def test_a_lookup_canceled_before_the_view_is_a_503_and_one_warning_too(tiny_statement_timeout, settings, caplog):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.SlowMiddleware"]
    with caplog.at_level(logging.WARNING):
        response = Client(raise_request_exception=False).get("/items/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "系统繁忙" in response.content.decode()
    assert response.get("Content-Length", str(len(response.content))) == str(len(response.content))
    assert "Content-Security-Policy" in response  # the headers the middleware inside gave still apply
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and all(r.levelno == logging.WARNING and not r.exc_info for r in logged)
    assert "answered 503" in logged[0].getMessage()


@pytest.mark.urls(__name__)
def test_other_database_failures_are_still_errors_not_busy_pages():
    response = Client(raise_request_exception=False).get("/items/broken/")
    assert response.status_code == 500


@pytest.mark.urls(__name__)
def test_a_query_within_the_timeout_is_answered_normally(client, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "SLEEP", "SELECT 1")
    assert client.get("/items/slow/").content == b"done"


@on_postgresql
def test_every_connection_of_the_portal_carries_the_statement_timeout(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        (value,) = cursor.fetchone()
    assert value == f"{settings.DB_STATEMENT_TIMEOUT_MS // 1000}s"


def _settings_in_a_fresh_process(code: str, module="portal.settings.test", **env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DJANGO_", "STORAGE_S3_", "DB_STATEMENT"))}
    environment.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY="a-production-like-secret-key-" + "k7Rz!p2Qw9" * 5,
                       SITE_URL="https://zzfl.qinzhou.example.gov.cn", **env)
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_the_statement_timeout_comes_from_the_environment_and_zero_turns_it_off():
    code = "from django.conf import settings as s; print(s.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    url = "postgres://postgres@127.0.0.1:5432/not_opened"  # settings only: no connection is made
    default = _settings_in_a_fresh_process(code, DATABASE_URL=url)
    longer = _settings_in_a_fresh_process(code, DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="300000")
    off = _settings_in_a_fresh_process(code, DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="0")
    assert "-c statement_timeout=15000" in default.stdout, default.stderr
    assert "-c statement_timeout=300000" in longer.stdout, longer.stderr
    assert "statement_timeout" not in off.stdout and "portal.allow_truncate=on" in off.stdout, off.stderr


# --- files go to a shared store when one is named (production settings: the tests keep theirs local) ----

def test_uploads_stay_on_local_disk_unless_an_s3_bucket_is_named():
    code = "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])"
    result = _settings_in_a_fresh_process(code, module="portal.settings.production")
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage", result.stderr


def test_naming_an_s3_bucket_puts_uploads_in_it_or_refuses_to_start_without_django_storages():
    code = ("from django.conf import settings as s; d = s.STORAGES['default']; o = d['OPTIONS']; "
            "print(d['BACKEND'], o['bucket_name'], o['endpoint_url'], o['file_overwrite'])")
    result = _settings_in_a_fresh_process(code, module="portal.settings.production", STORAGE_S3_BUCKET="portal-media",
                                          STORAGE_S3_ENDPOINT_URL="http://127.0.0.1:9000")
    try:
        import storages  # noqa: F401 - the optional extra: pip install '.[s3]'
    except ImportError:
        assert result.returncode != 0 and "pip install '.[s3]'" in result.stderr
    else:
        assert result.stdout.split() == ["storages.backends.s3.S3Storage", "portal-media", "http://127.0.0.1:9000",
                                         "False"], result.stderr


# --- the timeout chain and portal/gunicorn_conf.py ------------------------------------------------------

GUNICORN_ENV = ("GUNICORN_", "WEB_CONCURRENCY", "PORT", "PROXY_READ_TIMEOUT", "DB_STATEMENT_TIMEOUT_MS")


@pytest.fixture
def gunicorn_conf(monkeypatch):
    """portal/gunicorn_conf.py as gunicorn reads it, under the environment given (and no other)."""
    for key in list(os.environ):
        if key.startswith(GUNICORN_ENV):
            monkeypatch.delenv(key)

    def read(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return runpy.run_path(str(CONF))
    return read


def test_gunicorn_runs_threads_in_a_process_per_core_plus_one_by_default(gunicorn_conf):
    conf = gunicorn_conf()
    cores = len(os.sched_getaffinity(0))
    assert (conf["worker_class"], conf["workers"], conf["threads"]) == ("gthread", cores + 1, 4)
    # a worker takes a connection only while a thread is free, and closes it after the answer
    assert conf["worker_connections"] == conf["threads"] and conf["keepalive"] == 0
    assert (conf["timeout"], conf["graceful_timeout"]) == (30, 30)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (2000, 1000)
    assert conf["bind"] == "127.0.0.1:8000"


def test_every_gunicorn_value_can_be_set_from_the_environment(gunicorn_conf):
    conf = gunicorn_conf(GUNICORN_WORKERS="7", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="40",
                         GUNICORN_GRACEFUL_TIMEOUT="35", GUNICORN_MAX_REQUESTS="500", GUNICORN_MAX_REQUESTS_JITTER="50",
                         GUNICORN_KEEPALIVE="5", GUNICORN_WORKER_CONNECTIONS="100", GUNICORN_BIND="0.0.0.0:9000")
    assert (conf["workers"], conf["threads"], conf["timeout"], conf["graceful_timeout"]) == (7, 8, 40, 35)
    assert (conf["max_requests"], conf["max_requests_jitter"], conf["keepalive"]) == (500, 50, 5)
    assert (conf["worker_connections"], conf["bind"]) == (100, "0.0.0.0:9000")


def test_sync_workers_get_one_thread_and_twice_the_cores_plus_one(gunicorn_conf):
    conf = gunicorn_conf(GUNICORN_WORKER_CLASS="sync", PORT="8123", WEB_CONCURRENCY="")
    assert (conf["threads"], conf["workers"]) == (1, 2 * len(os.sched_getaffinity(0)) + 1)
    assert conf["bind"] == "127.0.0.1:8123"
    assert gunicorn_conf(WEB_CONCURRENCY="2")["workers"] == 2


def test_the_database_gives_up_before_the_worker_and_the_worker_before_the_proxy(gunicorn_conf):
    conf = gunicorn_conf()
    database = settings.DB_STATEMENT_TIMEOUT_MS / 1000
    assert conf["DB_STATEMENT_TIMEOUT"] == database  # the settings and gunicorn read one value
    assert 0 < database < conf["timeout"] < conf["PROXY_READ_TIMEOUT"]
    assert conf["graceful_timeout"] > database  # a request in flight may finish its last statement
    assert conf["timeout_chain_problems"]() == []


def test_gunicorn_warns_of_a_broken_chain(gunicorn_conf):
    problems = gunicorn_conf(DB_STATEMENT_TIMEOUT_MS="45000", PROXY_READ_TIMEOUT="20")["timeout_chain_problems"]()
    assert len(problems) == 2
    assert "DB_STATEMENT_TIMEOUT_MS (45 s)" in problems[0] and "PROXY_READ_TIMEOUT (20 s)" in problems[1]


def test_gunicorn_itself_reads_the_configuration():
    env = {key: value for key, value in os.environ.items() if not key.startswith(GUNICORN_ENV)}
    result = subprocess.run([str(Path(sys.executable).with_name("gunicorn")), "--print-config", "-c", str(CONF),
                             "portal.wsgi:application"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    printed = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.M))
    assert printed["worker_class"] == "gthread" and printed["timeout"] == "30", result.stderr
    assert printed["control_socket_disable"] == "True"


# --- scripts/serve ---------------------------------------------------------------------------------------

def _services_unavailable() -> str | None:
    for command, what in ((["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], "PostgreSQL on 127.0.0.1:5432"),
                          (["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], "Redis on 127.0.0.1:6379")):
        if shutil.which(command[0]) is None or subprocess.run(command, capture_output=True, timeout=10).returncode:
            return what
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(log: Path, pattern: str, process, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if re.search(pattern, text):
            return text
        if process.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"scripts/serve: no {pattern!r} within {seconds:.0f} s\n{log.read_text(errors='replace')[-4000:]}")


@pytest.mark.slow
@pytest.mark.integration
def test_scripts_serve_answers_over_http_and_stops_everything_on_term_even_if_signalled_twice(tmp_path):
    missing = _services_unavailable()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"scripts/serve needs {missing}")
        pytest.skip(f"scripts/serve needs {missing}")
    port, log = _free_port(), tmp_path / "serve.log"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "REDIS_URL", "GUNICORN_"))}
    env.update(PORT=str(port), DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_serve_selftest",
               REDIS_URL="redis://127.0.0.1:6379/11", SERVE_DEMO="0", GUNICORN_WORKERS="2",
               CELERY_CONCURRENCY="1", PORTAL_VAR_DIR=str(ROOT / "var" / "serve-selftest"))
    with open(log, "wb") as out:
        serve = subprocess.Popen([str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(log, rf"listening on http://127\.0\.0\.1:{port}/", serve, 240)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200 and response.headers["Server"] == "gunicorn"
            assert "证照分离" in response.read().decode()
        text = _wait_for(log, r"ready\.", serve, 60)  # the Celery worker
        assert "beat: Starting" in text and "(gthread)" in text
        serve.send_signal(signal.SIGTERM)
        # A second TERM while it stops (a supervisor signalling again, an impatient Ctrl-C) must not cut
        # the stopping short: the script still waits for all three and exits as for the first.
        _wait_for(log, r"scripts/serve: stopping", serve, 30)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 143
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    stopped = [int(pid) for pid in re.findall(r"scripts/serve: stopping [\w ]+ \((\d+)\)", text)]
    assert len(stopped) == 3
    assert not [pid for pid in stopped if _alive(pid)]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
