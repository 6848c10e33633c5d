"""How the beat jobs go through their rows: each in its own transaction, past any one that fails.

A row that fails (a bug, bad data, a lock timeout) must not keep the rows after it from their
deadline: its transaction is rolled back, so it is left as it was and the next run tries it
again; the error is logged with the application's number for whoever looks after the jobs.
A Conflict is not an error here: someone acted on the row meanwhile (committed, withdrew,
revoked), and it is not counted as done by this run.

A run reads its rows JOB_BATCH at a time (in_batches), in the order its selector gives (oldest
deadline first), each batch once the one before is done: what it holds in memory and what each
query returns stay bounded whatever the backlog (a day's outage, a bulk import), and rows that keep
failing or conflicting (an application no route names yet) never keep the others waiting, however
many they are. portal.singleton keeps two runs of one job apart.
"""
import logging
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.db.models import QuerySet

from portal.exceptions import Conflict

logger = logging.getLogger("licensing.jobs")

# Rows a query reads: a few hundred kilobytes of rows at most, and few round trips for a large backlog.
JOB_BATCH = 500


def in_batches(select: Callable[[list, int], list], key: Callable, size: int = JOB_BATCH) -> Iterator:
    """The rows select(tried, size) gives, `size` at a time, until a batch comes short.

    Each batch is read after the rows before it were done, and leaves out the keys of the rows
    this run has tried: a row done no longer matches its selector (the jobs' rule: a second run finds
    nothing left to do), and a row that failed or conflicted waits for the next run, so no row is
    tried twice in one run and the run ends."""
    tried = []
    while True:
        batch = select(tried, size)
        yield from batch
        tried += [key(row) for row in batch]
        if len(batch) < size:
            return


def each_in_own_transaction(job: str, rows: Iterable, work: Callable, number_of: Callable) -> list[str]:
    """Run work(row) for every row, each in its own transaction; the numbers of the rows it did.
    A queryset is read a batch at a time (in_batches)."""
    if isinstance(rows, QuerySet):
        selection = rows
        rows = in_batches(lambda tried, size: list(selection.exclude(pk__in=tried)[:size]), key=lambda row: row.pk)
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
