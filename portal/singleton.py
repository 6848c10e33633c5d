"""One run at a time of each periodic job, however many beats and workers there are (issue 13).

Two beat processes (a second one started by mistake, or one per host so that a host may fail) each
send every job; two workers then run it at once. The jobs are idempotent, but two runs at once still
race for the same rows, wait on each other's locks and double the load. A job wrapped in
`one_at_a_time` runs only while it holds its lock; a run that finds the lock held returns None at
once, doing nothing, and the run holding it does the work.

The lock, and why this one:

- PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a key made from the job's
  name. The server releases it when the session ends, so a worker killed mid-job (SIGKILL, out of
  memory, a lost host) leaves nothing behind and there is no lease to guess; the try_ form never
  waits. The lock space is the database's own, so two databases (tests) do not meet. Not through a
  proxy that pools by transaction (PgBouncer in transaction mode hands the session to others).
- Otherwise (SQLite: the demo and the default tests): flock on a file beside the database. A SQLite
  database is a file on one host, so every process that can run a job can open the same lock file,
  and the kernel releases the lock when the process dies, as the server does above.

Not a cache lock (cache.add with a timeout): it needs a cache every process shares (the default
locmem is one per process) and a timeout that is either shorter than the longest run (two runs at
once after all) or longer than a crash (runs stopped until it expires).
"""
import contextlib
import fcntl
import functools
import hashlib
import logging
import tempfile
from pathlib import Path

from django.db import connection

logger = logging.getLogger("portal.singleton")


def lock_key(name: str) -> int:
    """A signed 64-bit key (PostgreSQL's bigint) from the job's name, the same in every process
    (unlike hash(), which Python salts per process)."""
    digest = hashlib.sha256(f"portal.job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def held(name: str):
    """Yield True while this process holds the lock of `name`, released on the way out however
    the block ends; False, at once, while another run holds it."""
    lock = _advisory_lock if connection.vendor == "postgresql" else _file_lock
    with lock(name) as mine:
        yield mine


@contextlib.contextmanager
def _advisory_lock(name: str):
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        mine = cursor.fetchone()[0]
    session = connection.connection  # the session that holds it: the lock lives and dies with it
    try:
        yield mine
    finally:
        if mine:
            _advisory_unlock(key, session)


def _advisory_unlock(key: int, session) -> None:
    if connection.connection is not session:
        return  # the session was closed meanwhile (an error, a reconnect): the server released the lock then
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except Exception:  # noqa: BLE001 - the job's own outcome must not be hidden by the unlock; closing frees it
        logger.warning("advisory lock %s could not be released; closing the session releases it", key,
                       exc_info=True)
        connection.close()


@contextlib.contextmanager
def _file_lock(name: str):
    # One file per database and job: two SQLite databases in one folder (tests) do not meet either.
    key = lock_key(f"{connection.settings_dict['NAME']}|{name}") & (2**64 - 1)
    path = _lock_folder() / f"portal-job-{key:016x}.lock"
    with open(path, "a") as handle:  # noqa: PTH123 - a plain handle for flock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_folder() -> Path:
    """Beside the SQLite file (every process sharing it can write there: SQLite keeps its journal
    there); the temporary folder for a database in memory, which only one process can use anyway."""
    name = str(connection.settings_dict["NAME"])
    database = Path(name)
    if "memory" in name or not database.is_absolute():
        return Path(tempfile.gettempdir())
    return database.parent


def one_at_a_time(job):
    """Wrap a periodic job (below @shared_task, so the task keeps its name): it runs only while it
    holds the lock of its dotted name; a run meanwhile returns None and does nothing."""
    name = f"{job.__module__}.{job.__qualname__}"

    @functools.wraps(job)
    def guarded(*args, **kwargs):
        with held(name) as mine:
            if not mine:
                logger.info("%s: another run holds the lock; this run does nothing", name)
                return None
            return job(*args, **kwargs)
    guarded.one_at_a_time = name  # the tests check every beat job carries it
    return guarded
