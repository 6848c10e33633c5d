"""The site bench/http_load.py loads: a PostgreSQL database of its own, a redis-server of its own
(the shared cache for the rate limits, and the Celery broker the transitions publish to), and the
portal under gunicorn with production settings plus the two reference views (bench/bare.py).

Nothing here touches another database or Redis: the database is `portal_bench_<pid>` (or the one
--reuse-db names), Redis runs on a free port with no persistence, and every process started here
is stopped by its own id.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
VENV_BIN = BASE_DIR / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN_CONF = BASE_DIR / "portal" / "gunicorn_conf.py"
# Where a database may be created: the PostgreSQL of CI and of the helpers (scripts/test's default).
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# High enough never to refuse the load, but still counted: every request pays the counting, as in production.
UNLIMITED = "100000000/h"
RATE_LIMIT_ENV = ("RATE_LIMIT_APPLICATIONS_PER_ACCOUNT", "RATE_LIMIT_APPLICATIONS_PER_IP",
                  "RATE_LIMIT_UPLOADS_PER_ACCOUNT", "RATE_LIMIT_UPLOADS_PER_IP",
                  "RATE_LIMIT_PROGRESS_PER_IP", "RATE_LIMIT_VERIFY_PER_IP")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(message: str) -> None:
    print(f"[http_load] {message}", file=sys.stderr, flush=True)


# --- the database --------------------------------------------------------------------------------

def database_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin():
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    return connection


def database_exists(name: str) -> bool:
    connection = _admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def create_database(name: str) -> None:
    connection = _admin()
    try:
        with connection.cursor() as cursor:
            # The data is Chinese: UTF-8 whatever the cluster's default (as settings.base does for tests).
            cursor.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    finally:
        connection.close()


def drop_database(name: str) -> None:
    connection = _admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def sql(name: str, statement: str, params=(), *, autocommit=False):
    """One statement on the bench database; the rows it returns, if any."""
    import psycopg2

    connection = psycopg2.connect(database_url(name))
    connection.autocommit = autocommit
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall() if cursor.description else None
        connection.commit()
        return rows
    finally:
        connection.close()


# --- the site ------------------------------------------------------------------------------------

class Site:
    """Redis, the environment and gunicorn for one run; stop() undoes what start() did."""

    def __init__(self, db_name: str, *, workers: int | None, max_requests: int | None = None):
        self.db_name = db_name
        self.workers = workers
        # gunicorn_conf.py recycles a worker after about 1,000 requests. A bare-view run makes ten times
        # the requests of an endpoint's, so it would restart workers ten times as often and pay for
        # it in its throughput and p95: off unless asked for (or set in the environment).
        self.max_requests = max_requests if max_requests is not None else int(
            os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
        self.var_dir = tempfile.mkdtemp(prefix="http-load-")
        self.port = free_port()
        self.redis_port = free_port()
        self.redis = None
        self.gunicorn = None
        self.gunicorn_log = Path(self.var_dir) / "gunicorn.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("DATABASE_URL", "CACHE_URL", "REDIS_URL", "CELERY_", "RATE_LIMIT_"))}
        redis = f"redis://127.0.0.1:{self.redis_port}"
        env.update({
            "DJANGO_SETTINGS_MODULE": "bare_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(BASE_DIR)]),
            "DATABASE_URL": database_url(self.db_name),
            "PORTAL_VAR_DIR": self.var_dir,
            "CACHE_URL": f"{redis}/1",
            "CELERY_BROKER_URL": f"{redis}/0",
            "SECRET_KEY": secrets.token_hex(32),
            "SITE_URL": "https://portal.bench.invalid",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Nothing is mailed: the SLA and condition reminders are Celery jobs, and no worker runs.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        })
        env.update({name: UNLIMITED for name in RATE_LIMIT_ENV})
        env["GUNICORN_MAX_REQUESTS"] = str(self.max_requests)
        return env

    def manage_env(self) -> dict:
        # No statement timeout for migrations and seeding (an index on a million rows takes minutes),
        # as scripts/serve runs migrate; gunicorn keeps the web's default.
        return {**self.env(), "DB_STATEMENT_TIMEOUT_MS": "0"}

    def manage(self, *args: str, quiet=True) -> subprocess.CompletedProcess:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.manage_env(),
                                capture_output=quiet, text=True)
        if result.returncode != 0:
            raise SystemExit(f"http_load: manage.py {' '.join(args)} failed:\n{result.stderr or ''}"
                             f"{result.stdout or ''}")
        return result

    def has_command(self, name: str) -> bool:
        return subprocess.run([PYTHON, "manage.py", "help", name], cwd=BASE_DIR, env=self.env(),
                              capture_output=True).returncode == 0

    def start_redis(self) -> None:
        if shutil.which("redis-server") is None:
            raise SystemExit("http_load: redis-server is not on PATH (Debian: apt-get install redis-server)")
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.var_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.redis_port, "redis-server")

    def gunicorn_command(self) -> list[str]:
        command = [str(VENV_BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--chdir", str(BASE_DIR)]
        if GUNICORN_CONF.exists():
            command[2:2] = ["-c", str(GUNICORN_CONF)]
            # the command line wins over the configuration file: only when asked
            return command + (["--workers", str(self.workers)] if self.workers else [])
        # Before portal/gunicorn_conf.py existed: docker-compose's sync workers, four of them.
        return command + ["--workers", str(self.workers or 4), "--worker-class", "sync", "--timeout", "30"]

    def start_gunicorn(self) -> None:
        with open(self.gunicorn_log, "ab") as out:
            self.gunicorn = subprocess.Popen(self.gunicorn_command(), cwd=BASE_DIR, env=self.env(),
                                             stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise SystemExit(f"http_load: gunicorn exited; its log:\n{self.gunicorn_log.read_text()[-3000:]}")
            try:
                # as the TLS proxy would send it: production settings redirect plain http to https
                probe = urllib.request.Request(f"{self.base_url}/bench/bare/", headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(probe, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"http_load: gunicorn did not answer within 90 s; its log:\n"
                         f"{self.gunicorn_log.read_text()[-3000:]}")

    def log_tail(self, lines=60) -> str:
        """The last lines of gunicorn's log without its access lines (the log goes with the var dir)."""
        try:
            text = self.gunicorn_log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join([line for line in text if '" 200 ' not in line][-lines:])

    def gunicorn_workers(self) -> str:
        """What gunicorn says it runs (gunicorn_conf.py logs it), else the count of its children."""
        for line in self.gunicorn_log.read_text(errors="replace").splitlines():
            if "workers ×" in line:
                return line.split(";")[-1].strip()
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        try:
            return f"{len(children.read_text().split())} workers"
        except OSError:
            return "workers unknown"

    def stop(self) -> None:
        for process, name in ((self.gunicorn, "gunicorn"), (self.redis, "redis-server")):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of its workers
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log(f"{name} ({process.pid}) did not stop within 30 s; killing it")
                process.kill()
                process.wait()
        shutil.rmtree(self.var_dir, ignore_errors=True)


def _wait_for_port(port: int, what: str, timeout=20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"http_load: {what} did not listen on {port} within {timeout:.0f} s")


# --- preparing the database ------------------------------------------------------------------------

INSERT_TABLE_SQL = ("CREATE TABLE IF NOT EXISTS bench_insert "
                    "(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)")


def prepare(site: Site, *, applications: int, seed: int, fresh: bool) -> None:
    """Migrate, demo accounts (load_demo also restores the staff backup codes, each good once),
    demonstration seals, the volume, the reference table; statistics fresh for the planner."""
    started = time.monotonic()
    site.manage("migrate", "--noinput")
    site.manage("load_demo")
    site.manage("seal_demo_certs")
    if fresh:
        seed_volume(site, applications, seed)
    sql(site.db_name, INSERT_TABLE_SQL)
    sql(site.db_name, "VACUUM ANALYZE", autocommit=True)
    log(f"database {site.db_name} ready in {time.monotonic() - started:.0f} s")


def seed_volume(site: Site, applications: int, seed: int) -> None:
    if applications <= 0:
        return
    if not site.has_command("seed_volume"):
        log("manage.py seed_volume does not exist yet: the database holds the demo only")
        return
    log(f"seeding {applications:,} applications (manage.py seed_volume)…")
    started = time.monotonic()
    result = subprocess.run([PYTHON, "manage.py", "seed_volume", "--applications", str(applications),
                             "--seed", str(seed)], cwd=BASE_DIR, env=site.manage_env(), text=True)
    if result.returncode != 0:
        raise SystemExit("http_load: manage.py seed_volume failed")
    log(f"seeded in {time.monotonic() - started:.0f} s")
