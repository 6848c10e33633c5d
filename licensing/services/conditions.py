"""Commitments to meet the conditions by a date (钦政发〔2019〕20号, quoting 国发〔2019〕25号: "对企业尚不
具备经营许可条件但承诺领证后一定期限内具备的，企业达到经营许可条件并按要求提交材料后，方可开展经营").

The licence is issued on the spot, but the holder may not operate until the authority confirms the
conditions met: the applicant declares them met once it has handed over everything owed; the
deciding authority confirms, and the licence says from when the holder may operate. A reminder
goes out before the date; a date passed with nothing declared is handled like late materials
(附件3 第六、九条): the decision is revoked and the credit record follows.
"""
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop, override

from licensing.constants import Action, MaterialStatus
from licensing.i18n import item_text, local_date
from licensing.models import Application
from licensing.selectors.applicants import verified_contacts
from licensing.selectors.deadlines import conditions_due_soon, conditions_overdue, conditions_pending_q, is_overdue
from licensing.services._core import _lock_in_state, _move, _today
from licensing.services._jobs import each_in_own_transaction
from licensing.services.licences import cn_date, licence_reissue
from licensing.services.sanctions import application_revoke
from portal.exceptions import Conflict
from supervision.constants import CreditReason

logger = logging.getLogger("licensing.conditions")

REMINDER_TEMPLATE = "licensing/mail/conditions_reminder.txt"


@transaction.atomic
def application_declare_conditions(*, application, actor, note="") -> Application:
    """The applicant declares the conditions met; everything owed must be in first, and by the date.

    Late is late whether or not the job has revoked it yet (as for late materials, 附件3 第六条):
    a declaration after the committed date would otherwise save a decision the job is about to revoke."""
    locked = _lock_in_state(application, Action.DECLARE_CONDITIONS)
    if is_overdue(locked.conditions_due, _today()):
        raise Conflict(_("承诺达到经营许可条件的期限（%(date)s）已过，不能再申报。") % {
            "date": local_date(locked.conditions_due)})
    owed = list(locked.materials.filter(status=MaterialStatus.OWED).select_related("material"))
    if owed:
        names = _("、").join(s.material.name for s in owed)
        raise Conflict(_("申报具备经营许可条件前，须先提交约定的材料：%(names)s。") % {"names": names})
    note = (note or "").strip()
    return _move(locked, Action.DECLARE_CONDITIONS, actor, conditions_declared_at=timezone.now(),
                 due=locked.conditions_due,
                 reason=note or gettext_noop("申请人申报已达到经营许可条件，并已按要求提交材料。"))


@transaction.atomic
def application_confirm_conditions(*, application, actor, note="") -> Application:
    """The deciding authority confirms the conditions met: the holder may operate from today, and the
    licence is issued anew (its next version) saying so (issue 12)."""
    # No deadline of the authority's: the date is the holder's, to declare by (declared in time, a later
    # confirmation is not the holder's delay, nor one the gazette sets for the authority).
    application = _move(application, Action.CONFIRM_CONDITIONS, actor, conditions_met_at=timezone.now(),
                        reason=(note or "").strip() or gettext_noop("经核实，申请人已达到经营许可条件，自即日起可以开展经营。"))
    today = _today()
    licence_reissue(application, fields={"may_operate_from": today},
                    change=f"经审批机关确认已具备经营许可条件，自{cn_date(today)}起可以开展经营"
                           f"（原为：具备条件并提交材料前不得从事相关经营活动，经确认具备条件后方可开展经营）")
    return application


def applications_revoke_for_unmet_conditions() -> list[str]:
    """Beat job: the date committed to passed with nothing declared: revoke, credit record (as for
    late materials, 附件3 第六、九条). A declaration waiting for the authority is not the holder's delay."""
    return each_in_own_transaction("revoke_for_unmet_conditions", conditions_overdue(_today()), _revoke_unmet,
                                   lambda a: a.number)


def _revoke_unmet(application):
    application_revoke(application=application, actor=None, credit_reason=CreditReason.CONDITIONS_UNMET,
                       reason=f"承诺在{application.conditions_due:%Y年%m月%d日}前达到经营许可条件，逾期未申报达到条件，"
                              "依据告知承诺指引第六条撤销行政许可决定。")


# --- the reminder before the date -----------------------------------------------------------

def applications_remind_conditions() -> list[str]:
    """Beat job: remind each holder whose date is near (licensing.selectors.deadlines.conditions_due_soon)
    by mail to the accounts acting for it; the numbers reminded. Running it again sends nothing."""
    rows = conditions_due_soon(_today()).select_related("item", "applicant", "licence")
    return each_in_own_transaction("remind_conditions", rows, _remind, lambda a: a.number)


def _remind(application):
    """Claim the application with a conditional UPDATE (reminded_at still empty, its row locked until this
    row's transaction ends), so two runs at once or a run repeated remind once, and send before that
    transaction commits: a mail server that refuses, or a worker killed while sending, rolls the claim back
    and the next run reminds (at least once, never silently none; the lock lasts one mail, EMAIL_TIMEOUT
    at most). A mail sent whose commit then fails goes again next run."""
    addresses = _addresses(application)
    if not addresses:
        logger.warning("conditions: application %s has no account with an e-mail address to remind",
                       application.number)
        raise Conflict("没有可发送提醒的邮箱。")  # not done: a later run reminds once an address exists
    now = timezone.now()
    # Still pending too: a declaration made since the rows were read needs no reminder.
    claimed = Application.objects.filter(conditions_pending_q(), pk=application.pk,
                                         conditions_reminded_at__isnull=True).update(conditions_reminded_at=now)
    if not claimed:
        raise Conflict("已提醒。")
    _send_reminder(application, addresses)


def _addresses(application) -> dict[str, list[str]]:
    """The verified accounts acting for the applicant that have an e-mail address (a pending claim
    may be anybody who typed the 统一社会信用代码: it is not told about the licence), by the language
    each account chose (issue 15; none chosen: the portal's, 简体中文), that language first."""
    by_language = {}
    for email, language in verified_contacts(application.applicant_id):
        by_language.setdefault(language, []).append(email)
    return dict(sorted(by_language.items(), key=lambda pair: pair[0] != settings.LANGUAGE_CODE))


def _reminder(application, owed, link) -> tuple[str, str]:
    """The reminder's subject and body in the language active."""
    body = render_to_string(REMINDER_TEMPLATE, {
        "application": application, "item": application.item, "applicant": application.applicant,
        "licence": getattr(application, "licence", None), "due": application.conditions_due, "owed": owed,
        "link": link})
    subject = _("【经营许可条件到期提醒】%(item)s（办件编号 %(number)s）") % {
        "item": item_text(application.item), "number": application.number}
    return subject, body


def _send_reminder(application, addresses) -> None:
    """One mail per language, to the accounts that chose it (`addresses`, from _addresses); a mail server
    that refuses raises, and the job leaves the application as it was (licensing.services._jobs)."""
    owed = list(application.materials.filter(status=MaterialStatus.OWED).select_related("material"))
    link = settings.SITE_URL.rstrip("/") + reverse("web-application-detail", args=[application.number])
    for language, emails in addresses.items():
        with override(language):
            subject, body = _reminder(application, owed, link)
        EmailMessage(subject, body, None, emails).send()
    logger.info("conditions: reminded application %s of its date %s", application.number,
                application.conditions_due)
