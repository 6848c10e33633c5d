"""The beat job that warns before an approval record misses its 3-working-day due time
(钦政办〔2019〕72号; issue 9: "a beat job e-mails the authority's contact before a due time is missed").

Each hourly run mails, once per approving authority, the records of that authority still undelivered
whose due time falls within one working day and that no earlier run has warned of
(notices.selectors_outbox.due_soon). Records no route names a regulator for (the unrouted queue)
also go to the platform's operators (settings.OUTBOX_ALERT_EMAILS and settings.ADMINS): only an
admin can add the missing route.

A record is claimed for the warning with a conditional UPDATE (warned_at still empty), one row at a
time, before any mail goes out: two runs at once, or a run repeated, warn of each record once. A
mail that cannot be sent gives its records back (warned_at emptied again), so the next run retries
rather than the warning being lost.

A mail is written in its recipient's language (issue 15): that which the user account an address belongs to
saved with the language switch, when every address of the mail agrees; else 简体中文, the portal's own (an
authority's or the operators' shared mailbox has no account, hence no language of its own).
"""
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext, override

from notices import selectors_outbox
from notices.constants import OutboxStatus
from notices.models import OutboxRecord
from portal.i18n import user_language

logger = logging.getLogger("notices.sla")

BODY_TEMPLATE = "notices/mail/outbox_due_soon.txt"
OPERATORS = gettext_lazy("平台运维管理员")


def outbox_warn_due_soon(now=None) -> int:
    """Beat job: mail the warnings due now; the number of mails sent. Running it again sends none."""
    now = now or timezone.now()
    candidates = list(selectors_outbox.due_soon(selectors_outbox.department_pushes().select_related(
        "application__item", "registration", "authority", "recipient_org"), now).filter(warned_at__isnull=True))
    mails = _mails(candidates)
    claimed = _claim({r.pk for _, _, records in mails for r in records}, now)
    sent = 0
    for addresses, addressee, records in mails:
        mine = [r for r in records if r.pk in claimed]
        if mine and _send(addresses, addressee, mine):
            sent += 1
        elif mine:
            OutboxRecord.objects.filter(pk__in=[r.pk for r in mine], warned_at=now).update(warned_at=None)
    return sent


def _mails(records) -> list[tuple[list[str], str, list]]:
    """(addresses, addressee, records): one per approving authority with a contact address, and one
    to the operators for the records that have no regulator (or no authority) yet."""
    by_authority = {}
    for record in records:
        if record.authority is not None:
            by_authority.setdefault(record.authority, []).append(record)
    mails = []
    for authority, mine in by_authority.items():
        if authority.contact_email:
            mails.append(([authority.contact_email], authority.name, mine))
        else:
            logger.warning("outbox: %s has no contact e-mail; %d record(s) due within one working day not warned",
                           authority.code, len(mine))
    orphans = [r for r in records if r.status == OutboxStatus.UNROUTED or r.authority is None]
    if orphans and _operator_addresses():
        mails.append((_operator_addresses(), OPERATORS, orphans))
    elif orphans:
        logger.warning("outbox: %d unrouted record(s) due within one working day; OUTBOX_ALERT_EMAILS is empty",
                       len(orphans))
    return mails


def _operator_addresses() -> list[str]:
    admins = [address for _, address in getattr(settings, "ADMINS", [])]
    return list(dict.fromkeys([*settings.OUTBOX_ALERT_EMAILS, *admins]))


def _claim(ids, now) -> set[int]:
    """The ids this run warns of: those whose warned_at it set itself (a conditional UPDATE each)."""
    return {pk for pk in sorted(ids)
            if OutboxRecord.objects.filter(pk=pk, warned_at__isnull=True).update(warned_at=now)}


def _distinct(records) -> list:
    """One line per record, not per destination: its inbox and webhook rows share one key."""
    seen, lines = set(), []
    for record in records:
        if record.idempotency_key not in seen:
            seen.add(record.idempotency_key)
            lines.append(record)
    return lines


def _language_of(addresses) -> str:
    """The language the mail to `addresses` is written in (the module docstring says which)."""
    wanted = {address.lower() for address in addresses}
    users = get_user_model().objects.annotate(address=Lower("email")).filter(address__in=wanted, is_active=True)
    by_address = {user.address: user_language(user) for user in users}
    languages = {by_address.get(address, settings.LANGUAGE_CODE) for address in wanted}
    return languages.pop() if len(languages) == 1 else settings.LANGUAGE_CODE


def _send(addresses, addressee, records) -> bool:
    lines = _distinct(records)
    with override(_language_of(addresses)):
        subject = ngettext("【审批信息推送即将超期】%(addressee)s：%(count)d条审批信息须在1个工作日内推送",
                           "【审批信息推送即将超期】%(addressee)s：%(count)d条审批信息须在1个工作日内推送",
                           len(lines)) % {"addressee": addressee, "count": len(lines)}
        body = render_to_string(BODY_TEMPLATE, {
            "addressee": addressee, "records": lines, "link": settings.SITE_URL.rstrip("/") + reverse("records-sla"),
            "unrouted": any(r.status == OutboxStatus.UNROUTED for r in lines)})
    try:
        EmailMessage(subject, body, None, addresses).send()
    except Exception:  # noqa: BLE001 - the mail server is down: the records are warned of next run
        logger.exception("outbox: due-soon warning to %s could not be sent", addressee)
        return False
    logger.info("outbox: warned %s of %d record(s) due soon", addressee, len(lines))
    return True
