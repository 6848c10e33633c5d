"""A regulator's own HTTPS endpoint, signed per the Standard Webhooks spec (issue 9).

The body is the record's payload as JSON; three headers let the receiver check it
(README: "Receiving approval records"):

  webhook-id         the record's idempotency key: the same on every attempt and every re-send,
                     so the receiver keeps one copy however often the record arrives
  webhook-timestamp  when this attempt was signed (Unix seconds); receivers refuse stale ones
  webhook-signature  "v1,<base64 HMAC-SHA256 of id.timestamp.body>", with the endpoint's whsec_
                     secret; during a rotation also with the previous one, space-separated, so a
                     receiver still on the old secret keeps verifying until it switches over

The outbox (notices/outbox.py) decides what a failure means: DeliveryFailed is retried with
backoff until the last attempt, DeliveryFailed(permanent=True) is dead-lettered at once.
"""
import datetime as dt
import json
import os

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from notices import endpoints
from notices.destinations import DeliveryFailed
from portal.exceptions import InvalidInput

EXCERPT_BYTES = 300  # of the receiver's answer, for the admin reading last_error; never the whole body
USER_AGENT = "qinzhou-portal-records/1"


def body_of(payload) -> str:
    """The exact text that is signed and sent (UTF-8 on the wire)."""
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def signing_secrets(endpoint, now) -> list[str]:
    """The current secret, and the previous one while the rotation's grace period runs."""
    secrets = [endpoint.secret]
    grace = dt.timedelta(hours=settings.WEBHOOK_ROTATION_GRACE_HOURS)
    if endpoint.previous_secret and endpoint.rotated_at and now - endpoint.rotated_at < grace:
        secrets.append(endpoint.previous_secret)
    return secrets


def signed_headers(endpoint, msg_id: str, body: str, now) -> dict:
    return headers_signed_with(signing_secrets(endpoint, now), msg_id, body, now)


def headers_signed_with(secrets: list[str], msg_id: str, body: str, now) -> dict:
    """The Standard Webhooks headers of one attempt, a signature per secret (also the 归集 push's, issue 16)."""
    # Whole seconds in UTC: Webhook.sign() reads its datetime as UTC whatever zone it carries, and
    # the header must be the very number that was signed.
    seconds = int(now.timestamp())
    signed_at = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    signatures = " ".join(Webhook(secret).sign(msg_id, signed_at, body) for secret in secrets)
    return {"webhook-id": msg_id, "webhook-timestamp": str(seconds), "webhook-signature": signatures,
            "content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT}


def deliver(record) -> None:
    endpoint = record.endpoint
    _check_endpoint(endpoint)
    body = body_of(record.payload)
    post_signed(endpoint.url, body, signed_headers(endpoint, record.idempotency_key, body, timezone.now()))


def post_signed(url: str, body: str, headers: dict) -> None:
    """POST one signed attempt and judge the answer (_check_status); DeliveryFailed when not delivered."""
    try:
        status, excerpt = _post(url, body.encode("utf-8"), headers)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"接收地址在时限内未应答（{exc.__class__.__name__}）。") from exc
    except httpx.HTTPError as exc:  # refused, DNS, TLS, a broken answer: the network may recover
        raise DeliveryFailed(f"无法连接接收地址（{exc.__class__.__name__}：{str(exc)[:200]}）。") from exc
    _check_status(status, excerpt)


def _check_endpoint(endpoint) -> None:
    if endpoint is None:
        raise DeliveryFailed("推送记录未指定接收接口。", permanent=True)
    if not endpoint.active:
        # Retried, not dead at once: an admin may switch the endpoint back on within the window.
        raise DeliveryFailed("接收接口已停用。")
    try:
        endpoints.url_check(endpoint.url)
    except InvalidInput as refused:
        raise DeliveryFailed(f"接收地址不被允许：{refused.message}", permanent=True) from None


def _timeout() -> httpx.Timeout:
    return httpx.Timeout(connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT,
                         write=settings.WEBHOOK_READ_TIMEOUT, pool=settings.WEBHOOK_CONNECT_TIMEOUT)


# One client per worker process and timeout setting, kept: building one costs ~40 ms (its TLS
# context), most of a delivery's time (bench/outbox_bench.py), and it keeps connections alive to
# endpoints that get record after record. Keyed by the pid too, so a forked worker never shares
# its parent's connections.
_clients: dict[tuple, httpx.Client] = {}


def _client() -> httpx.Client:
    key = (os.getpid(), settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT)
    if key not in _clients:
        _clients[key] = httpx.Client(timeout=_timeout(), follow_redirects=False)
    return _clients[key]


def _post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST once, redirects not followed (a signed record goes only where the admin said), and read
    no more of the answer than the excerpt needs."""
    with _client().stream("POST", url, content=body, headers=headers) as response:
        return response.status_code, _excerpt(response)


def _excerpt(response) -> str:
    head = b""
    for chunk in response.iter_bytes():
        head += chunk
        if len(head) >= EXCERPT_BYTES:
            break
    return " ".join(head[:EXCERPT_BYTES].decode("utf-8", errors="replace").split())[:200]


def _check_status(status: int, excerpt: str) -> None:
    """2xx: the receiver has it. 410 Gone: the receiver says this endpoint is gone for good (the
    spec's signal to stop), so the record is dead-lettered at once for an admin to look at. Every
    other answer is retried: 5xx, 408 and 429 are transient by definition, and other 4xx (400,
    401, 403, 404) and 3xx from a regulator's endpoint are nearly always a configuration slip on
    either side (a secret not yet installed, a path not yet deployed) that is fixed within the
    days the retries span; the legal duty is to deliver, so giving up early would only turn each
    such slip into a manual re-send of every record."""
    if 200 <= status < 300:
        return
    message = f"接收地址应答 HTTP {status}" + (f"：{excerpt}" if excerpt else "")
    raise DeliveryFailed(message, permanent=status == 410)
