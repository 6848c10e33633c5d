"""我的首页 (issue 15): what each role has to do now, the page every account lands on after signing in.

applicant  the registrations the business registry told it about (双告知, unseen first), what it owes and by
           when: commitments to sign, corrections asked for, materials owed after the
           decision, the dates it committed to meet the conditions by, filings to correct, and the ended
           applications it may rate (好差评);
clerk      the window's day (一窗受理): what its service hall accepted today, notices waiting for the applicant's
           signed commitment, results decided today to hand out, and account links waiting to be verified;
officer    today's decisions (the commitments decided on the day, the ordinary decisions due by today) and
           those made today; the deadlines running are the officer desk's own queues (officer_queues);
regulator  its inbox not signed for yet and its inspections still open, with the desk's figures
           (supervision.selectors.inbox_for, supervision.queue);
admin      this month's volumes, approval records no route names a regulator for, records stuck (failed, or
           past their due time undelivered), documents whose PDF was never made, items without a route.

Every section shows its first START_ROWS rows and how many there are in all; ?section=<key> pages through
one of them alone. The counts of a page are one statement (portal.paging.capped_counts) and an empty section
reads no rows, so a start page costs the same number of queries however long its lists grow (issue 13).
Each list is read through the selector of the page that lists the same rows, so the start page and the
desks cannot disagree about what is owed or late.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing.constants import AuthorityRole, ClaimStatus, MaterialStatus, ReformMode, Status
from licensing.models import Application, ApplicantMembership, Item, ItemAuthority, MaterialSubmission, RegulatorRoute
from licensing.selectors.applications import (
    DESK_COUNT_CAP, Section, applications_acted_on_by, applications_visible_to, officer_queues,
)
from licensing.selectors.deadlines import conditions_pending_q, is_overdue
from licensing.selectors.ratings import follow_ups_overdue, ratable_q
from licensing.selectors.registrations_account import registrations_unseen_first
from notices import selectors as notices_selectors
from notices import selectors_outbox
from notices.constants import OutboxStatus
from portal.constants import OrgKind, Role
from portal.exceptions import InvalidInput
from portal.paging import COUNT_CAP, capped_counts, page_of
from supervision import queue
from supervision import selectors as supervision_selectors
from supervision.constants import OPEN_INSPECTION

START_ROWS = 5       # rows of each section on the start page
SECTION_PAGE = 50    # rows of a page of one section (?section=)
DONE_AT_ONCE = (ReformMode.CANCEL, ReformMode.FILING)  # registered or filed on receipt (licensing.services)
UNKNOWN_SECTION = gettext_lazy("没有这个列表：section 应为本页列出的列表之一。")


@dataclass
class StartPage:
    """One role's start page: its sections by key (each a Section: rows, total, capped, page) in the order
    shown, `only` when one section is paged alone, and the role's own figures (`figures`)."""

    role: str
    sections: dict = field(default_factory=dict)
    only: str | None = None
    figures: dict = field(default_factory=dict)


# --- sections --------------------------------------------------------------------------------------

def _start_of_today(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _flagged(due: Callable, today: dt.date) -> Callable:
    """Each shown row with `is_late`: its date (`due(row)`, None for none) has passed (deadlines.is_overdue)."""
    def finish(rows):
        rows = list(rows)
        for row in rows:
            row.is_late = is_overdue(due(row), today)
        return rows
    return finish


def _sections(sources: dict, only: str | None, page) -> dict:
    """{key: Section}: with `only`, that section alone at page `page`; else every section's first START_ROWS
    rows, all counted in one statement, no rows read for an empty one."""
    if only is not None:
        rows, finish = sources[only]
        shown = page_of(rows, page or 1, SECTION_PAGE, cap=COUNT_CAP)
        section = Section(finish(shown.object_list))
        section.total, section.capped, section.page = shown.paginator.count, shown.paginator.capped, shown
        return {only: section}
    counts = capped_counts({key: rows for key, (rows, _finish) in sources.items()}, cap=DESK_COUNT_CAP)
    sections = {}
    for key, (rows, finish) in sources.items():
        section = Section(finish(rows[:START_ROWS]) if counts[key] else [])
        section.total, section.capped = min(counts[key], DESK_COUNT_CAP), counts[key] > DESK_COUNT_CAP
        sections[key] = section
    return sections


# --- the applicant ---------------------------------------------------------------------------------

def _applicant(user, today) -> dict:
    mine = applications_visible_to(user)  # the account's links are read once, here
    owed = (MaterialSubmission.objects.filter(application__in=mine.values("pk"), status=MaterialStatus.OWED,
                                              due_date__isnull=False, application__status=Status.APPROVED)
            .select_related("material", "application__item", "application__applicant").order_by("due_date", "id"))
    return {
        # 双告知 (钦政发〔2019〕18号 三（五）, issue 16): the items the registry told the enterprise it needs.
        "registrations": (registrations_unseen_first(user), list),
        # 附件3 第三条: the signed commitment within 3 working days of receiving the notice.
        "commitments": (mine.filter(status=Status.NOTICE_ISSUED)
                        .order_by(F("commitment_due").asc(nulls_last=True), "id"),
                        _flagged(lambda a: a.commitment_due, today)),
        "corrections": (mine.filter(status=Status.CORRECTION).order_by("decision_due", "id"), list),
        # 附件3 第六条: materials agreed for after the decision, by their date, or the decision is revoked.
        "materials": (owed, _flagged(lambda s: s.due_date, today)),
        # 钦政发〔2019〕20号: operating only once the conditions committed to are met and declared.
        "conditions": (mine.filter(conditions_pending_q()).order_by("conditions_due", "id"),
                       _flagged(lambda a: a.conditions_due, today)),
        # 钦政发〔2019〕20号 二（四）: an untrue filing corrected by the regulator's date.
        "filing_corrections": (mine.filter(status=Status.FILING_CORRECTION).order_by("filing_correct_by", "id"),
                               _flagged(lambda a: a.filing_correct_by, today)),
        "to_rate": (mine.filter(ratable_q()).order_by("-closed_at", "-id"), list),
    }


# --- the window's clerk ----------------------------------------------------------------------------

def _window(user):
    """What the clerk's service hall took in at the window (its clerks filed them for the applicant).

    The hall's accounts are read first (a handful), so that PostgreSQL weighs each by its own share of the
    applications: one hall may have filed a quarter of the city's, which a join to the accounts hides from
    it, and it then read all of them to find today's few (issue 13: 120 ms a statement at a million)."""
    applications = applications_visible_to(user)
    if user.organisation_id:
        hall = list(get_user_model().objects.filter(organisation_id=user.organisation_id).values_list("pk", flat=True))
        return applications.filter(submitted_by_id__in=hall)
    return applications.filter(submitted_by=user)


def _clerk(user, today) -> dict:
    window, since = _window(user), _start_of_today(today)
    decided_today = Q(decided_at__gte=since) | Q(item__reform_mode__in=DONE_AT_ONCE, closed_at__gte=since)
    return {
        "accepted_today": (window.filter(submitted_at__gte=since).order_by("-submitted_at", "-id"), list),
        # 附件3 第二条、第三条: the notice handed over on the spot; the clerk records the signed commitment.
        "awaiting_commitment": (window.filter(status=Status.NOTICE_ISSUED)
                                .order_by(F("commitment_due").asc(nulls_last=True), "id"),
                                _flagged(lambda a: a.commitment_due, today)),
        # 一窗受理: the back office decides, the window hands out the result.
        "results_today": (window.filter(decided_today).order_by("-submitted_at", "-id"), list),
        # issue 8: an account claiming an applicant online, verified at the window with the papers.
        "claims": (ApplicantMembership.objects.filter(status=ClaimStatus.PENDING).select_related("applicant", "user")
                   .order_by("created_at", "id"), list),
    }


# --- the approval officer --------------------------------------------------------------------------

def _officer(user, today) -> dict:
    at_decider = applications_acted_on_by(user).filter(reviewing__isnull=True)
    # 附件3 第五条: a commitment is decided on the day it arrives; an ordinary decision by its committed date.
    due = Q(status=Status.COMMITTED) | Q(status=Status.ACCEPTED, decision_due__lte=today)
    sources = {
        "decide_today": (at_decider.filter(due).order_by("decision_due", "id"),
                         _flagged(lambda a: a.decision_due, today)),
        "decided_today": (at_decider.filter(decided_at__gte=_start_of_today(today)).order_by("-decided_at", "-id"),
                          list),
    }
    # 好差评: a poor rating is answered within 15 working days (licensing.selectors.ratings).
    sources["follow_ups"] = (follow_ups_overdue(user.organisation_id, today), list)
    return sources


# The officer desk's queues as the start page sums them up: (key, label, the date a row's deadline falls on).
RUNNING = (
    ("to_decide", gettext_lazy("今日待决定的承诺件"), lambda a: a.decision_due),
    ("notices_due", gettext_lazy("待出具告知书"), lambda a: a.notice_due),
    ("notices_in_post", gettext_lazy("待登记告知书送达"), None),
    ("to_accept", gettext_lazy("待受理"), None),
    ("to_forward", gettext_lazy("待初审报送"), lambda a: a.decision_due),
    ("under_review", gettext_lazy("审查中"), lambda a: a.decision_due),
    ("corrections", gettext_lazy("待补正（暂停计时）"), None),
    ("materials_due", gettext_lazy("决定后补交材料"), lambda s: s.due_date),
    ("conditions_to_confirm", gettext_lazy("待确认经营条件"), lambda a: a.conditions_due),
    ("revocation_requests", gettext_lazy("核查不实，提请撤销"), None),
    ("inspections_due", gettext_lazy("事后核查"), lambda a: a.inspection_due),
)


@dataclass(frozen=True)
class Running:
    """One queue of the officer desk: how many, and its first row's deadline (the queue runs oldest first)."""

    key: str
    label: str
    total: int
    capped: bool
    earliest: dt.date | None
    late: bool


def deadlines_running(queues) -> list[Running]:
    """The desk's queues (officer_queues) in a line each, from the rows and counts the desk already read."""
    lines = []
    for key, label, due in RUNNING:
        section = getattr(queues, key)
        first = section[0] if section else None
        lines.append(Running(key, str(label), section.total, section.capped,
                             due(first) if first is not None and due else None,
                             bool(getattr(first, "is_late", False))))
    return lines


# --- the regulator ---------------------------------------------------------------------------------

def _regulator(user, today) -> dict:
    return {
        # 钦政办〔2019〕72号: approval records pushed within 3 working days, signed for by the regulator.
        "inbox": (supervision_selectors.inbox_for(user).filter(acknowledged_at__isnull=True), list),
        # 附件3 第七条: the commitment checked within 2 months of the decision.
        "inspections": (queue.inspections_for(user).filter(status__in=OPEN_INSPECTION),
                        _flagged(lambda i: i.due_date, today)),
    }


# --- the admin -------------------------------------------------------------------------------------

def items_without_route() -> QuerySet:
    """Items whose approval records would wait in the unrouted queue (licensing.selectors.routing.regulator_for
    gives None): an approving authority that is no industry department (an approval bureau regulates nothing
    it approves), and no route of the item for that authority's level covers it."""
    routes = RegulatorRoute.objects.filter(item_id=OuterRef("item_id"), level=OuterRef("organisation__level")).filter(
        Q(authority__isnull=True) | Q(authority_id=OuterRef("organisation_id")))
    bureaus = (ItemAuthority.objects.filter(item_id=OuterRef("pk"), role=AuthorityRole.APPROVE)
               .exclude(organisation__kind=OrgKind.AUTHORITY).filter(~Exists(routes)))
    return Item.objects.filter(Exists(bureaus)).order_by("seq_no", "code")


def _admin(user, now) -> dict:
    records = selectors_outbox.outbox_records_visible_to(user)
    stuck = ((selectors_outbox.overdue_undelivered(records, now) | records.filter(status=OutboxStatus.DEAD))
             .exclude(status=OutboxStatus.UNROUTED).order_by("due_at", "id"))
    return {
        "unrouted": (selectors_outbox.unrouted(records, now), list),
        "stuck": (stuck, list),
        "unrendered": (notices_selectors.documents_unrendered(), list),
        "unrouted_items": (items_without_route(), list),
    }


def volumes(today: dt.date) -> list[dict]:
    """Applications received today and this month, per reform mode: one grouped query over this month's
    range of the newest-first index (application_recent_idx), never the whole history."""
    since = _start_of_today(today)
    found = {row["item__reform_mode"]: row for row in (
        Application.objects.filter(submitted_at__gte=_start_of_today(today.replace(day=1))).order_by()
        .values("item__reform_mode").annotate(month=Count("id"), today=Count("id", filter=Q(submitted_at__gte=since))))}
    rows = [{"label": mode.label, "today": found.get(mode.value, {}).get("today", 0),
             "month": found.get(mode.value, {}).get("month", 0)} for mode in ReformMode]
    return [*rows, {"label": _("合计"), "today": sum(r["today"] for r in rows), "month": sum(r["month"] for r in rows),
                    "total": True}]


# --- the page --------------------------------------------------------------------------------------

SOURCES = {Role.APPLICANT: _applicant, Role.CLERK: _clerk, Role.OFFICER: _officer, Role.REGULATOR: _regulator}


def _sources(user, now) -> dict:
    today = timezone.localdate(now)
    if user.role == Role.ADMIN:
        return _admin(user, now)
    maker = SOURCES.get(user.role)
    return maker(user, today) if maker else {}


def _figures(user, now, only) -> dict:
    """The role's own figures beside its sections (none when one section is paged alone)."""
    if only is not None:
        return {}
    today = timezone.localdate(now)
    if user.role == Role.OFFICER:
        return {"running": deadlines_running(officer_queues(user))}  # the desk's own queues and counts
    if user.role == Role.REGULATOR:
        return {"counts": queue.queue_counts(queue.inspections_for(user))}
    if user.role == Role.ADMIN:
        counts = selectors_outbox.counts_by_status(selectors_outbox.outbox_records_visible_to(user))
        return {"volumes": volumes(today),
                "outbox": [(status, OutboxStatus(status).label, n) for status, n in counts.items()]}
    return {}


def start_page(user, *, section: str | None = None, page=None, now: dt.datetime | None = None) -> StartPage:
    """The signed-in user's start page; `section` (one of its keys) pages that section alone.
    InvalidInput for a section the page does not have."""
    now = now or timezone.now()
    sources = _sources(user, now)
    if section is not None and section not in sources:
        raise InvalidInput(str(UNKNOWN_SECTION), field="section")
    return StartPage(role=user.role if user.role in Role.values else "", only=section,
                     sections=_sections(sources, section, page), figures=_figures(user, now, section))
