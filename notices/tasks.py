"""Celery jobs of notices: thin, idempotent, enqueued only after the issuing transaction commits."""
from celery import shared_task

from notices import services


@shared_task(acks_late=True, ignore_result=True)
def document_prepare_pdf(document_id: int) -> bool:
    """Render an issued document's PDF ahead of its first download; True when this run rendered it.

    Safe to run twice (a redelivery, a manual run): a PDF already kept is not rendered again, and
    document_pdf lets only one of two concurrent renders keep its file.
    """
    return services.document_prepare_pdf(document_id)
