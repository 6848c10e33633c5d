"""What the beat jobs cost, as ratios to a no-op Celery task in the same run.

Builds a throw-away SQLite database, approves N commitment applications whose later material is
then overdue, and times `revoke_for_overdue_materials` (each revocation renders a frozen
撤销决定书 and writes a credit record) and an idle run of it (nothing to do), each against a
task that does nothing, all through Celery's `apply()` so the task machinery is included.

    .venv/bin/python bench/tasks_bench.py [-n 20]
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="tasks-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def timed(function, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prepare(n):
    """N approved commitment applications, decided 60 days ago, their later material unsent."""
    import time_machine

    from licensing.models import Item
    from portal.constants import Role
    from portal.models import User
    from tests.factories import ApplicantFactory, UserFactory, commitment_application, ready_commitment_item

    item = ready_commitment_item()
    officer = UserFactory(role=Role.OFFICER, organisation=item.authorities.first().organisation)
    user = User.objects.create(username="bench-applicant", role=Role.APPLICANT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        for _ in range(n):
            commitment_application(item=Item.objects.get(pk=item.pk), applicant=ApplicantFactory(members=[user]),
                                   actor=user, officer=officer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="overdue applications to revoke (default 20)")
    n = parser.parse_args().n

    import django

    django.setup()
    from celery import shared_task
    from django.core.management import call_command

    from licensing.tasks import revoke_for_overdue_materials

    @shared_task
    def noop():
        return None

    call_command("migrate", verbosity=0)
    prepare(n)
    noop.apply()  # warm-up of the task machinery
    reference = timed(lambda: noop.apply(), repeat=200)
    busy = timed(lambda: revoke_for_overdue_materials.apply())
    from licensing.models import Application

    revoked = Application.objects.filter(status="revoked").count()
    assert revoked == n, f"expected {n} revocations, got {revoked}"
    idle = timed(lambda: revoke_for_overdue_materials.apply(), repeat=20)
    print(f"tasks_bench: median time as a ratio to a no-op Celery task ({reference * 1e6:.0f} µs)")
    print(f"  revoke_for_overdue_materials, {n} to revoke   {busy / reference:10.0f} x  ({busy / n * 1000:.1f} ms each)")
    print(f"  revoke_for_overdue_materials, nothing to do  {idle / reference:10.1f} x  ({idle * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
