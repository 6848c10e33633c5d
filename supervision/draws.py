"""双随机、一公开 (issue 14): a regulator's plans and their draws; the directories they draw from.

A plan names its pool (items, approving authorities, a period in which the licence or filing took effect:
licensing.selectors.supervised_*), its sample (a percentage or a count) and its inspectors (执法检查人员库).
The draw:
- fixes the pool in identifier order and publishes it, with the roster and the declared conflicts (回避)
  that concern the pool, and a random seed made at that moment (secrets.token_hex);
- picks by supervision.draw_algorithm, which anyone can repeat from those published data (scripts/redraw.py);
- makes each picked entity's applications in the pool inspections in the regulator's queue, assigned to the
  inspectors drawn, due on the plan's date (the workbench's results, rectification and revocation apply).

Everything that could fail is checked before the seed is made (every entity of the pool has enough
inspectors without a conflict), so a draw never fails after its seed is known and no one can draw again
for another answer. A drawn plan is never edited and never drawn again: draw_run returns the same draw.
"""
import datetime as dt
import secrets
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing import selectors as licensing_selectors
from portal import audit
from portal.masking import mask_person_name
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction, Organisation
from supervision import draw_algorithm
from supervision.constants import MAX_POOL, MAX_SAMPLE_PERCENT, MIN_INSPECTORS, DrawStatus
from supervision.i18n import listed, local_date
from supervision.models import DrawPick, DrawPlan, Inspection, Inspector, InspectorConflict
from supervision.queue import queue_organisation_id

MAX_TITLE = 200
MAX_PER_ENTITY = 10


# --- the plan -------------------------------------------------------------------------------------

def draw_plan_create(*, actor, data: dict) -> DrawPlan:
    """A new plan of the actor's organisation (a regulator's), a draft until drawn."""
    organisation_id = _organisation_of(actor)
    cleaned = clean_plan(organisation_id, data)
    with transaction.atomic():
        plan = DrawPlan.objects.create(
            number=f"tmp-{secrets.token_hex(6)}", organisation_id=organisation_id, created_by=actor,
            created_at=timezone.now(), **_columns(cleaned))
        plan.number = f"SJ{timezone.localdate().year}-{plan.pk:05d}"
        plan.save(update_fields=["number"])
        _set_relations(plan, cleaned)
        audit.write(AuditAction.DRAW_PLAN, actor=actor, obj=plan, details={"number": plan.number, "created": True})
    return plan


def draw_plan_update(*, plan: DrawPlan, actor, data: dict) -> DrawPlan:
    """Change a draft; a drawn plan is refused (409): what was drawn from must stay as published."""
    organisation_id = _organisation_of(actor, plan)
    cleaned = clean_plan(organisation_id, data)
    with transaction.atomic():
        plan = DrawPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != DrawStatus.DRAFT:
            raise Conflict(_("抽查计划 %(number)s 已于%(day)s抽取，不能再修改。") % {
                "number": plan.number, "day": local_date(plan.drawn_at or timezone.now())})
        for name, value in _columns(cleaned).items():
            setattr(plan, name, value)
        plan.save()
        _set_relations(plan, cleaned)
        audit.write(AuditAction.DRAW_PLAN, actor=actor, obj=plan, details={"number": plan.number, "created": False})
    return plan


def clean_plan(organisation_id: int, data: dict) -> dict:
    """The plan's fields checked together (every problem at once, by field), codes resolved to objects."""
    problems, cleaned = Problems(), {}
    title = str(data.get("title") or "").strip()
    if not title:
        problems.add("title", _("请填写计划名称。"))
    elif len(title) > MAX_TITLE:
        problems.add("title", _("计划名称不超过%(limit)d个字。") % {"limit": MAX_TITLE})
    cleaned["title"] = title
    problems.check("items", lambda: cleaned.__setitem__("items", _items(data.get("items"))))
    problems.check("authorities", lambda: cleaned.__setitem__("authorities", _authorities(data.get("authorities"))))
    for name in ("licensed_from", "licensed_until", "due_date"):
        problems.check(name, lambda name=name: cleaned.__setitem__(name, _date(data.get(name), name)))
    _check_dates(cleaned, problems)
    problems.check("sample_percent", lambda: cleaned.update(_sample(data)))
    problems.check("inspectors_per_entity", lambda: cleaned.__setitem__(
        "inspectors_per_entity", _per_entity(data.get("inspectors_per_entity"))))
    problems.check("inspectors", lambda: cleaned.__setitem__(
        "inspectors", _roster(organisation_id, data.get("inspectors"))))
    if "inspectors" in cleaned and "inspectors_per_entity" in cleaned and \
            len(cleaned["inspectors"]) < cleaned["inspectors_per_entity"]:
        problems.add("inspectors", _("参加抽取的执法检查人员不少于每户人数（%(count)d名）。")
                     % {"count": cleaned["inspectors_per_entity"]})
    problems.raise_if_any()
    return cleaned


def _columns(cleaned) -> dict:
    return {name: cleaned[name] for name in ("title", "licensed_from", "licensed_until", "due_date", "sample_percent",
                                             "sample_count", "inspectors_per_entity")}


def _set_relations(plan, cleaned) -> None:
    plan.items.set(cleaned["items"])
    plan.authorities.set(cleaned["authorities"])
    plan.inspectors.set(cleaned["inspectors"])


def _codes(value, field) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").split(",")
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(_("应为编码的列表。"), field=field)
    codes = [str(v).strip().upper() for v in value if str(v).strip()]
    if any(len(c) > 32 for c in codes):
        raise InvalidInput(_("编码过长。"), field=field)
    return list(dict.fromkeys(codes))


def _items(value) -> list:
    codes = _codes(value, "items")
    found = {item.code: item for item in licensing_selectors.item_list().filter(code__in=codes)} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("以下事项编码不存在：%(codes)s。") % {"codes": listed(unknown[:10])}, field="items")
    return [found[c] for c in codes]


def _authorities(value) -> list:
    codes = _codes(value, "authorities")
    found = {o.code: o for o in Organisation.objects.filter(code__in=codes)} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("以下审批部门（机构代码）不存在：%(codes)s。") % {"codes": listed(unknown[:10])},
                           field="authorities")
    return [found[c] for c in codes]


def _date(value, field) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(_DATE_FORMAT_WANTED[field](), field=field) from None


# What a date field wants, by field (whole sentences, so that each translates as one).
_DATE_FORMAT_WANTED = {
    "licensed_from": lambda: _("请按 YYYY-MM-DD 填写许可（备案）日期起。"),
    "licensed_until": lambda: _("请按 YYYY-MM-DD 填写许可（备案）日期止。"),
    "due_date": lambda: _("请按 YYYY-MM-DD 填写检查完成期限。"),
}


def _check_dates(cleaned, problems) -> None:
    since, until, due = cleaned.get("licensed_from"), cleaned.get("licensed_until"), cleaned.get("due_date")
    if since and until and until < since:
        problems.add("licensed_until", _("许可（备案）日期止不能早于日期起。"))
    if until and until > timezone.localdate():
        problems.add("licensed_until", _("许可（备案）日期止不能晚于今天：名录只收已生效的许可和备案。"))
    if due and due <= timezone.localdate():
        problems.add("due_date", _("检查完成期限应晚于今天。"))


def _positive(value, field, upper) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= upper:
        raise InvalidInput(_NUMBER_WANTED[field]() % {"upper": upper}, field=field)
    return int(text)


_NUMBER_WANTED = {
    "sample_percent": lambda: _("抽取比例（%%）应为1至%(upper)d之间的整数。"),
    "sample_count": lambda: _("抽取户数应为1至%(upper)d之间的整数。"),
    "inspectors_per_entity": lambda: _("每户执法检查人员数应为1至%(upper)d之间的整数。"),
}


def _sample(data) -> dict:
    percent = _positive(data.get("sample_percent"), "sample_percent", MAX_SAMPLE_PERCENT)
    count = _positive(data.get("sample_count"), "sample_count", MAX_POOL)
    if (percent is None) == (count is None):
        raise InvalidInput(_("抽取比例和抽取户数须填写且只填写其中一项。"), field="sample_percent")
    return {"sample_percent": percent, "sample_count": count}


def _per_entity(value) -> int:
    number = _positive(value if value not in (None, "") else MIN_INSPECTORS, "inspectors_per_entity", MAX_PER_ENTITY)
    if number < MIN_INSPECTORS:
        raise InvalidInput(_("每户执法检查人员不少于%(count)d名（行政执法须两人以上）。") % {"count": MIN_INSPECTORS},
                           field="inspectors_per_entity")
    return number


def _roster(organisation_id, value) -> list:
    codes = _codes(value, "inspectors")
    found = {i.code.upper(): i for i in Inspector.objects.filter(organisation_id=organisation_id, active=True,
                                                                 user__is_active=True, code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("以下执法证号不在本部门执法检查人员库中：%(codes)s。") % {"codes": listed(unknown[:10])},
                           field="inspectors")
    if not codes:
        raise InvalidInput(_("请选择参加抽取的执法检查人员。"), field="inspectors")
    return [found[c] for c in codes]


def _organisation_of(actor, plan=None) -> int:
    organisation_id = queue_organisation_id(actor)
    if organisation_id is None:
        raise NotAllowed(_("只有行业主管部门的监管人员可以制定和抽取抽查计划。"))
    if plan is not None and plan.organisation_id != organisation_id:
        raise NotAllowed(_("这不是本部门的抽查计划。"))
    return organisation_id


# --- the draw -------------------------------------------------------------------------------------

def pool_filter(plan: DrawPlan) -> "licensing_selectors.PoolFilter":
    return licensing_selectors.PoolFilter(
        regulator_id=plan.organisation_id, item_ids=tuple(plan.items.values_list("pk", flat=True)),
        authority_ids=tuple(plan.authorities.values_list("pk", flat=True)),
        since=plan.licensed_from, until=plan.licensed_until)


def draw_run(*, plan: DrawPlan, actor) -> DrawPlan:
    """Draw the plan once. A drawn plan is returned as drawn (the same picks, never a new seed)."""
    _organisation_of(actor, plan)
    with transaction.atomic():
        plan = DrawPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == DrawStatus.DRAWN:
            return plan
        pool = licensing_selectors.supervised_pool(pool_filter(plan))
        roster = list(plan.inspectors.select_related("user").order_by("code"))
        exclusions = _exclusions(pool, roster)
        _check_drawable(plan, pool, roster, exclusions)
        plan.seed = secrets.token_hex(32)
        picks = draw_algorithm.draw(
            seed=plan.seed, pool_size=len(pool), roster=[i.code for i in roster], exclusions=exclusions,
            per_entity=plan.inspectors_per_entity,
            sample=draw_algorithm.sample_size(len(pool), percent=plan.sample_percent, count=plan.sample_count))
        _record(plan, actor, pool, roster, exclusions)
        _make_picks(plan, pool, {i.code: i for i in roster}, picks)
        audit.write(AuditAction.DRAW_RUN, actor=actor, obj=plan, details={
            "number": plan.number, "pool": len(pool), "picks": len(picks), "seed": plan.seed})
    return plan


def _exclusions(pool, roster) -> list[tuple[int, str]]:
    """The declared conflicts between the roster and the pool, as published pairs (pool number, code)."""
    number = {entry.applicant_id: n for n, entry in enumerate(pool, start=1)}
    code = {inspector.pk: inspector.code for inspector in roster}
    pairs = (InspectorConflict.objects.filter(inspector_id__in=list(code), applicant_id__in=list(number))
             .values_list("applicant_id", "inspector_id"))
    return sorted((number[a], code[i]) for a, i in pairs)


def _check_drawable(plan, pool, roster, exclusions) -> None:
    if not pool:
        raise Conflict(_("按本计划的事项、县区和日期，监管对象名录为空，无法抽取。请调整计划后再抽取。"))
    if len(pool) > MAX_POOL:
        raise Conflict(_("监管对象名录有%(size)d户，超过单次抽取上限%(limit)d户，请缩小范围。")
                       % {"size": len(pool), "limit": MAX_POOL})
    excluded = defaultdict(int)
    for n, _code in exclusions:
        excluded[n] += 1
    short = [pool[n - 1] for n in range(1, len(pool) + 1) if len(roster) - excluded[n] < plan.inspectors_per_entity]
    if short:
        names = listed(licensing_selectors.published_entity(e)["name"] for e in short[:5])
        message = (_("因回避，以下监管对象可抽取的执法检查人员不足%(count)d名：%(names)s等。请增加参加抽取的执法检查人员后再抽取。")
                   if len(short) > 5 else
                   _("因回避，以下监管对象可抽取的执法检查人员不足%(count)d名：%(names)s。请增加参加抽取的执法检查人员后再抽取。"))
        raise Conflict(message % {"count": plan.inspectors_per_entity, "names": names})


def _record(plan, actor, pool, roster, exclusions) -> None:
    plan.algorithm = draw_algorithm.ALGORITHM
    plan.pool = [{"n": n, **licensing_selectors.published_entity(entry)} for n, entry in enumerate(pool, start=1)]
    plan.roster = [{"code": i.code, "name": _masked_name(i)} for i in roster]
    plan.exclusions = [[n, code] for n, code in exclusions]
    plan.status, plan.drawn_at, plan.drawn_by = DrawStatus.DRAWN, timezone.now(), actor
    plan.save()


def _masked_name(inspector) -> str:
    return mask_person_name(inspector.user.full_name or inspector.user.username)


def _make_picks(plan, pool, by_code, picks) -> None:
    """The picks, and an inspection of each application that put a picked entity in the pool (bulk: a
    sample may be hundreds)."""
    now = timezone.now()
    rows = DrawPick.objects.bulk_create([
        DrawPick(plan=plan, order=order, pool_no=n, applicant_id=pool[n - 1].applicant_id)
        for order, (n, _codes) in enumerate(picks, start=1)])
    DrawPick.inspectors.through.objects.bulk_create([
        DrawPick.inspectors.through(drawpick_id=pick.pk, inspector_id=by_code[code].pk)
        for pick, (_n, codes) in zip(rows, picks, strict=True) for code in codes])
    wanted = {application_id: pick for pick, (n, _codes) in zip(rows, picks, strict=True)
              for application_id in pool[n - 1].application_ids}
    applications = licensing_selectors.supervised_applications(pool_filter(plan)).filter(
        pk__in=list(wanted)).values_list("pk", "entrusted_id", "authority_id")
    inspections = Inspection.objects.bulk_create([
        Inspection(application_id=pk, pick=wanted[pk], regulator_id=plan.organisation_id,
                   authority_id=entrusted_id or authority_id, due_date=plan.due_date, assigned_at=now)
        for pk, entrusted_id, authority_id in applications])
    users = {pick.pk: [by_code[code].user_id for code in codes] for pick, (_n, codes) in zip(rows, picks, strict=True)}
    Inspection.inspectors.through.objects.bulk_create([
        Inspection.inspectors.through(inspection_id=inspection.pk, user_id=user_id)
        for inspection in inspections for user_id in users[inspection.pick.pk]])
