"""Where approval records go: one plugin module per kind of destination, behind one interface.

A plugin is a module with `deliver(record)`: it hands one OutboxRecord to its destination and
returns when the destination has it, or raises DeliveryFailed. It may be called more than once
for the same record (a retry, a worker killed after sending and before the outbox noted it), so
the destination must keep one copy per `record.idempotency_key` (the webhook-id).

  inbox    the built-in regulator inbox in the portal (supervision/inbox_destination.py)
  webhook  a regulator's own HTTPS endpoint, signed per the Standard Webhooks spec
  publicity  the credit publicity systems' interface (settings.PUBLICITY_URL), signed the same way
             (issue 16); a PUBLICITY_FILE record has no plugin: the daily file delivers it
"""
from importlib import import_module

from notices.constants import Destination

# By dotted path, as Django names its backends: the inbox plugin lives in supervision, with the inbox
# it fills, and supervision sits above notices (it issues documents), so notices cannot import it.
PLUGINS = {Destination.INBOX: "supervision.inbox_destination", Destination.WEBHOOK: "notices.destinations.webhook",
           Destination.PUBLICITY: "notices.destinations.publicity"}


class DeliveryFailed(Exception):
    """The destination did not take the record. `permanent`: trying again cannot help (the record
    goes to the dead-letter state at once); otherwise it is retried with backoff."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def deliver(record) -> None:
    """Hand the record to the plugin of its destination."""
    import_module(PLUGINS[record.destination]).deliver(record)
