"""好差评 (issue 15; 国办发〔2019〕51号, 钦政办〔2019〕72号): who may rate an application and when, the
authority's follow-ups of poor ratings, the public aggregate per authority, and the overdue follow-ups
the desk and the quarterly reports count.

- **When.** An application is rated once it has ended (办结): closed_at is set by every step that ends it
  (a decision, the receipt of a filing or a cancelled item, a withdrawal, a lapse), and a filing found
  untrue is not settled until corrected (selectors.progress.settled_on, the public lookup's rule).
- **Who.** An applicant account acting for its applicant ("licensing.act_as_applicant": a verified link
  sees every application of the applicant, a pending claim only what its own account filed). The window
  clerk acts for applicants but does not rate for them; staff rate nothing.
- **Whom.** The authority that decided (the entrusted one acts for its entruster, authorities.decider_id),
  or for rows older than that choice routing.authority_of: its officers answer a poor rating.
- **Follow-ups.** A poor rating (不满意, 非常不满意) is answered within settings.RATING_FOLLOW_UP_WORKING_DAYS
  working days of the day it was given; open ones are read in the order of the partial index
  rating_follow_up_idx (organisation, follow_up_due, id: only unanswered poor ratings).
- **The aggregate** names authorities and counts, never a rater or a comment.
"""
import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from licensing.constants import RatingLevel, Status
from licensing.models import Rating
from licensing.selectors.authorities import decider_id
from licensing.selectors.deadlines import is_overdue
from licensing.selectors.progress import settled_on
from licensing.selectors.routing import authority_of
from portal.permissions import is_applicant_user, is_officer

RATE = "rate"  # how application_allowed_actions names the step (not a transition: the state stays)
COMMENT_LENGTH = 500
ANSWER_LENGTH = 2000
SATISFIED = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.FAIRLY_SATISFIED)
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # what an id in a path may be (past bigint PostgreSQL errs)
LEVELS = [level for level, _label in RatingLevel.choices]  # 5 (非常满意) first, as the scheme lists them
# The five levels as pages, the API's labels and mails say them, in the reader's language (RatingLevel keeps
# the stored Chinese labels of the admin and the database).
LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: gettext_lazy("非常满意"), RatingLevel.SATISFIED: gettext_lazy("满意"),
    RatingLevel.FAIRLY_SATISFIED: gettext_lazy("基本满意"), RatingLevel.DISSATISFIED: gettext_lazy("不满意"),
    RatingLevel.VERY_DISSATISFIED: gettext_lazy("非常不满意"),
}


def level_label(level) -> str:
    return str(LEVEL_LABELS[RatingLevel(level)])


# --- rating ------------------------------------------------------------------------------------

def rating_of(application) -> Rating | None:
    """The application's rating, or None (read once and kept, like any one-to-one relation)."""
    try:
        return application.rating
    except Rating.DoesNotExist:
        return None


def rates_for_applicant(user, application) -> bool:
    """`user` is an applicant account acting for the application's applicant (licensing/rules.py)."""
    return is_applicant_user.test(user) and user.has_perm("licensing.act_as_applicant", application)


def rated_organisation_id(application) -> int | None:
    """The authority a rating of `application` concerns: the one that decided (or, entrusted, acted)."""
    acting = decider_id(application)
    if acting is not None:
        return acting
    authority = authority_of(application)
    return authority.pk if authority is not None else None


def rating_refusal(application) -> str:
    """Why the application may not be rated now, whoever asks ("" when it may): not ended, or rated."""
    if settled_on(application) is None:
        return _("办件办结后才能评价。")
    if rating_of(application) is not None:
        return _("该办件已经评价过，每个办件只能评价一次。")
    return ""


def ratable_q() -> Q:
    """rating_refusal's "may be rated" as a query, for lists (the start page's 待评价): closed, not a filing
    waiting for its correction (settled_on), and not rated yet."""
    return Q(closed_at__isnull=False, rating__isnull=True) & ~Q(status=Status.FILING_CORRECTION)


def rating_allowed(application, user) -> bool:
    """`user` may rate `application` now: the "rate" of application_allowed_actions. The cheap checks first,
    so an application still running costs no query."""
    return (settled_on(application) is not None and rates_for_applicant(user, application)
            and not rating_refusal(application))


# --- the authority's follow-ups ------------------------------------------------------------------

def answers_for(user, rating) -> bool:
    """Only an approval officer of the rated authority answers its follow-ups."""
    return bool(is_officer.test(user) and user.organisation_id and user.organisation_id == rating.organisation_id)


def follow_ups_open(organisation_id) -> QuerySet:
    """The authority's poor ratings not answered yet, the earliest due first: the partial index
    rating_follow_up_idx, read in its own order."""
    return (Rating.objects.filter(organisation_id=organisation_id, follow_up_due__isnull=False,
                                  answered_at__isnull=True)
            .select_related("application__item").order_by("follow_up_due", "id"))


def follow_up_overdue(rating, today: dt.date | None = None) -> bool:
    """Past its working-day due date and still unanswered (due on the day, answered by its end)."""
    return rating.answered_at is None and is_overdue(rating.follow_up_due, today)


def follow_ups_overdue(organisation_id, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return follow_ups_open(organisation_id).filter(follow_up_due__lt=today)


def follow_ups_overdue_count(organisation_id, today: dt.date | None = None) -> int:
    """The officer desk's "逾期未反馈的差评" (one count on the partial index)."""
    if organisation_id is None:
        return 0
    return follow_ups_overdue(organisation_id, today).order_by().count()


def follow_up_of(user, rating_id) -> Rating | None:
    """The open or answered poor rating `rating_id` of the officer's authority, else None (another
    authority's rating reads as one that does not exist)."""
    if not is_officer.test(user) or user.organisation_id is None or not _ID.fullmatch(str(rating_id)):
        return None
    return (Rating.objects.filter(pk=int(rating_id), organisation_id=user.organisation_id,
                                  follow_up_due__isnull=False).select_related("application__item").first())


# --- the public aggregate ---------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorityRatings:
    """One authority's ratings in public: counts per level (5 first), and the share satisfied (3–5)."""

    code: str
    name: str
    counts: dict  # level -> ratings

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(self.counts[level] for level in SATISFIED)

    @property
    def satisfied_share(self) -> float:
        return round(self.satisfied / self.total, 4) if self.total else 0.0

    @property
    def satisfied_percent(self) -> str:
        """满意率 as the page prints it: 87.5 (per cent, one decimal)."""
        return f"{self.satisfied_share * 100:.1f}"

    @property
    def levels(self) -> list:
        """(level, label, count), 非常满意 first."""
        return [(level, level_label(level), self.counts[level]) for level in LEVELS]


def _per_level() -> dict:
    return {f"level_{level}": Count("id", filter=Q(level=level)) for level in LEVELS}


def rating_summary() -> list[AuthorityRatings]:
    """Every rated authority with its counts: one grouped query however many ratings there are."""
    rows = (Rating.objects.order_by().values("organisation__code", "organisation__name")
            .annotate(**_per_level()).order_by("organisation__name", "organisation__code"))
    return [AuthorityRatings(code=row["organisation__code"], name=row["organisation__name"],
                             counts={level: row[f"level_{level}"] for level in LEVELS}) for row in rows]


def rating_totals(summary: list[AuthorityRatings]) -> AuthorityRatings:
    """All authorities together (the page's last row)."""
    return AuthorityRatings(code="", name=_("合计"),
                            counts={level: sum(a.counts[level] for a in summary) for level in LEVELS})


# --- the quarterly reports ----------------------------------------------------------------------

def follow_up_figures(organisation_id, *, start: dt.datetime, end: dt.datetime) -> dict:
    """The authority's ratings in [start, end): received, of them poor, follow-ups answered in the period and
    of them late; and open and overdue as the period ended (due before `end`'s day, unanswered by then), so a
    report made again later gives the same numbers. One aggregate query (an answer is late when the day it was
    given, Qinzhou time, is after the due date)."""
    within = Q(rated_at__gte=start, rated_at__lt=end)
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    open_then = Q(follow_up_due__isnull=False, rated_at__lt=end) & (Q(answered_at__isnull=True)
                                                                     | Q(answered_at__gte=end))
    counts = Rating.objects.filter(organisation_id=organisation_id).aggregate(
        rated=Count("id", filter=within), poor=Count("id", filter=within & Q(follow_up_due__isnull=False)),
        answered=Count("id", filter=answered & Q(follow_up_due__isnull=False)),
        answered_late=Count("id", filter=answered & Q(answered_at__date__gt=F("follow_up_due"))),
        open_at_end=Count("id", filter=open_then),
        overdue_at_end=Count("id", filter=open_then & Q(follow_up_due__lt=timezone.localdate(end))))
    return counts
