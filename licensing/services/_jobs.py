"""How the beat jobs go through their rows: each in its own transaction, past any one that fails.

A row that fails (a bug, bad data, a lock timeout) must not keep the rows after it from their
deadline: its transaction is rolled back, so it is left as it was and the next run tries it
again; the error is logged with the application's number for whoever looks after the jobs.
A Conflict is not an error here: someone acted on the row meanwhile (committed, withdrew,
revoked), and it is not counted as done by this run.
"""
import logging
from collections.abc import Callable, Iterable

from django.db import transaction

from portal.exceptions import Conflict

logger = logging.getLogger("licensing.jobs")


def each_in_own_transaction(job: str, rows: Iterable, work: Callable, number_of: Callable) -> list[str]:
    """Run work(row) for every row, each in its own transaction; the numbers of the rows it did."""
    done = []
    for row in rows:
        number = number_of(row)
        try:
            with transaction.atomic():
                work(row)
        except Conflict:
            continue
        except Exception:  # noqa: BLE001 - one row's failure must not stop the others; logged in full
            logger.exception("%s: application %s failed and was left as it was; the next run tries it again",
                             job, number)
            continue
        done.append(number)
    return done
