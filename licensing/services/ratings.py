"""好差评 (issue 15): the applicant rates an ended application; the rated authority answers a poor rating.

国办发〔2019〕51号 rates a service on five levels; a 差评 (不满意, 非常不满意) is looked into and answered to
the rater within settings.RATING_FOLLOW_UP_WORKING_DAYS (15) working days of the day it was given, counted on
the portal's one calendar (portal.calendar: the day itself is not counted). Who may rate, when, and whom a
rating concerns are licensing.selectors.ratings, the rules the pages and the API read too.

The Rating row names its actors and times (rated_by/rated_at, answered_by/answered_at); the answer goes to the
rater by mail after commit, in the language the rater chose (User.language), and shows on the application page.
"""
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from licensing.constants import RatingLevel
from licensing.models import Application, Rating
from licensing.selectors.ratings import (
    ANSWER_LENGTH, COMMENT_LENGTH, answers_for, level_label, rated_organisation_id, rates_for_applicant,
    rating_refusal,
)
from portal import calendar
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems

logger = logging.getLogger(__name__)

ANSWER_TEMPLATE = "licensing/mail/rating_answer.txt"


def _checked_rating(level, comment) -> tuple[int, str]:
    """The level (an integer 1–5, not a text or a truth value) and the comment, every problem at once."""
    problems = Problems()
    if isinstance(level, bool) or not isinstance(level, int) or level not in RatingLevel.values:
        problems.add("level", _("请选择评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。"))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LENGTH:
        problems.add("comment", _("评价内容最多 %(limit)d 个字。") % {"limit": COMMENT_LENGTH})
    if "\x00" in comment:
        problems.add("comment", _("评价内容不能包含空字符。"))
    problems.raise_if_any()
    return level, comment


def follow_up_due(rated_on):
    """差评 answered within the working days after the day it was given (that day is not counted)."""
    return calendar.add_working_days(rated_on, settings.RATING_FOLLOW_UP_WORKING_DAYS).date


@transaction.atomic
def rating_submit(*, application, actor, level, comment="") -> Rating:
    """The applicant's account rates the ended application, once; a poor rating opens a follow-up."""
    if not rates_for_applicant(actor, application):
        raise NotAllowed(_("只有申请人的办理账号可以评价该办件。"))
    level, comment = _checked_rating(level, comment)
    # The application's row is the lock: two ratings sent at once queue here, and the second finds the first.
    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    refusal = rating_refusal(locked)
    if refusal:
        raise Conflict(refusal)
    organisation_id = rated_organisation_id(locked)
    if organisation_id is None:
        raise Conflict(_("该办件没有可评价的审批机关。"))
    now = timezone.now()
    poor = level <= RatingLevel.DISSATISFIED
    try:
        with transaction.atomic():  # the one-to-one is the last word should the lock be bypassed
            return Rating.objects.create(
                application=locked, organisation_id=organisation_id, level=level, comment=comment, rated_by=actor,
                rated_at=now, follow_up_due=follow_up_due(timezone.localdate(now)) if poor else None)
    except IntegrityError:
        raise Conflict(_("该办件已经评价过，每个办件只能评价一次。")) from None


def _checked_answer(answer) -> str:
    text = (answer or "").strip()
    if not text:
        raise InvalidInput(_("请填写整改反馈：核实的情况、整改措施和结果。"), field="answer")
    if len(text) > ANSWER_LENGTH:
        raise InvalidInput(_("整改反馈最多 %(limit)d 个字。") % {"limit": ANSWER_LENGTH}, field="answer")
    if "\x00" in text:
        raise InvalidInput(_("整改反馈不能包含空字符。"), field="answer")
    return text


@transaction.atomic
def rating_answer(*, rating, actor, answer) -> Rating:
    """The rated authority's officer answers a poor rating, once; late is recorded (the due date stays beside
    the answer's time), not refused. The rater gets the answer by mail after commit."""
    if not answers_for(actor, rating):
        raise NotAllowed(_("只有被评价机关的审批人员可以反馈差评。"))
    text = _checked_answer(answer)
    locked = Rating.objects.select_for_update(of=("self",)).get(pk=rating.pk)
    if locked.follow_up_due is None:
        raise Conflict(_("只有“不满意”“非常不满意”的评价需要整改反馈。"))
    if locked.answered_at is not None:
        raise Conflict(_("该差评已于 %(day)s 反馈，不能再次反馈。") % {
            "day": timezone.localdate(locked.answered_at).isoformat()})
    locked.answer, locked.answered_by, locked.answered_at = text, actor, timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    transaction.on_commit(lambda: rating_answer_mail(locked.pk))
    return locked


def rating_answer_mail(rating_id) -> bool:
    """Mail the authority's answer to the rater, in the rater's language; False when not sent (no address, or
    the mail server refused: logged, the answer stays on the application page)."""
    rating = Rating.objects.select_related("rated_by", "organisation", "application__item").get(pk=rating_id)
    rater = rating.rated_by
    if not rater.email or not rater.is_active:
        logger.warning("ratings: rater of application %s has no address for the answer", rating.application.number)
        return False
    with translation.override(rater.language or settings.LANGUAGE_CODE):
        subject, body = _answer_message(rating)
    try:
        EmailMessage(subject, body, None, [rater.email]).send()
    except Exception:  # noqa: BLE001 - the mail server is down: the answer is kept and shown on the page
        logger.exception("ratings: the answer to the rating of application %s could not be mailed",
                         rating.application.number)
        return False
    return True


def _answer_message(rating) -> tuple[str, str]:
    application = rating.application
    link = settings.SITE_URL.rstrip("/") + reverse("web-application-detail", args=[application.number]) + "#rating"
    subject = _("【好差评整改反馈】%(item)s（办件编号 %(number)s）") % {
        "item": application.item.name, "number": application.number}
    body = render_to_string(ANSWER_TEMPLATE, {
        "rating": rating, "application": application, "item": application.item, "rater": rating.rated_by,
        "organisation": rating.organisation, "level": level_label(rating.level), "link": link,
        "rated_on": timezone.localdate(rating.rated_at), "answered_on": timezone.localdate(rating.answered_at)})
    return subject, body
