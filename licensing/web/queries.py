"""Reads behind the pages: each user's lists, the officer's queues, the public disclosure."""
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from licensing.constants import MaterialStatus, Route, Status
from licensing.models import Application, Commitment, Item, MaterialSubmission
from licensing.web.deadlines import next_deadline
from supervision.constants import InspectionStatus


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
    return with_next_deadline(_listing(Application.objects.filter(applicant__members=user)))


def applications_of_applicant(applicant) -> list:
    """The window's view of one applicant: its applications and their documents, to hand out results."""
    return with_next_deadline(_listing(applicant.applications.prefetch_related("documents")))


@dataclass
class OfficerQueues:
    """What an approval officer's authority has to do, each list oldest deadline first."""

    notices_due: list = field(default_factory=list)
    to_decide: list = field(default_factory=list)
    to_accept: list = field(default_factory=list)
    under_review: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    materials_due: list = field(default_factory=list)
    inspections_due: list = field(default_factory=list)


def _flag(rows, late):
    rows = list(rows)
    for row in rows:
        row.is_late = late(row)
    return rows


def officer_queues(user) -> OfficerQueues:
    """谁审批、谁负责: the applications of items for which the officer's organisation is an implementing authority."""
    today = timezone.localdate()
    mine = Application.objects.filter(
        item__in=Item.objects.filter(authorities__organisation_id=user.organisation_id)).select_related("item", "applicant")
    return OfficerQueues(
        # 附件3 第三条: a remote application's notice is due within 3 working days.
        notices_due=_flag(mine.filter(route=Route.COMMITMENT, status=Status.SUBMITTED).order_by("notice_due"),
                          lambda a: a.notice_due is not None and a.notice_due < today),
        # 附件3 第五条: decided on the day the commitment arrives; older ones are late.
        to_decide=_flag(mine.filter(status=Status.COMMITTED).order_by("committed_at"),
                        lambda a: timezone.localdate(a.committed_at) < today),
        to_accept=_flag(mine.filter(route=Route.ORDINARY, status=Status.SUBMITTED).order_by("submitted_at"),
                        lambda a: False),
        under_review=_flag(mine.filter(status=Status.ACCEPTED).order_by("decision_due"),
                           lambda a: a.decision_due is not None and a.decision_due < today),
        corrections=_flag(mine.filter(status=Status.CORRECTION).order_by("decision_due"), lambda a: False),
        materials_due=_flag(
            MaterialSubmission.objects.filter(application__in=mine, status=MaterialStatus.OWED,
                                              application__status=Status.APPROVED, due_date__isnull=False)
            .select_related("material", "application", "application__item").order_by("due_date"),
            lambda s: s.due_date < today),
        inspections_due=_flag(
            mine.filter(status=Status.APPROVED, inspection_due__isnull=False,
                        inspection__status=InspectionStatus.PENDING).order_by("inspection_due"),
            lambda a: a.inspection_due < today),
    )


def mask_person_name(name: str) -> str:
    """张三 -> 张*: a person's name is personal data; the surname is enough for the public list."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def disclosed_commitments(q: str = "") -> QuerySet:
    """公开承诺 (钦政发〔2019〕20号, quoting 国发〔2019〕25号: 将企业承诺内容向社会公开，方便社会监督)."""
    qs = (Commitment.objects.filter(disclosed=True)
          .select_related("application", "application__item", "application__applicant")
          .order_by("-signed_at", "-id"))
    q = (q or "").strip()
    if q:
        by_name = Q(application__item__name__icontains=q)
        qs = qs.filter(by_name | Q(application__item__seq_no=int(q)) if q.isdigit() else by_name)
    return qs
