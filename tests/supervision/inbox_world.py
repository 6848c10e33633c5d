"""Records that reach a regulator's inbox the real way: a decision (or a filing, a revocation)
through licensing's services writes the outbox, and notices delivers it (issue 9)."""
from notices.constants import Destination, OutboxStatus
from notices.models import OutboxRecord
from notices.outbox import outbox_deliver
from supervision.models import InboxRecord
from tests.factories import ApplicationFactory


def deliver_all() -> int:
    """Deliver every pending inbox record, as the worker would; how many this delivered."""
    pending = OutboxRecord.objects.filter(destination=Destination.INBOX, status=OutboxStatus.PENDING)
    return sum(outbox_deliver(pk) for pk in pending.values_list("pk", flat=True))


def decided(item, **options) -> InboxRecord:
    """An application of `item` decided on the spot, its record delivered to the routed regulator."""
    application = ApplicationFactory(decided=True, item=item, **options)
    deliver_all()
    return InboxRecord.objects.get(application=application, kind="approval.decided")
