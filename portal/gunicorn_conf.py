"""The one gunicorn configuration (issue 13): scripts/serve, the Dockerfile and docker-compose.yml all
run `gunicorn -c portal/gunicorn_conf.py portal.wsgi:application`. Every value can be overridden from
the environment (GUNICORN_*; an empty value keeps the default).

The timeout chain, from the outside in; each link gives up before the one outside it, so the inner one
always ends a slow request first and ends it cleanly:

    proxy (nginx proxy_read_timeout)              60 s  PROXY_READ_TIMEOUT, what the proxy is told
      gunicorn worker (timeout)                   30 s  GUNICORN_TIMEOUT
        PostgreSQL statement_timeout              15 s  DB_STATEMENT_TIMEOUT_MS (settings/base.py)

- The database first: a statement past 15 s is canceled by PostgreSQL, its transaction rolls back, and
  portal.middleware.QueryCanceledMiddleware answers 503 with Retry-After. The worker lives on. Before,
  at 1M rows, all 4 sync workers were killed by the 30 s timeout under load and the server took 90 s to
  answer normally again.
- The worker next: a sync worker still busy after 30 s (several slow statements in one request) is
  killed and replaced. A gthread worker (the default, below) is killed only when its main loop stops
  answering; its request threads run on, each statement bounded by the database.
- The proxy last: at 60 s it gives up and answers 504 itself. By then the database has ended every
  statement of the request, so a request whose client has gone does not hold a thread for long.
graceful_timeout (30 s, on a reload or a stop) outlasts the statement timeout, so a request in flight
finishes; docker-compose gives web 40 s before it kills the container.
Celery workers get 300 s (DB_STATEMENT_TIMEOUT_MS in scripts/serve and docker-compose.yml), migrations none.
"""
import os

PROXY_READ_TIMEOUT_DEFAULT = 60
DB_STATEMENT_TIMEOUT_MS_DEFAULT = 15_000  # the same default as portal/settings/base.py (a test checks it)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _cores() -> int:
    """The cores this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


CORES = _cores()

# Loopback unless told otherwise: the image sets GUNICORN_BIND=0.0.0.0:8000 (its port is published on the
# host's loopback only, docker-compose.yml).
bind = _env_str("GUNICORN_BIND", f"127.0.0.1:{_env_int('PORT', 8000)}")

# Worker class: gthread, 3 processes × 4 threads here, measured against sync with 5 processes (2 × cores
# + 1) under scripts/serve on a 2-core machine shared with other work, PostgreSQL and Redis on the same
# host, 16 connections, 15 s per run, three alternating rounds (requests/s, 95th percentile):
#   /items/ alone                          gthread 596-856/s, 35-40 ms    sync 200-402/s, 54-175 ms
#   /api/schema/ alone (CPU, ~0.15 s)      gthread 12-22/s                sync 7-12/s
#   4 requests waiting 15 s on a lock,     gthread 402-539/s, 24-41 ms    sync 241-365/s, 40-58 ms
#     12 on /items/ (/items/ figures)
#   6 waiting, 10 on /items/               gthread 603-682/s, 23 ms       sync 1.2/s, 15 s
# The last is the outage of issue 13: as many requests waiting on the database as there are sync
# processes, and nobody is served until the statement timeout frees them; threads keep serving. Memory:
# 304 MB for 3 gthread processes, 530 MB for 5 sync ones. (gevent would need a new dependency and
# psycopg2 patched for it.)
worker_class = _env_str("GUNICORN_WORKER_CLASS", "gthread")
# (gunicorn turns "sync" with more than one thread into gthread.)
threads = _env_int("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1)
# Processes from the cores: a process per core plus one, each with `threads` threads (gthread); the
# classic 2 × cores + 1 for sync, where a process serves one request at a time. WEB_CONCURRENCY is
# gunicorn's own name for it (a PaaS sets it).
workers = _env_int("GUNICORN_WORKERS", _env_int("WEB_CONCURRENCY", CORES + 1 if worker_class == "gthread"
                                                                 else 2 * CORES + 1))

timeout = _env_int("GUNICORN_TIMEOUT", 30)
# The business-scope finder is asked by GET (/finder/?scope=, /api/v1/items/?scope=, issue 15), and a scope
# pasted from a licence is up to 2,000 Chinese characters: 9 bytes each once percent-encoded, ~18 KB of
# request line, past gunicorn's 4,094-byte default and its largest non-zero setting (8,190). 0 lifts the cap;
# the portal itself refuses a scope over 2,000 characters (licensing.selectors.scope), and a proxy in front
# needs a header buffer as large (nginx: large_client_header_buffers 4 32k).
limit_request_line = _env_int("GUNICORN_LIMIT_REQUEST_LINE", 0)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# A worker is replaced after 2000 to 3000 requests: what pyHanko, pypdf (the print bundle, the seal
# check of an uploaded PDF) and Python's allocator keep after a large request is given back. Celery
# workers are recycled alike (CELERY_WORKER_MAX_TASKS_PER_CHILD, settings/base.py), and they render the
# PDFs. The jitter is wide on purpose: workers started together and given equal shares of the load
# reach their limit together. With 1000 + 0-100, under load, two of three restarted within a second of
# each other, and the slowest requests of those runs took 11-19 s.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# A gthread worker takes a connection only while one of its threads is free (worker_connections =
# threads), and closes it after the answer (keepalive 0). Otherwise it accepts up to 1000 and queues
# them behind its threads: a worker whose threads all wait on slow queries then holds fast requests
# for as long (measured: up to 15 s for a 20 ms page) while other workers idle. The kernel's queue
# instead gives each connection to a worker that can start on it now. Nothing is lost behind a proxy
# on the same host or network: nginx opens a connection per request to its upstream by default. To
# keep connections alive, raise both (GUNICORN_WORKER_CONNECTIONS above threads, GUNICORN_KEEPALIVE
# above the proxy's upstream keepalive_timeout).
worker_connections = _env_int("GUNICORN_WORKER_CONNECTIONS", threads)
keepalive = _env_int("GUNICORN_KEEPALIVE", 0)

# gunicorn 25.1+ opens a control socket for gunicornc at one fixed path per user, which a second gunicorn
# on the host (a trial beside the tests) takes over. Off, unless GUNICORN_CONTROL_SOCKET names a path.
control_socket_disable = not _env_str("GUNICORN_CONTROL_SOCKET", "")
if not control_socket_disable:
    control_socket = _env_str("GUNICORN_CONTROL_SOCKET", "")

accesslog = _env_str("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = _env_str("GUNICORN_LOGLEVEL", "info")
# The workers' heartbeat files in memory, as gunicorn's documentation advises for containers: on a slow
# overlay filesystem a delayed heartbeat looks like a hung worker, and the worker is killed.
worker_tmp_dir = _env_str("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else "") or None

# Not gunicorn settings (gunicorn ignores names it does not know): the other links of the chain, as
# the environment states them, checked when gunicorn starts.
PROXY_READ_TIMEOUT = _env_int("PROXY_READ_TIMEOUT", PROXY_READ_TIMEOUT_DEFAULT)
DB_STATEMENT_TIMEOUT = _env_int("DB_STATEMENT_TIMEOUT_MS", DB_STATEMENT_TIMEOUT_MS_DEFAULT) / 1000


def timeout_chain_problems(db: float | None = None, worker: int | None = None, proxy: int | None = None) -> list[str]:
    """What breaks the chain database < worker < proxy, in words (empty when it holds)."""
    db = DB_STATEMENT_TIMEOUT if db is None else db
    worker = timeout if worker is None else worker
    proxy = PROXY_READ_TIMEOUT if proxy is None else proxy
    problems = []
    if not 0 < db < worker:
        problems.append(f"DB_STATEMENT_TIMEOUT_MS ({db:g} s) should be above 0 and below GUNICORN_TIMEOUT "
                        f"({worker} s): a slow query would get the worker killed instead of a 503")
    if not worker < proxy:
        problems.append(f"GUNICORN_TIMEOUT ({worker} s) should be below PROXY_READ_TIMEOUT ({proxy} s): the "
                        "proxy would give up on requests gunicorn still runs")
    return problems


def on_starting(server):
    server.log.info("timeout chain: database %gs < worker %ss < proxy %ss; %s workers × %s threads (%s)",
                    DB_STATEMENT_TIMEOUT, timeout, PROXY_READ_TIMEOUT, workers, threads, worker_class)
    for problem in timeout_chain_problems():
        server.log.warning("timeout chain: %s", problem)


def post_worker_init(worker):
    """A threaded worker builds the API schema once before it serves: drf-spectacular resolves its
    extensions on first use without a lock, and two threads doing that at once answer 500
    (tfranzel/drf-spectacular#1122; seen here on /api/schema/ under load). Costs ~1 s per worker start,
    most of it imports the first API request would make anyway."""
    if threads <= 1:
        return
    try:
        from drf_spectacular.generators import SchemaGenerator

        SchemaGenerator().get_schema(request=None, public=True)
    except Exception:  # never keep a worker from serving pages for the schema's sake
        worker.log.warning("API schema warm-up failed; /api/schema/ builds it on first use", exc_info=True)
