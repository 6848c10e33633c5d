"""What the 双随机 pages, the API and 一公开 read of the plans and their draws (issue 14).

A regulator sees its own organisation's plans (supervision.queue.queue_organisation_id: the same rule as
its inspection queue); anyone sees a drawn plan as it was published: the pool, roster and exclusions
frozen at draw time (enterprises in full, persons masked, inspectors by their code and a masked name),
the picks, and each pick's result once recorded (its outcome and date only: a result's note and the
inspectors' names stay with the regulator). A draft is nobody's business but its regulator's.
"""
import re
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing import selectors as licensing_selectors
from portal.constants import OrgKind
from portal.models import Organisation
from supervision.constants import MAX_POOL, DrawStatus, InspectionStatus
from supervision.draws import pool_filter
from supervision.i18n import in_chinese, marked
from supervision.models import DrawPick, DrawPlan, Inspection, InspectionResult, Inspector
from supervision.queue import queue_organisation_id

_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
# SJ<year>-<5 digits or more> (supervision.draws.draw_plan_create); anything else is not looked up.
_NUMBER = re.compile(r"SJ[0-9]{4}-[0-9]{5,12}", re.ASCII)
# The published data of a plan (its draw's snapshot): heavy for a large pool, so lists leave it out.
SNAPSHOT = ("pool", "roster", "exclusions")
PAGE_CAP = MAX_POOL  # a plan's own lists (its pool, its picks) are counted in full: at most MAX_POOL rows


class JSONArrayLength(Func):
    """The length of a JSON array column, counted by the database (a list never loads a pool)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def _listed(plans: QuerySet) -> QuerySet:
    return (plans.defer(*SNAPSHOT).select_related("organisation")
            .annotate(pool_size=JSONArrayLength(F("pool"))))


# --- the regulator's plans ---------------------------------------------------------------------------

def plans_for(user) -> QuerySet[DrawPlan]:
    """The user's organisation's plans, newest first; none for anyone who draws for no organisation."""
    organisation_id = queue_organisation_id(user)
    if organisation_id is None:
        return DrawPlan.objects.none()
    return _listed(DrawPlan.objects.filter(organisation_id=organisation_id)).order_by("-created_at", "-id")


def plan_for(user, plan_id) -> DrawPlan | None:
    """One plan of the user's organisation, or None whether it does not exist or is another's."""
    organisation_id = queue_organisation_id(user)
    if organisation_id is None or not _ID.fullmatch(str(plan_id)):
        return None
    return (DrawPlan.objects.filter(organisation_id=organisation_id, pk=int(plan_id))
            .select_related("organisation", "created_by", "drawn_by").first())


def pool_size(plan: DrawPlan) -> int:
    """The size of the pool: as published once drawn; before, as the plan's filters select it now."""
    if plan.status == DrawStatus.DRAWN:
        return len(plan.pool)
    return licensing_selectors.supervised_applicants(pool_filter(plan)).count()


def plan_data(plan: DrawPlan) -> dict:
    """The plan as the services take it (supervision.draws.clean_plan): codes and ISO dates."""
    return {
        "title": plan.title, "items": list(plan.items.order_by("seq_no", "code").values_list("code", flat=True)),
        "authorities": list(plan.authorities.order_by("code").values_list("code", flat=True)),
        "licensed_from": plan.licensed_from.isoformat(), "licensed_until": plan.licensed_until.isoformat(),
        "sample_percent": plan.sample_percent, "sample_count": plan.sample_count,
        "inspectors_per_entity": plan.inspectors_per_entity,
        "inspectors": list(plan.inspectors.order_by("code").values_list("code", flat=True)),
        "due_date": plan.due_date.isoformat()}


def plan_inspectors(plan: DrawPlan) -> list[Inspector]:
    """The inspectors the plan draws from (the regulator's own staff: shown with their names)."""
    return list(plan.inspectors.select_related("user").order_by("code"))


def picks_of(plan: DrawPlan) -> QuerySet[DrawPick]:
    """The plan's picks in the order drawn, with their inspectors and the inspections they made."""
    results = InspectionResult.objects.order_by("recorded_at", "id")
    inspections = (Inspection.objects.select_related("application__item")
                   .prefetch_related(Prefetch("results", queryset=results)).order_by("id"))
    inspectors = Inspector.objects.select_related("user").order_by("code")
    return (DrawPick.objects.filter(plan=plan).order_by("order")
            .prefetch_related(Prefetch("inspectors", queryset=inspectors),
                              Prefetch("inspections", queryset=inspections)))


# --- the form's choices --------------------------------------------------------------------------------

def item_choices() -> list[tuple[str, str]]:
    """Every item of the catalogue by its number: the plan's items (empty: all its regulator's)."""
    items = licensing_selectors.item_list().order_by("seq_no", "code").values_list("code", "seq_no", "name", "name_en")
    chinese = in_chinese()  # an English page names an item by its gloss where it has one
    return [(code, _("%(seq_no)s. %(name)s（%(code)s）") % {
        "seq_no": seq_no, "name": name if chinese or not name_en else name_en, "code": code})
        for code, seq_no, name, name_en in items]


def authority_choices() -> list[tuple[str, str]]:
    """The approving organisations (县区的审批部门): a plan may narrow its pool to some of them."""
    organisations = Organisation.objects.filter(kind__in=[OrgKind.AUTHORITY, OrgKind.APPROVAL_BUREAU])
    return [(code, _("%(name)s（%(code)s）") % {"name": name, "code": code})
            for code, name in organisations.order_by("code").values_list("code", "name")]


def inspector_choices(user) -> list[tuple[str, str]]:
    """The user's organisation's inspectors who may be drawn (在库, with an active account)."""
    organisation_id = queue_organisation_id(user)
    if organisation_id is None:
        return []
    rows = (Inspector.objects.filter(organisation_id=organisation_id, active=True, user__is_active=True)
            .select_related("user").order_by("code"))
    # a checkbox's label can hold a marked part: on an English page the name is marked as Chinese
    return [(i.code, marked(_("%(name)s（执法证号 %(code)s）"), name=i.user.full_name or i.user.username, code=i.code))
            for i in rows]


# --- 一公开 ----------------------------------------------------------------------------------------------

def disclosed_plans() -> QuerySet[DrawPlan]:
    """Every drawn plan, the newest draw first."""
    return _listed(DrawPlan.objects.filter(status=DrawStatus.DRAWN)).order_by("-drawn_at", "-id")


def disclosed_plan(number) -> DrawPlan | None:
    """A drawn plan by its number, or None (a draft, or no such plan)."""
    if not isinstance(number, str) or not _NUMBER.fullmatch(number):
        return None
    return (DrawPlan.objects.filter(status=DrawStatus.DRAWN, number=number)
            .select_related("organisation").first())


@dataclass
class PublicResult:
    """A drawn check as the public sees it: the item, and the outcome once recorded (nothing else)."""

    item: object  # licensing's Item
    status: str
    outcome: str = ""
    recorded_at: object = None


@dataclass
class PublicPick:
    order: int
    n: int
    entity: dict
    inspectors: list = field(default_factory=list)  # [{"code", "name"}] as the roster published them
    results: list = field(default_factory=list)


def _public_result(inspection) -> PublicResult:
    results = list(inspection.results.all())  # prefetched, in the order recorded
    latest = results[-1] if results else None
    status = (_("已取消") if inspection.status == InspectionStatus.CANCELLED
              else _("待检查") if latest is None else _("已检查"))
    return PublicResult(item=inspection.application.item, status=status,
                        outcome=latest.get_outcome_display() if latest else "",
                        recorded_at=latest.recorded_at if latest else None)


def public_picks(plan: DrawPlan, picks) -> list[PublicPick]:
    """`picks` (a page of picks_of(plan)) as published: the entity and the inspectors as the pool and
    the roster name them, and each inspection's outcome once recorded."""
    roster = {entry["code"]: entry for entry in plan.roster}
    rows = []
    for pick in picks:
        codes = sorted(i.code for i in pick.inspectors.all())
        rows.append(PublicPick(
            order=pick.order, n=pick.pool_no, entity=pool_entry(plan, pick.pool_no),
            inspectors=[roster.get(code, {"code": code, "name": ""}) for code in codes],
            results=[_public_result(inspection) for inspection in pick.inspections.all()]))
    return rows


def pool_entry(plan: DrawPlan, n: int) -> dict:
    """Entry n of the published pool (numbered from 1)."""
    if 1 <= n <= len(plan.pool) and plan.pool[n - 1].get("n") == n:
        return plan.pool[n - 1]
    return next((entry for entry in plan.pool if entry.get("n") == n), {"n": n, "code": "", "name": ""})


def published_data(plan: DrawPlan) -> dict:
    """Everything needed to repeat the draw (scripts/redraw.py), and the picks to compare with: the
    inspectors of a pick by code, in code order."""
    picks = (DrawPick.objects.filter(plan=plan).order_by("order")
             .prefetch_related(Prefetch("inspectors", queryset=Inspector.objects.order_by("code"))))
    return {
        "number": plan.number, "organisation": plan.organisation.name, "title": plan.title,
        "drawn_at": timezone.localtime(plan.drawn_at).isoformat() if plan.drawn_at else None,
        "algorithm": plan.algorithm, "seed": plan.seed, "pool": plan.pool, "roster": plan.roster,
        "exclusions": plan.exclusions, "inspectors_per_entity": plan.inspectors_per_entity,
        "sample_percent": plan.sample_percent, "sample_count": plan.sample_count,
        "picks": [{"order": p.order, "n": p.pool_no, "inspectors": [i.code for i in p.inspectors.all()]}
                  for p in picks]}
