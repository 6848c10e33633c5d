"""The built-in regulator inbox, a destination plugin of the outbox (notices/destinations): the record
becomes a row of the organisation's InboxRecord, once per key. It lives here, with the inbox it
fills; the outbox names it by its dotted path, so notices never imports supervision."""
from notices.destinations import DeliveryFailed
from supervision import services as supervision_services


def deliver(record) -> None:
    if record.recipient_org_id is None:
        raise DeliveryFailed("尚未确定接收部门。")
    supervision_services.inbox_receive(
        key=record.idempotency_key, organisation=record.recipient_org, kind=record.kind,
        kind_label=record.get_kind_display(), application=record.application, registration=record.registration,
        payload=record.payload, event_at=record.event_at, due_at=record.due_at)
