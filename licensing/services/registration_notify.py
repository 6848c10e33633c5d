"""双告知, the enterprise's side (issue 16): telling the enterprise which items its registration needs.

钦政发〔2019〕18号 三（三）: 推送告知、接收反馈 — the registry's registration reaches the enterprise in its account
(/my/registrations/, licensing.selectors.registrations_account) and through the configured mail. The intake
(licensing.services.registrations.registration_receive) calls registration_tell_after_commit inside its
transaction; the Celery task licensing.tasks.registration_tell then mails, once:
- to the contact address the registry sent (the registration's `email`), in the portal's language;
- to every verified account of the enterprise that has an address, each in the language it chose
  (User.language). A pending claim is not mailed: it may be anybody who typed the 统一社会信用代码 (as for the
  reminders, licensing.services.conditions); it sees the registration in its account all the same.
One message per address: the accounts of an enterprise and its registry contact do not see each other's
addresses. Nothing is mailed for a registration that needs no item of the catalogue, nor when nobody has an
address; it stays in the account either way.

The opening of a registration by a verified account marks it seen (seen_at, seen_by), once.
"""
import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, override

from licensing.models import Registration
from licensing.selectors.applicants import verified_contacts
from licensing.selectors.registrations_account import marks_seen, needed_items

logger = logging.getLogger("licensing.registrations")

TELL_TEMPLATE = "licensing/mail/registration_tell.txt"


class TellNotSent(Exception):
    """The mail server refused the mail: the claim is given back, and the task tries again later."""


def registration_tell_after_commit(registration) -> None:
    """Queue telling the enterprise once the intake's transaction commits. robust: a broker that is down must
    not fail a registration already stored (Django logs the error; the registration is in the account)."""
    registration_id = registration.pk
    transaction.on_commit(lambda: _enqueue_tell(registration_id), robust=True)


def _enqueue_tell(registration_id: int) -> None:
    from licensing.tasks import registration_tell as task  # the task module imports this one

    task.delay(registration_id)


# The redrive looks back this far: a registration still untold after it (nobody with an address, nothing
# needed, or a mail server down for days) is left to the account page, where it is shown all the same.
TELL_REDRIVE_WINDOW = dt.timedelta(days=3)
TELL_REDRIVE_GRACE = dt.timedelta(minutes=10)  # the task queued after the intake's commit runs first


def registrations_tell_pending(limit: int = 500) -> list[int]:
    """Beat job: queue telling every recent registration still untold, so one whose task a broker that was
    down lost, or a worker killed while sending, is mailed once it is back. Queuing one twice is harmless: one
    run sends (registration_tell)."""
    now = timezone.now()
    ids = list(Registration.objects.filter(told_at__isnull=True, received_at__gte=now - TELL_REDRIVE_WINDOW,
                                           received_at__lte=now - TELL_REDRIVE_GRACE)
               .order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    for registration_id in ids:
        _enqueue_tell(registration_id)
    return ids


def registration_tell(*, registration_id) -> bool:
    """Mail the registration to the enterprise; True when this run sent it. Safe to run twice or at once: the
    run that locks the untold registration's row sends (another skips it), and told_at is written in the same
    transaction as the mail goes out. So a run that fails in any way, a refusing mail server (TellNotSent, for
    the task's retry) or a worker killed while sending, leaves it untold for the retry or the beat job. A mail
    sent whose commit then fails, or a partial failure, may be sent again: at least once, never silently none."""
    with transaction.atomic():
        # of=self: the applicant's row is only read; skip_locked: a run at once finds nothing to do
        registration = (Registration.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("applicant").filter(pk=registration_id, told_at__isnull=True).first())
        if registration is None:
            return False
        items, addresses = needed_items(registration), tell_addresses(registration)
        if not items or not addresses:
            logger.info("registrations: %s not mailed (%s)", registration, "no item" if not items else "no address")
            return False
        try:
            _send(registration, items, addresses)
        except Exception as exc:  # noqa: BLE001 - the mail server is down: nothing is marked, the retry sends
            logger.exception("registrations: the mail of %s could not be sent", registration)
            raise TellNotSent(str(registration)) from exc
        Registration.objects.filter(pk=registration.pk).update(told_at=timezone.now())
    return True


def tell_addresses(registration) -> list[tuple[str, str]]:
    """(address, language) to mail: the verified accounts of the enterprise with an address, each in its own
    language, and the registry's contact address in the portal's (unless an account has it); once each."""
    found = {email.lower(): (email, language) for email, language in verified_contacts(registration.applicant_id)}
    if registration.email:
        found.setdefault(registration.email.lower(), (registration.email, settings.LANGUAGE_CODE))
    return sorted(found.values())


def _send(registration, items, addresses) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("my-registration", args=[registration.pk])
    messages = []
    for email, language in addresses:
        with override(language):
            subject, body = _message(registration, items, link)
        messages.append(EmailMessage(subject, body, None, [email]))
    with get_connection() as connection:  # one connection for the lot
        connection.send_messages(messages)


def _message(registration, items, link) -> tuple[str, str]:
    """The mail's subject and body in the language active."""
    subject = _("【登记告知】%(name)s：经营范围涉及的许可事项") % {"name": registration.name}
    body = render_to_string(TELL_TEMPLATE, {
        "registration": registration, "items": items, "link": link, "site": settings.SITE_URL.rstrip("/")})
    return subject, body


def registration_mark_seen(*, registration, actor) -> bool:
    """A verified account of the enterprise opened the registration: seen_at and seen_by, once (a conditional
    UPDATE: two accounts opening it at once record the first). Anyone else's opening marks nothing."""
    if not marks_seen(actor, registration):
        return False
    done = Registration.objects.filter(pk=registration.pk, seen_at__isnull=True).update(
        seen_at=timezone.now(), seen_by=actor)
    if done:
        registration.refresh_from_db(fields=["seen_at", "seen_by"])
    return bool(done)
