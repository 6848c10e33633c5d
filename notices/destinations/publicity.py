"""The credit publicity systems' interface (issue 16: 归集 to the 国家企业信用信息公示系统 and the
全国信用信息共享平台, through the region's platform): settings.PUBLICITY_URL, one for the portal.

The body is the record's payload as JSON (its `data` the 双公示 / 抽查检查 items, notices/publicity.py),
signed exactly like a regulator's webhook (Standard Webhooks: webhook-id, webhook-timestamp,
webhook-signature) with settings.PUBLICITY_SECRET, and judged the same way: 2xx delivered, 410 dead at
once, everything else retried with backoff until dead-lettered (notices/outbox.py).
"""
from django.conf import settings
from django.utils import timezone

from notices import endpoints
from notices.destinations import DeliveryFailed
from notices.destinations.webhook import body_of, headers_signed_with, post_signed
from portal.exceptions import InvalidInput


def _url() -> str:
    if not settings.PUBLICITY_URL:
        # Retried, not dead at once: an operator may configure the receiver within the window (the
        # daily file holds the record meanwhile).
        raise DeliveryFailed("未配置信用信息归集接口地址（PUBLICITY_URL）。")
    try:
        return endpoints.url_check(settings.PUBLICITY_URL)
    except InvalidInput as refused:
        raise DeliveryFailed(f"归集接口地址不被允许：{refused.message}", permanent=True) from None


def _secret() -> str:
    if not settings.PUBLICITY_SECRET:
        raise DeliveryFailed("未配置信用信息归集接口签名密钥（PUBLICITY_SECRET）。")
    return settings.PUBLICITY_SECRET


def deliver(record) -> None:
    url, secret = _url(), _secret()
    body = body_of(record.payload)
    post_signed(url, body, headers_signed_with([secret], record.idempotency_key, body, timezone.now()))
