"""Which applications a user may see, and the lists built on that: one definition for the pages,
the API, the permission rules (licensing/rules.py) and the jobs.

谁审批、谁负责 / 谁主管、谁监管: an officer sees the applications of the items its organisation
implements, a regulator those the routing table makes its own (Application.regulator, set from
licensing.selectors.routing when filed and with each approval record); an applicant account those of the
applicants it acts for (with a claim not yet verified, only those it filed itself); the window clerk (一窗受理) and the admin every one.
"""
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce

from django.db import connections
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from licensing.constants import ClaimStatus, MaterialDue, MaterialStatus, Route, Status
from licensing.models import Application, ApplicationEvent, ApplicationReview, Commitment, Item, MaterialSubmission
from licensing.selectors.applicants import applicant_ids_claimed_by
from licensing.selectors.authorities import (
    acting_organisation_id, acting_q, forward_to, items_with_legacy_applications,
)
from licensing.selectors.deadlines import is_overdue, next_deadline
from licensing.selectors.inspections import revocation_requests_for
from notices.constants import DOCUMENT_TEXT_FIELDS
from portal.models import Organisation
from portal.paging import capped_counts, page_of
from portal.permissions import is_admin, is_applicant_user, is_clerk, is_officer, is_regulator
from supervision.constants import InspectionStatus

_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}", re.ASCII)


def looks_like_number(number: str | None) -> bool:
    """Whether `number` can be an application number at all; others are never looked up (PostgreSQL
    refuses NUL characters with a server error)."""
    return bool(_NUMBER.fullmatch(number or ""))


def _base() -> QuerySet:
    return Application.objects.select_related("item", "applicant")


def _authority_branches(organisation_id) -> list[Q]:
    """The four ways an application is an organisation's (applications_of_authority), each with an index
    of its own to walk newest first: decided in its name (authority, submitted_at), entrusted to it
    (entrusted, submitted_at), examined by it first (its reviews), and, filed before authorities were
    chosen per application (no authority, the same index), for an item it implements."""
    reviewed = ApplicationReview.objects.filter(organisation_id=organisation_id).values("application_id")
    its_items = Item.objects.filter(authorities__organisation_id=organisation_id)
    return [Q(authority_id=organisation_id), Q(entrusted_id=organisation_id), Q(pk__in=reviewed),
            Q(authority__isnull=True, item__in=its_items)]


def applications_of_authority(user) -> QuerySet:
    """The applications an approval officer's organisation handles (谁审批、谁负责): those decided in its
    name or, entrusted, for another; and those it examines first (初审/审核/审查, issue 11). An
    application filed before authorities were chosen per application falls back to the item's."""
    if not is_officer.test(user) or user.organisation_id is None:
        return Application.objects.none()
    return _base().filter(reduce(operator.or_, _authority_branches(user.organisation_id)))


def applications_listed(user, narrow: Callable[[QuerySet], QuerySet], *, rows: int,
                        counted: int) -> tuple[QuerySet, QuerySet]:
    """A list of what `user` may see (applications_visible_to) narrowed by `narrow` (the list's filters),
    newest first: the rows to page, of which the list reads `rows` at most, and what to count, of which
    it counts `counted` at most.

    An officer's applications are its organisation's four ways (_authority_branches): no index holds
    them in list order, so PostgreSQL walks every application newest first and keeps the organisation's.
    That is quick for the busiest authority and reads the whole table for a small one (all 10,000 rows
    for its 43; a million at a city's scale). Here each way gives its first rows from its own index and
    the list reads their union (issue 13). Other users' lists are one condition with an index already."""
    features = connections[Application.objects.db].features
    if (not is_officer.test(user) or user.organisation_id is None  # SQLite: the one statement as it is
            or not (features.supports_slicing_ordering_in_compound and features.can_distinct_on_fields)):
        applications = narrow(applications_visible_to(user))
        return applications, applications
    order, org = Application._meta.ordering, user.organisation_id
    narrowed = narrow(_base())
    authority, entrusted, reviewed, legacy = _authority_branches(org)
    in_order = [narrowed.filter(authority).order_by(*order), narrowed.filter(entrusted).order_by(*order),
                # newest first on review_list_idx; once each, should an organisation examine at two stages
                narrowed.filter(reviews__organisation_id=org)
                .order_by("-reviews__submitted_at", "-reviews__application_id")
                .distinct("reviews__submitted_at", "reviews__application_id"),
                narrowed.filter(legacy).order_by(*order)]
    # Any `counted` rows of each way count their union right up to the cap: the count sorts nothing.
    unordered = [narrowed.filter(branch).order_by() for branch in (authority, entrusted, reviewed, legacy)]
    return (_base().filter(pk__in=_union(in_order, rows)).order_by(*order), _union(unordered, counted))


def _union(ways: list[QuerySet], depth: int) -> QuerySet:
    """The primary keys of the first `depth` rows of each of `ways`, once each."""
    first, *others = (way.values("pk")[:depth] for way in ways)
    return first.union(*others)


def applications_visible_to(user) -> QuerySet:
    """Every application `user` may see; "licensing.view_application" asks this same queryset."""
    if is_clerk.test(user) or is_admin.test(user):
        return _base()
    if is_officer.test(user):
        return applications_of_authority(user)
    if is_regulator.test(user) and user.organisation_id:
        return _base().filter(regulator_id=user.organisation_id)
    if is_applicant_user.test(user):
        return _base().filter(_acts_for(user))
    return Application.objects.none()


def _acts_for(user) -> Q:
    """A verified link sees every application of the applicant; a pending claim only those its own
    account filed, so claiming an enterprise shows nothing of what its real accounts did. The ids are
    read first (an account acts for a handful of applicants) so that the list is a range of the index
    on (applicant, submitted_at) rather than a scan of every application (issue 13)."""
    links = list(applicant_ids_claimed_by(user, verified_only=False).values_list("applicant_id", "status"))
    verified = [pk for pk, status in links if status == ClaimStatus.VERIFIED]
    pending = [pk for pk, status in links if status != ClaimStatus.VERIFIED]
    acts = Q(applicant_id__in=verified)
    return acts | Q(applicant_id__in=pending, submitted_by_id=user.pk) if pending else acts


def application_for(user, number: str):
    """The application numbered `number` if `user` may see it, else None (the same whether or not it
    exists)."""
    if not looks_like_number(number):
        return None
    return applications_visible_to(user).filter(number=number).first()


def application_visible(user, application) -> bool:
    """Whether `user` may see `application` (applications_visible_to). Answered once per user for each
    loaded application: a page or an API answer asks it for every permission it shows (issue 13)."""
    if application is None:
        return False
    answers = application.__dict__.setdefault("_visible_to", {})
    key = getattr(user, "pk", None)
    if key not in answers:
        answers[key] = applications_visible_to(user).filter(pk=application.pk).exists()
    return answers[key]


def application_decidable(user, application) -> bool:
    """The officer's organisation takes the authority's next step on `application`: the reviewing
    authority while it holds it, then the decider (or the authority it entrusted), never another."""
    if application is None or not is_officer.test(user) or user.organisation_id is None:
        return False
    acting = acting_organisation_id(application)
    if acting is None:  # filed before authorities were chosen per application: the item's decide
        return Application.objects.filter(acting_q(user.organisation_id), pk=application.pk).exists()
    return acting == user.organisation_id


def document_links() -> QuerySet:
    """Documents as a list or a detail links to them: without their text (DOCUMENT_TEXT_FIELDS). Reached
    through the application's own relation, as licensing reads notices' rows (DESIGN.md, layers)."""
    return Application.documents.rel.related_model.objects.defer(*DOCUMENT_TEXT_FIELDS)


def materials_with_entries(submissions: QuerySet | None = None) -> Prefetch:
    """The application's `materials` (all, or `submissions`) each with its catalogue entry, in one statement:
    the deadlines read each one's due and name."""
    submissions = MaterialSubmission.objects.all() if submissions is None else submissions
    return Prefetch("materials", submissions.select_related("material"))


# What one application's detail shows, joined to its row (issue 13); its three organisations
# (DETAIL_ORGANISATIONS) are read in a second statement instead, see application_with_details.
DETAIL_RELATIONS = ("item", "applicant", "commitment", "licence")
DETAIL_ORGANISATIONS = ("authority", "entrusted", "reviewing")


def _with_details(applications: QuerySet) -> QuerySet:
    """What the API's detail reads besides the organisations, in a fixed number of statements."""
    return applications.select_related(*DETAIL_RELATIONS).prefetch_related(
        materials_with_entries(),
        Prefetch("events", ApplicationEvent.objects.select_related("actor__organisation")),
        Prefetch("documents", document_links()),
        "reviews__organisation")


def application_with_details(number: str, *, user=None) -> Application | None:
    """The application numbered `number` with everything the API's detail shows (_with_details and the
    organisations of DETAIL_ORGANISATIONS), or None; with `user`, only if that user may see it, in the
    same statement.

    Planning, not running, is what such a statement costs PostgreSQL (issue 13, 10,000 applications):
    joined to all seven relations and read with Django's LIMIT, it took 4.8 ms to plan and 0.3 ms to run.
    So it is read without a LIMIT (the number is unique; with one, every order of the joined tables is
    also weighed for its first row), and the three organisations, each one more table for the planner to
    order, come from one statement of their own by primary key: 0.3 ms of planning in all."""
    if not looks_like_number(number):
        return None
    applications = Application.objects.all() if user is None else applications_visible_to(user)
    rows = list(_with_details(applications).filter(number=number).order_by())
    if not rows:
        return None
    application = rows[0]
    ids = {getattr(application, f"{name}_id") for name in DETAIL_ORGANISATIONS} - {None}
    organisations = Organisation.objects.in_bulk(ids) if ids else {}
    for name in DETAIL_ORGANISATIONS:
        setattr(application, name, organisations.get(getattr(application, f"{name}_id")))
    if user is not None:  # seen through applications_visible_to: the rules need not ask again
        application.__dict__.setdefault("_visible_to", {})[user.pk] = True
    return application


def read_materials(application) -> Application:
    """`application` with its materials and their catalogue entries read once, for everything on its page
    that goes through `application.materials.all()` (its deadlines asked each material's due one by one,
    a statement per material)."""
    prefetch_related_objects([application], materials_with_entries())
    return application


def with_next_deadline(applications, today=None) -> list:
    applications = list(applications)
    for application in applications:
        application.next_deadline = next_deadline(application, today=today)
    return applications


def _listing(qs: QuerySet) -> QuerySet:
    """What a list row shows (its next deadline reads the materials and the inspection), newest first.

    `materials` holds only the rows a deadline is read from (deadlines._candidates: owed after the
    decision, with a date), not every material handed in: the demo enterprise's 40 rows had 190
    materials of which 38 count, and making the others' objects was a third of 我的办件's time
    (issue 13). Nothing on a list shows the materials themselves."""
    deadline_materials = MaterialSubmission.objects.filter(material__due=MaterialDue.AFTER_DECISION,
                                                           due_date__isnull=False)
    return (qs.select_related("item", "applicant")
            .prefetch_related(materials_with_entries(deadline_materials), "inspections")
            .order_by("-submitted_at", "-id"))


def applications_of_user(user) -> QuerySet:
    """我的办件: every application of every applicant the account acts for (paged by the page; each shown
    row then gets its next deadline from with_next_deadline)."""
    return _listing(applications_visible_to(user).filter(applicant__members=user))


def applications_of_applicant(applicant) -> QuerySet:
    """The window's view of one applicant: its applications and their documents, to hand out results."""
    return _listing(applicant.applications.select_related("licence").prefetch_related(
        Prefetch("documents", document_links())))


# Issue 13: the desk shows each queue's first rows and its count; "查看全部" pages one queue at a time.
DESK_ROWS = 10
SECTION_PAGE = 50
DESK_COUNT_CAP = 100  # past it a queue says "100+": eleven counts a page view, each bounded however busy the city


class Section(list):
    """A desk queue as shown: its rows (the first DESK_ROWS, or one page of it), `total` (counted with one
    query, up to DESK_COUNT_CAP; `capped` past it) and `page` when one queue is paged."""

    total = 0
    capped = False
    page = None


@dataclass
class OfficerQueues:
    """What an approval officer's organisation has to do now, each list oldest deadline first. A row is
    on the desk of the organisation that takes the next step (licensing.selectors.authorities.acting_q):
    the first-review authority while it holds the application, then the decider (谁审批、谁负责)."""

    notices_due: Section = field(default_factory=Section)
    # 附件3 第三条 "收到告知书后3个工作日内": a notice sent by post starts the applicant's clock only when the
    # officer enters its 送达回证's date; until then it would wait (and never lapse) unless a desk shows it.
    notices_in_post: Section = field(default_factory=Section)
    to_decide: Section = field(default_factory=Section)
    to_accept: Section = field(default_factory=Section)
    # 初审/审核/审查 (行政许可法 第三十五条): examine and forward with the opinion (issue 11).
    to_forward: Section = field(default_factory=Section)
    under_review: Section = field(default_factory=Section)
    corrections: Section = field(default_factory=Section)
    materials_due: Section = field(default_factory=Section)
    # 钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营 — the applicant declared, we confirm.
    conditions_to_confirm: Section = field(default_factory=Section)
    inspections_due: Section = field(default_factory=Section)
    # 核查不实，提请撤销 (issue 10): the regulator found the commitment untrue; 谁审批、谁撤销.
    revocation_requests: Section = field(default_factory=Section)


SECTIONS = tuple(OfficerQueues.__dataclass_fields__)


def _flag(rows, due):
    """Each row with `is_late`: its deadline (`due(row)`, or None for none) has passed."""
    rows = list(rows)
    today = timezone.localdate()
    for row in rows:
        row.is_late = is_overdue(due(row), today)
    return rows


def _late_by(due):
    return lambda rows: _flag(rows, due)


def applications_acted_on_by(user, *, legacy_items: list | None = None) -> QuerySet:
    """The applications on which the officer's organisation takes the authority's next step now (a subset
    of applications_of_authority: the reviewing, entrusted or deciding organisation, or for an older
    application one of its item's authorities)."""
    if not is_officer.test(user) or user.organisation_id is None:
        return Application.objects.none()
    return _base().filter(acting_q(user.organisation_id, legacy_items=legacy_items))


def _with_forwarding(organisation_id):
    """The rows of "待初审报送", each with its stage (`stage`) and where its opinion goes next
    (`forward_to`: the next stage's authority, or the decider)."""
    def finish(rows):
        rows = _flag(rows, lambda a: a.decision_due)
        for a in rows:
            a.stage = a.pending_stages[0] if a.pending_stages else None
            a.forward_to = forward_to(a, a.pending_stages)
        return rows
    return finish


def _to_forward(now, organisation_id) -> QuerySet:
    pending = ApplicationReview.objects.filter(forwarded_at__isnull=True).select_related("organisation")
    return (now.filter(reviewing_id=organisation_id, status__in=[Status.COMMITTED, Status.ACCEPTED])
            .select_related("authority", "entrusted")
            .prefetch_related(Prefetch("reviews", pending.order_by("order", "id"), to_attr="pending_stages"))
            .order_by("submitted_at", "id"))


def _days_in_post(rows) -> list:
    """Notices issued whose receipt is not entered yet, each with `days_in_post`: the calendar days since
    it was issued (the application page's form records the 送达回证's date)."""
    rows = list(rows)
    today = timezone.localdate()
    for a in rows:
        a.days_in_post = (today - timezone.localdate(a.notice_issued_at)).days
    return rows


def _materials_due(organisation_id, legacy_items) -> QuerySet:
    # From the partial index of what is still owed (material_owed_due_idx), never from every application.
    acting = acting_q(organisation_id, prefix="application__", legacy_items=legacy_items)
    return (MaterialSubmission.objects.filter(acting,
                                              status=MaterialStatus.OWED, due_date__isnull=False,
                                              application__status=Status.APPROVED)
            .select_related("material", "application", "application__item").order_by("due_date", "id"))


def _officer_sections(user) -> dict:
    """Each queue: its rows in order (a queryset read a page at a time) and what each shown row gets."""
    org = user.organisation_id
    legacy = items_with_legacy_applications(org)  # once for every queue
    now = applications_acted_on_by(user, legacy_items=legacy)
    at_decider = now.filter(reviewing__isnull=True)
    return {
        # 附件3 第三条: a remote application's notice is due within 3 working days.
        "notices_due": (now.filter(route=Route.COMMITMENT, status=Status.SUBMITTED).order_by("notice_due", "id"),
                        _late_by(lambda a: a.notice_due)),
        "notices_in_post": (now.filter(status=Status.NOTICE_ISSUED, notice_issued_at__isnull=False,
                                       notice_received_at__isnull=True).order_by("notice_issued_at", "id"),
                            _days_in_post),
        # 附件3 第五条: decided on the day the commitment arrives (decision_due); older ones are late.
        "to_decide": (at_decider.filter(status=Status.COMMITTED).order_by("committed_at", "id"),
                      _late_by(lambda a: a.decision_due)),
        "to_accept": (now.filter(route=Route.ORDINARY, status=Status.SUBMITTED).order_by("submitted_at", "id"),
                      _late_by(lambda a: None)),
        "to_forward": (_to_forward(now, org), _with_forwarding(org)),
        "under_review": (at_decider.filter(status=Status.ACCEPTED).order_by("decision_due", "id"),
                         _late_by(lambda a: a.decision_due)),
        # Paused while the applicant corrects: not late whatever the date says.
        "corrections": (now.filter(status=Status.CORRECTION).order_by("decision_due", "id"), _late_by(lambda a: None)),
        "materials_due": (_materials_due(org, legacy), _late_by(lambda s: s.due_date)),  # see ORDERED_COUNT
        # The date committed to (the confirmation records its lateness).
        "conditions_to_confirm": (at_decider.filter(status=Status.APPROVED, conditions_declared_at__isnull=False,
                                                    conditions_met_at__isnull=True)
                                  .order_by("conditions_declared_at", "id"), _late_by(lambda a: a.conditions_due)),
        "inspections_due": (now.filter(status=Status.APPROVED, inspection_due__isnull=False,
                                       inspections__status=InspectionStatus.PENDING,
                                       inspections__pick__isnull=True).order_by("inspection_due", "id"),
                            _late_by(lambda a: a.inspection_due)),
        "revocation_requests": (revocation_requests_for(user, legacy_items=legacy), list),
    }


# Counted in their own order: walking the small partial index of what is owed (material_owed_due_idx)
# and stopping at the cap beats the plan PostgreSQL picks without it (every application of the
# authority joined to every owed material: 0.5 ms against 400 ms at a million applications).
ORDERED_COUNT = {"materials_due"}


def _section(name: str, rows: QuerySet, finish, page_number, counted: int | None = None) -> Section:
    """One queue: its first DESK_ROWS rows, or with `page_number` that page of SECTION_PAGE rows.
    `counted`: its count made already with the others' (capped_counts); an empty queue reads no rows."""
    if counted == 0:
        return Section()
    page = page_of(rows, page_number or 1, DESK_ROWS if page_number is None else SECTION_PAGE,
                   cap=DESK_COUNT_CAP, ordered_count=name in ORDERED_COUNT, counted=counted)
    section = Section(finish(page.object_list))
    section.total, section.capped = page.paginator.count, page.paginator.capped
    section.page = page if page_number is not None else None
    return section


def officer_queues(user, *, section: str | None = None, page=None) -> OfficerQueues:
    """What the officer's organisation acts on now (applications_acted_on_by), queue by queue: every queue's
    first rows, or with `section` (one of SECTIONS) that queue alone, page `page` (1 when not given).
    The whole desk counts its queues in one statement and reads rows only for those that have some."""
    queues = OfficerQueues()
    if not is_officer.test(user) or user.organisation_id is None:
        return queues
    sections = _officer_sections(user)
    if section is not None:
        rows, finish = sections[section]
        setattr(queues, section, _section(section, rows, finish, page or 1))
        return queues
    counts = capped_counts({name: rows for name, (rows, _) in sections.items()},
                           cap=DESK_COUNT_CAP, ordered=frozenset(ORDERED_COUNT))
    for name, (rows, finish) in sections.items():
        setattr(queues, name, _section(name, rows, finish, None, counts[name]))
    return queues


def disclosed_commitments(q: str = "") -> QuerySet:
    """公开承诺 (钦政发〔2019〕20号, quoting 国发〔2019〕25号: 将企业承诺内容向社会公开，方便社会监督)."""
    qs = (Commitment.objects.filter(disclosed=True)
          .select_related("application", "application__item", "application__applicant")
          .order_by("-signed_at", "-id"))
    q = (q or "").strip()
    if q:
        by_name = Q(application__item__name__icontains=q)
        by_number = q.isdigit() and len(q) <= 4  # a 序号; longer digit runs would overflow the column
        qs = qs.filter(by_name | Q(application__item__seq_no=int(q)) if by_number else by_name)
    return qs
