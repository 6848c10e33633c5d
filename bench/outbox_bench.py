"""How fast approval records travel, as ratios to a no-op Celery round trip in the same run.

Builds a throw-away SQLite database, starts its own redis-server on a free port as the broker and
one real Celery worker process (`--pool=solo`) on both, and a local HTTP server standing in for a
regulator's endpoint (it verifies each Standard Webhooks signature, as a receiver must). Then:

  (i)  N webhook records queued at once and delivered by the worker (claim, sign, POST, mark):
       records per second, against no-op tasks per second through the same broker and worker;
  (ii) from a decision (services.application_decide) to its delivery, through the real worker,
       to the portal inbox and to the endpoint: median of K decisions, against one no-op round trip.

    .venv/bin/python bench/outbox_bench.py [-n 200] [-k 5]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from celery import shared_task

BASE_DIR = Path(__file__).resolve().parent.parent


@shared_task(name="bench.noop", ignore_result=False)
def noop():
    """The reference: a task that does nothing, its result sent back through Redis."""
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=300.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"outbox_bench: {what} did not happen within {timeout:.0f} s")
        time.sleep(0.01)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    secret = None

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.received = 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}/records"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        from standardwebhooks.webhooks import Webhook

        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        Webhook(self.server.secret).verify(body, {k.lower(): v for k, v in self.headers.items()})
        self.server.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def environment(var_dir: str, redis_url: str) -> None:
    os.environ.update({"PORTAL_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                       "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
                       "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "WARNING"})
    os.environ.pop("DATABASE_URL", None)


def start_redis(port: int, directory: str) -> subprocess.Popen:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", directory]
    process = subprocess.Popen(command,  # noqa: S603 - a fixed command line of our own
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), timeout=10, what="redis-server")
    return process


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.RedisError:
        return False


def start_worker(log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING",
               "--include", "bench.outbox_bench", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=BASE_DIR, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def prepare(k: int, receiver: Receiver):
    """Item 13 routed to a regulator with an endpoint at the receiver; k committed applications."""
    from notices.models import RegulatorEndpoint
    from notices.endpoints import new_secret
    from tests.factories import ApplicationFactory, ready_commitment_item

    item = ready_commitment_item()
    receiver.secret = new_secret()
    RegulatorEndpoint.objects.create(organisation=item.regulator_routes.get().regulator, url=receiver.url,
                                     secret=receiver.secret)
    committed = [ApplicationFactory(committed=True, item=item) for _ in range(k + 1)]
    return item, committed


def clone_records(template, n: int) -> list[int]:
    """N pending webhook records like the template's, each its own webhook-id."""
    from notices.constants import OutboxStatus
    from notices.models import OutboxRecord

    ids = []
    for i in range(n):
        template.pk, template.idempotency_key = None, f"{template.idempotency_key}-bench-{i}"
        template.status, template.attempts, template.delivered_at = OutboxStatus.PENDING, 0, None
        template.save()
        ids.append(template.pk)
        template.idempotency_key = template.idempotency_key.rsplit("-bench-", 1)[0]
    return ids


def noop_rate(n: int) -> float:
    """No-op tasks per second: N sent at once, until the last result is back."""
    start = time.perf_counter()
    results = [noop.delay() for _ in range(n)]
    for result in results:
        result.get(timeout=300)
    return n / (time.perf_counter() - start)


def delivery_rate(ids: list[int], receiver: Receiver) -> float:
    """Records per second: N queued at once (as the redrive does), until the last is delivered."""
    from notices.constants import OutboxStatus
    from notices.models import OutboxRecord
    from notices.outbox import enqueue_delivery

    before = receiver.received
    start = time.perf_counter()
    for record_id in ids:
        enqueue_delivery(record_id)
    rows = OutboxRecord.objects.filter(pk__in=ids)
    wait_for(lambda: not rows.exclude(status=OutboxStatus.DELIVERED).exists(), what="delivery of the batch")
    elapsed = time.perf_counter() - start
    assert receiver.received - before == len(ids), (receiver.received - before, len(ids))
    return len(ids) / elapsed


def decision_latency(application, officer) -> dict:
    """Seconds from the decision's call to each destination's delivered_at (both in this clock)."""
    from licensing import services
    from notices.constants import OutboxStatus
    from notices.models import OutboxRecord

    start = time.time()
    services.application_decide(application=application, actor=officer)
    rows = OutboxRecord.objects.filter(application=application)
    wait_for(lambda: rows.exists() and not rows.exclude(status=OutboxStatus.DELIVERED).exists(),
             what="delivery of a decision's record")
    return {row.destination: row.delivered_at.timestamp() - start for row in rows}


def noop_round_trip(repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        noop.delay().get(timeout=60)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n: int, k: int, receiver: Receiver, worker_log: Path) -> None:
    from portal.celery import app
    from tests.factories import item_officer

    item, committed = prepare(k, receiver)
    officer = item_officer(item)
    app.control.purge()  # the PDF jobs of the applications just prepared: not part of the measure
    worker = start_worker(worker_log)
    try:
        _measure(n, k, receiver, item, committed, officer)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _measure(n, k, receiver, item, committed, officer) -> None:
    from notices.constants import Destination
    from notices.models import OutboxRecord

    warm = decision_latency(committed.pop(), officer)  # warm-up: the worker's first task, connections
    template = OutboxRecord.objects.filter(destination=Destination.WEBHOOK).first()
    ids = clone_records(template, n)
    noop_round_trip(10)
    reference = noop_round_trip()
    noops_per_s = noop_rate(n)
    records_per_s = delivery_rate(ids, receiver)
    latencies = [decision_latency(application, officer) for application in committed]
    report(n, k, reference, noops_per_s, records_per_s, latencies, warm)


def report(n, k, reference, noops_per_s, records_per_s, latencies, warm) -> None:
    print(f"outbox_bench: one worker (--pool=solo), own redis-server, SQLite; no-op round trip "
          f"{reference * 1000:.1f} ms, {noops_per_s:.0f} no-ops/s in a batch of {n}")
    print(f"  (i)  webhook records delivered, batch of {n}   {records_per_s:8.1f} /s   "
          f"= {records_per_s / noops_per_s:.3f} x the no-op rate ({noops_per_s / records_per_s:.1f} no-ops per record)")
    for destination in ("inbox", "webhook"):
        median = statistics.median(latency[destination] for latency in latencies)
        print(f"  (ii) decision -> delivered to {destination:7s}, median of {k}   {median * 1000:8.0f} ms "
              f"= {median / reference:.0f} x a no-op round trip")
    print(f"       (the first decision, warm-up, not counted: inbox {warm['inbox'] * 1000:.0f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="records delivered in the batch (default 200)")
    parser.add_argument("-k", type=int, default=5, help="decisions timed one by one (default 5)")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("outbox_bench: redis-server is not on PATH (Debian package redis-server)")
    var_dir, port = tempfile.mkdtemp(prefix="outbox-bench-"), free_port()
    environment(var_dir, f"redis://127.0.0.1:{port}/0")
    sys.path.insert(0, str(BASE_DIR))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis_server = start_redis(port, var_dir)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        measure(args.n, args.k, receiver, Path(var_dir) / "worker.log")
    finally:
        redis_server.terminate()
        receiver.shutdown()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
