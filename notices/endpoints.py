"""Services: a regulator's own endpoint for approval records, and its signing secret (issue 9).

The secret is a Standard Webhooks `whsec_` secret: 32 random bytes, base64. The portal shows it
once, to the admin who made it (admin page or `manage.py push_endpoint_add`), who hands it to
the receiver; afterwards only its fingerprint (the last 4 characters) is shown, and the audit
trail never holds it. A rotation keeps the previous secret signing beside the new one for
settings.WEBHOOK_ROTATION_GRACE_HOURS (notices/destinations/webhook.py).
"""
import base64
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import RegulatorEndpoint
from portal import audit
from portal.exceptions import Conflict, InvalidInput
from portal.models import AuditAction, Organisation

SECRET_PREFIX = "whsec_"
URL_MAX_LENGTH = RegulatorEndpoint._meta.get_field("url").max_length


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def fingerprint(secret: str) -> str:
    """What may be shown of a secret once it was handed over: enough to tell two apart."""
    return f"{SECRET_PREFIX}…{secret[-4:]}" if secret else ""


def _schemes() -> list[str]:
    return ["http", "https"] if settings.DEBUG or settings.WEBHOOK_ALLOW_HTTP else ["https"]


def url_check(url) -> str:
    """The endpoint's address, cleaned; HTTPS only in production (signed records carry personal data)."""
    url = str(url or "").strip()
    if not url:
        raise InvalidInput(_("请填写接收地址。"), field="url")
    if len(url) > URL_MAX_LENGTH:
        raise InvalidInput(_("接收地址不能超过%(limit)d个字符。") % {"limit": URL_MAX_LENGTH}, field="url")
    try:
        URLValidator(schemes=_schemes())(url)
    except ValidationError:
        raise InvalidInput(_("接收地址须为以 https:// 开头的完整网址。"), field="url") from None
    return url


def endpoint_check(*, organisation, url) -> str:
    """What endpoint_add would refuse, without adding anything (the admin's form asks first)."""
    if organisation is None:
        raise InvalidInput(_("请选择接收审批信息的部门。"), field="organisation")
    url = url_check(url)
    if RegulatorEndpoint.objects.filter(organisation=organisation, active=True).exists():
        raise Conflict(_("%(organisation)s已有启用的接收接口；如需更换地址，请先停用原接口再添加。")
                       % {"organisation": organisation}, field="organisation")
    return url


@transaction.atomic
def endpoint_add(*, organisation, url, actor) -> tuple[RegulatorEndpoint, str]:
    """Add the organisation's endpoint; returns it with its new secret, which is shown this once."""
    if organisation is not None:  # two admins adding at once: the second waits, then is refused
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    url = endpoint_check(organisation=organisation, url=url)
    secret = new_secret()
    endpoint = RegulatorEndpoint.objects.create(organisation=organisation, url=url, secret=secret)
    _audit(endpoint, actor, "add", url=url)
    return endpoint, secret


@transaction.atomic
def endpoint_rotate_secret(*, endpoint, actor) -> str:
    """A new secret; the old one keeps signing beside it for the grace period. Returns the new one."""
    endpoint = RegulatorEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.active:
        raise Conflict(_("接收接口已停用，无需轮换签名密钥。"))
    secret = new_secret()
    endpoint.previous_secret, endpoint.secret, endpoint.rotated_at = endpoint.secret, secret, timezone.now()
    endpoint.save(update_fields=["previous_secret", "secret", "rotated_at"])
    _audit(endpoint, actor, "rotate", previous=fingerprint(endpoint.previous_secret))
    return secret


@transaction.atomic
def endpoint_deactivate(*, endpoint, actor) -> RegulatorEndpoint:
    """Stop using the endpoint (to replace its address, add a new one afterwards). Records already
    bound to it are retried and then dead-lettered, for an admin to re-send."""
    if not RegulatorEndpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False):
        raise Conflict(_("接收接口已停用。"))
    endpoint.refresh_from_db()
    _audit(endpoint, actor, "deactivate")
    return endpoint


def _audit(endpoint, actor, change: str, **details) -> None:
    # Never the secret itself: the audit trail is read by more people than the receiver's admins.
    audit.write(AuditAction.ENDPOINT_CHANGE, actor=actor, obj=endpoint, details={
        "change": change, "organisation": endpoint.organisation.code, "secret": fingerprint(endpoint.secret),
        **details})
