"""Which applications a user may see, and the lists built on that: one definition for the pages,
the API, the permission rules (licensing/rules.py) and the jobs.

谁审批、谁负责 / 谁主管、谁监管: an officer sees the applications of the items its organisation
implements, a regulator those the routing table makes its own (Application.regulator, set from
licensing.selectors.routing when filed and with each approval record); an applicant account those of the
applicants it acts for (with a claim not yet verified, only those it filed itself); the window clerk (一窗受理) and the admin every one.
"""
import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from licensing.constants import MaterialStatus, Route, Status
from licensing.models import Application, ApplicationEvent, ApplicationReview, Commitment, Item, MaterialSubmission
from licensing.selectors.applicants import applicant_ids_claimed_by
from licensing.selectors.authorities import acting_organisation_id, acting_q, forward_to
from licensing.selectors.deadlines import is_overdue, next_deadline
from licensing.selectors.inspections import revocation_requests_for
from portal.permissions import is_admin, is_applicant_user, is_clerk, is_officer, is_regulator
from supervision.constants import InspectionStatus

_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}", re.ASCII)


def looks_like_number(number: str | None) -> bool:
    """Whether `number` can be an application number at all; others are never looked up (PostgreSQL
    refuses NUL characters with a server error)."""
    return bool(_NUMBER.fullmatch(number or ""))


def _base() -> QuerySet:
    return Application.objects.select_related("item", "applicant")


def applications_of_authority(user) -> QuerySet:
    """The applications an approval officer's organisation handles (谁审批、谁负责): those decided in its
    name or, entrusted, for another; and those it examines first (初审/审核/审查, issue 11). An
    application filed before authorities were chosen per application falls back to the item's."""
    if not is_officer.test(user) or user.organisation_id is None:
        return Application.objects.none()
    org = user.organisation_id
    reviews = ApplicationReview.objects.filter(application=OuterRef("pk"), organisation_id=org)
    legacy = Q(authority__isnull=True, item__in=Item.objects.filter(authorities__organisation_id=org))
    return _base().filter(Q(authority_id=org) | Q(entrusted_id=org) | Exists(reviews) | legacy)


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
    account filed, so claiming an enterprise shows nothing of what its real accounts did."""
    verified = applicant_ids_claimed_by(user, verified_only=True)
    claimed = applicant_ids_claimed_by(user, verified_only=False)
    return Q(applicant_id__in=verified) | Q(applicant_id__in=claimed, submitted_by_id=user.pk)


def application_for(user, number: str):
    """The application numbered `number` if `user` may see it, else None (the same whether or not it
    exists)."""
    if not looks_like_number(number):
        return None
    return applications_visible_to(user).filter(number=number).first()


def application_visible(user, application) -> bool:
    return application is not None and applications_visible_to(user).filter(pk=application.pk).exists()


def application_decidable(user, application) -> bool:
    """The officer's organisation takes the authority's next step on `application`: the reviewing
    authority while it holds it, then the decider (or the authority it entrusted), never another."""
    if application is None or not is_officer.test(user) or user.organisation_id is None:
        return False
    acting = acting_organisation_id(application)
    if acting is None:  # filed before authorities were chosen per application: the item's decide
        return Application.objects.filter(acting_q(user.organisation_id), pk=application.pk).exists()
    return acting == user.organisation_id


def with_details(applications: QuerySet) -> QuerySet:
    """What the application's page and the API's detail read, fetched in a fixed number of queries."""
    return applications.select_related("commitment", "licence").prefetch_related(
        Prefetch("materials", MaterialSubmission.objects.select_related("material")),
        Prefetch("events", ApplicationEvent.objects.select_related("actor__organisation")),
        "documents")


def _listing(qs: QuerySet) -> QuerySet:
    return qs.select_related("item", "applicant").prefetch_related(
        Prefetch("materials", queryset=MaterialSubmission.objects.select_related("material")))


def with_next_deadline(applications, today=None) -> list:
    applications = list(applications)
    for application in applications:
        application.next_deadline = next_deadline(application, today=today)
    return applications


def applications_of_user(user) -> list:
    """我的办件: every application of every applicant the account acts for."""
    return with_next_deadline(_listing(applications_visible_to(user).filter(applicant__members=user)))


def applications_of_applicant(applicant) -> list:
    """The window's view of one applicant: its applications and their documents, to hand out results."""
    return with_next_deadline(_listing(applicant.applications.select_related("licence").prefetch_related("documents")))


@dataclass
class OfficerQueues:
    """What an approval officer's organisation has to do now, each list oldest deadline first. A row is
    on the desk of the organisation that takes the next step (licensing.selectors.authorities.acting_q):
    the first-review authority while it holds the application, then the decider (谁审批、谁负责)."""

    notices_due: list = field(default_factory=list)
    # 附件3 第三条 "收到告知书后3个工作日内": a notice sent by post starts the applicant's clock only when the
    # officer enters its 送达回证's date; until then it would wait (and never lapse) unless a desk shows it.
    notices_in_post: list = field(default_factory=list)
    to_decide: list = field(default_factory=list)
    to_accept: list = field(default_factory=list)
    # 初审/审核/审查 (行政许可法 第三十五条): examine and forward with the opinion (issue 11).
    to_forward: list = field(default_factory=list)
    under_review: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    materials_due: list = field(default_factory=list)
    # 钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营 — the applicant declared, we confirm.
    conditions_to_confirm: list = field(default_factory=list)
    inspections_due: list = field(default_factory=list)
    # 核查不实，提请撤销 (issue 10): the regulator found the commitment untrue; 谁审批、谁撤销.
    revocation_requests: list = field(default_factory=list)


def _flag(rows, due):
    """Each row with `is_late`: its deadline (`due(row)`, or None for none) has passed."""
    rows = list(rows)
    today = timezone.localdate()
    for row in rows:
        row.is_late = is_overdue(due(row), today)
    return rows


def applications_acted_on_by(user) -> QuerySet:
    """The applications on which the officer's organisation takes the authority's next step now."""
    return applications_of_authority(user).filter(acting_q(user.organisation_id))


def _to_forward(now, organisation_id) -> list:
    """The applications the organisation examines first, each with its stage (`stage`) and where its
    opinion goes next (`forward_to`: the next stage's authority, or the decider)."""
    pending = ApplicationReview.objects.filter(forwarded_at__isnull=True).select_related("organisation")
    rows = (now.filter(reviewing_id=organisation_id, status__in=[Status.COMMITTED, Status.ACCEPTED])
            .select_related("authority", "entrusted")
            .prefetch_related(Prefetch("reviews", pending.order_by("order", "id"), to_attr="pending_stages"))
            .order_by("submitted_at", "id"))
    rows = _flag(rows, lambda a: a.decision_due)
    for a in rows:
        a.stage = a.pending_stages[0] if a.pending_stages else None
        a.forward_to = forward_to(a, a.pending_stages)
    return rows


def _notices_in_post(now) -> list:
    """Notices issued whose receipt is not entered yet, oldest first, each with `days_in_post`: the
    calendar days since it was issued (the application page's form records the 送达回证's date)."""
    rows = list(now.filter(status=Status.NOTICE_ISSUED, notice_issued_at__isnull=False,
                           notice_received_at__isnull=True).order_by("notice_issued_at", "id"))
    today = timezone.localdate()
    for a in rows:
        a.days_in_post = (today - timezone.localdate(a.notice_issued_at)).days
    return rows


def officer_queues(user) -> OfficerQueues:
    """What the officer's organisation acts on now (applications_acted_on_by), queue by queue."""
    now = applications_acted_on_by(user)
    at_decider = now.filter(reviewing__isnull=True)
    return OfficerQueues(
        # 附件3 第三条: a remote application's notice is due within 3 working days.
        notices_due=_flag(now.filter(route=Route.COMMITMENT, status=Status.SUBMITTED).order_by("notice_due"),
                          lambda a: a.notice_due),
        notices_in_post=_notices_in_post(now),
        # 附件3 第五条: decided on the day the commitment arrives (decision_due); older ones are late.
        to_decide=_flag(at_decider.filter(status=Status.COMMITTED).order_by("committed_at"), lambda a: a.decision_due),
        to_accept=_flag(now.filter(route=Route.ORDINARY, status=Status.SUBMITTED).order_by("submitted_at"),
                        lambda a: None),
        to_forward=_to_forward(now, user.organisation_id),
        under_review=_flag(at_decider.filter(status=Status.ACCEPTED).order_by("decision_due"),
                           lambda a: a.decision_due),
        # Paused while the applicant corrects: not late whatever the date says.
        corrections=_flag(now.filter(status=Status.CORRECTION).order_by("decision_due"), lambda a: None),
        materials_due=_flag(
            MaterialSubmission.objects.filter(application__in=now, status=MaterialStatus.OWED,
                                              application__status=Status.APPROVED, due_date__isnull=False)
            .select_related("material", "application", "application__item").order_by("due_date"),
            lambda s: s.due_date),
        conditions_to_confirm=_flag(
            at_decider.filter(status=Status.APPROVED, conditions_declared_at__isnull=False,
                              conditions_met_at__isnull=True).order_by("conditions_declared_at", "id"),
            lambda a: a.conditions_due),  # the date committed to (the confirmation records its lateness)
        inspections_due=_flag(
            now.filter(status=Status.APPROVED, inspection_due__isnull=False,
                       inspection__status=InspectionStatus.PENDING).order_by("inspection_due"),
            lambda a: a.inspection_due),
        revocation_requests=revocation_requests_for(user),
    )


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
