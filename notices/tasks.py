"""Celery jobs of notices: thin, idempotent, enqueued only after the issuing transaction commits.

The beat jobs run one at a time however many beats send them (portal.singleton); the per-record
jobs may run on many workers at once, each claiming its row (notices/outbox.py: SKIP LOCKED)."""
from celery import shared_task

from notices import outbox, publicity, services, sla
from portal.singleton import one_at_a_time


@shared_task(acks_late=True, ignore_result=True)
def document_prepare_pdf(document_id: int) -> bool:
    """Render an issued document's PDF ahead of its first download; True when this run rendered it.

    Safe to run twice (a redelivery, a manual run): a PDF already kept is not rendered again, and
    document_pdf lets only one of two concurrent renders keep its file.
    """
    return services.document_prepare_pdf(document_id)


@shared_task(ignore_result=True)
@one_at_a_time
def documents_render_missed() -> list[int]:
    """Beat: render the PDFs that no message asked for (issue 12); the document ids rendered. Safe to
    run twice or beside document_prepare_pdf: each PDF is kept once (notices.services)."""
    return services.documents_render_missed()


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(record_id: int) -> bool:
    """Deliver one approval record; True when this run delivered it. Safe to run twice or at once
    (notices/outbox.py: one UPDATE claims the row, FOR UPDATE SKIP LOCKED, so no worker waits)."""
    return outbox.outbox_deliver(record_id)


@shared_task(ignore_result=True)
@one_at_a_time
def outbox_redrive() -> list[int]:
    """Beat: queue what is due for an attempt or was left mid-delivery by a vanished worker."""
    return outbox.outbox_redrive()


@shared_task(ignore_result=True)
@one_at_a_time
def outbox_warn_due_soon() -> int:
    """Beat (hourly): warn approving authorities of records about to miss their 3-working-day due
    time; the mails sent. Safe to run twice: each record is claimed once (notices/sla.py)."""
    return sla.outbox_warn_due_soon()


@shared_task(ignore_result=True)
@one_at_a_time
def publicity_export_yesterday() -> list[str]:
    """Beat (01:30): yesterday's 归集 file, CSV and JSON (issue 16), and any earlier day's still waiting; the
    names written. Safe to run twice: the same files, each file-only record marked delivered once
    (notices/publicity.py)."""
    return publicity.publicity_export_due()
