"""One run of a beat job at a time, however many beats send it (issue 13, portal/singleton.py).

Two beat processes each send every job, and two workers may then run it at once. Every job in the
beat schedule goes through one guard: a run that finds another under way does nothing; the lock
goes with the run however it ends (returns, raises, or its process is killed).

The last test starts it all for real: two `celery -A portal beat` and two `celery -A portal worker`
processes on a Redis of their own and the test database, the beats sending the overdue-materials
job every second (tests/portal/one_beat_settings.py), and one late application: it is revoked once.
"""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

import licensing.tasks  # noqa: F401 - registers the jobs with the Celery app (as autodiscovery does in a worker)
import notices.tasks  # noqa: F401
from licensing.constants import Channel, MaterialStatus, Status
from licensing.models import Application, ApplicationEvent
from notices.constants import DocumentKind
from notices.models import Document
from portal import singleton
from portal.celery import app as celery_app
from supervision.models import CreditRecord
from tests import clock
from tests.factories import ApplicationFactory

BASE_DIR = Path(__file__).resolve().parents[2]
JOB = "licensing.tasks.revoke_for_overdue_materials"
DEADLINE = 45.0  # seconds for the processes to start and revoke; the test ends well within a minute


class Boom(Exception):
    pass


def apply(name):
    result = celery_app.tasks[name].apply()  # through Celery's tracer, in this process
    assert result.successful(), result.traceback
    return result.result


@contextlib.contextmanager
def another_run_of(name):
    """Another worker's run of the job `name`, under way: its lock held from another thread (and so,
    on PostgreSQL, from another database session) until the block ends."""
    held, release, got = threading.Event(), threading.Event(), {}

    def run():
        try:
            with singleton.held(name) as mine:
                got["mine"] = mine
                held.set()
                release.wait(timeout=60)
        finally:
            held.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert held.wait(timeout=10) and got.get("mine"), f"the other run did not get the lock of {name}"
        yield
    finally:
        release.set()
        thread.join(timeout=30)


def free(name) -> bool:
    """Whether a run of `name` could start now, asked from another thread (PostgreSQL lets the session
    that holds a lock take it again, so this thread's own answer would prove nothing)."""
    answer = {}

    def ask():
        try:
            with singleton.held(name) as mine:
                answer["free"] = mine
        finally:
            connection.close()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join(timeout=30)
    return answer["free"]


def late_application(commitment_item, officer):
    """Decided on 2024-10-14; its after-decision material was due 2024-11-11 and never came."""
    with clock.at(2024, 10, 14):
        return ApplicationFactory(item=commitment_item, officer=officer, channel=Channel.WINDOW, decided=True)


def revocations_of(application) -> tuple:
    """(revocation events, credit records, revocation decisions): (1, 1, 1) is one effect."""
    return (ApplicationEvent.objects.filter(application=application, action="revoke").count(),
            CreditRecord.objects.filter(application=application).count(),
            Document.objects.filter(application=application, kind=DocumentKind.REVOCATION).count())


# --- the guard, in this process ----------------------------------------------------------------------

@pytest.mark.django_db
def test_every_job_of_the_beat_schedule_does_nothing_while_another_run_of_it_is_under_way():
    jobs = sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})
    assert JOB in jobs and "notices.tasks.outbox_redrive" in jobs
    for name in jobs:
        assert getattr(celery_app.tasks[name].run, "one_at_a_time", None) == name, f"{name} is not guarded"
        with another_run_of(name):
            assert apply(name) is None, f"{name} ran beside another run of it"


@pytest.mark.django_db
def test_of_two_runs_at_once_the_second_does_nothing_and_the_next_one_revokes_once(commitment_item, officer, at):
    application = late_application(commitment_item, officer)
    with at(2024, 11, 12, 0):
        with another_run_of(JOB):
            assert apply(JOB) is None
        assert Application.objects.get(pk=application.pk).status == Status.APPROVED
        assert apply(JOB) == [application.number]
        assert apply(JOB) == []
    assert revocations_of(application) == (1, 1, 1)


@pytest.mark.django_db
def test_a_run_that_fails_lets_the_next_run_start():
    @singleton.one_at_a_time
    def breaks():
        raise Boom("a bug in the job")

    with pytest.raises(Boom):
        breaks()
    assert free(breaks.one_at_a_time)


def _database_url() -> str:
    """The test database, as DATABASE_URL for a process of its own."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name or not Path(name).is_absolute():
        _unavailable(f"the SQLite test database is in memory ({name}), which another process cannot open")
    return f"sqlite:///{name}"


def _environment(**more) -> dict:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "portal.settings.test",
           "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "INFO", **more}
    for key in ("CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        env.pop(key, None)
    return env


@pytest.mark.django_db
def test_a_worker_killed_in_the_middle_of_a_run_leaves_no_lock_behind():
    name = "tests.portal.killed-mid-run"
    holder = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "-c", "import sys, time, django; django.setup()\n"
                               "from portal import singleton\n"
                               "with singleton.held(sys.argv[1]) as mine:\n"
                               "    print('held' if mine else 'busy', flush=True)\n"
                               "    time.sleep(120)\n", name],
        cwd=BASE_DIR, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not free(name)
        holder.send_signal(signal.SIGKILL)  # no finally, no unlock: the server (or the kernel) lets go
        holder.wait(timeout=10)
        _wait_until(lambda: free(name), 10, "the lock of the killed run to be released")
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


# --- two beats, two workers, for real -------------------------------------------------------------------

def _unavailable(reason: str):
    """Fail in CI (a skipped test would pass for a guarantee not proven), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"the two-beat test cannot run with CI=true: {reason}", pytrace=False)
    pytest.skip(f"the two-beat test is skipped: {reason}")


def _wait_until(condition, timeout, what, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    tails = "\n".join(f"--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s\n{tails}")


@pytest.fixture
def own_redis(tmp_path):
    """redis-server on a free port of its own: nothing else's queues, nothing left behind."""
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not on PATH (Debian package redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=0.5)

    def answers():
        try:
            return client.ping()
        except redis.RedisError:
            return False
    try:
        _wait_until(answers, 10, f"redis-server on port {port}")
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


class Celery:
    """`celery -A portal worker|beat` processes on the test database and our Redis; their logs in tmp."""

    def __init__(self, redis_url: str, folder: Path):
        self.env = _environment(CELERY_BROKER_URL=f"{redis_url}/0", CACHE_URL=f"{redis_url}/1",
                                DJANGO_SETTINGS_MODULE="tests.portal.one_beat_settings")
        self.folder, self.processes, self.logs = folder, [], {}

    def start(self, kind: str, number: int):
        name = f"{kind}-{number}"
        options = {"worker": ["--pool=solo", "-n", f"{name}@%h", "--without-heartbeat", "--without-gossip",
                              "--without-mingle"],
                   "beat": ["-s", str(self.folder / f"{name}-schedule"), "--pidfile", str(self.folder / f"{name}.pid"),
                            "--max-interval", "1"]}[kind]
        log = self.logs[name] = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            self.processes.append(subprocess.Popen(  # noqa: S603 - a fixed command line of our own
                [sys.executable, "-m", "celery", "-A", "portal", kind, "--loglevel=INFO", *options],
                cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT))

    def read(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def runs(self, worker: str) -> list[str]:
        """What each run of the job on this worker returned: "None" (another run was under way), "[]"
        (nothing left to do) or the numbers it revoked."""
        return re.findall(rf"Task {re.escape(JOB)}\[[^\]]+\] succeeded in [\d.e-]+s: (.*)", self.read(worker))

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def celery(own_redis, tmp_path):
    processes = Celery(own_redis, tmp_path)
    yield processes
    processes.stop_all()  # before the database is emptied: no process may hold it then


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beats_and_two_workers_revoke_a_late_application_once(celery, commitment_item, officer):
    application = late_application(commitment_item, officer)  # committed: the workers see it
    for number in (1, 2):
        celery.start("worker", number)
        celery.start("beat", number)
    logs = list(celery.logs.values())

    def revoked():
        return Application.objects.filter(pk=application.pk, status=Status.REVOKED).exists()
    _wait_until(revoked, DEADLINE, "the revocation", logs)
    # Both beats keep sending, and both workers keep running the job, after the revocation too.
    _wait_until(lambda: all(len(celery.runs(f"worker-{n}")) >= 3 for n in (1, 2)), DEADLINE / 2,
                "three runs of the job on each worker", logs)
    for number in (1, 2):
        assert f"Sending due task one-beat-test ({JOB})" in celery.read(f"beat-{number}")

    runs = celery.runs("worker-1") + celery.runs("worker-2")
    assert runs.count(f"['{application.number}']") == 1, runs  # one run revoked it; the others found it done
    assert set(runs) <= {f"['{application.number}']", "[]", "None"}, runs
    assert revocations_of(application) == (1, 1, 1)
    assert set(application.materials.filter(due_date__isnull=False).values_list("status", flat=True)) == {
        MaterialStatus.OVERDUE}
