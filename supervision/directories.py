"""The two directories of 双随机 (issue 14): 监管对象库 and 执法检查人员库, each an organisation's own.

监管对象库: every entity that holds, from the regulator's organisation's point of view (谁主管、谁监管), a
licence, a filing or a cancelled item's registration in force, with those items. Which entities those are
is licensing.selectors.supervised_* (the draws' pool reads the same); here are the directory's filters and
its rows, a page of entities at a time and that page's items in one more query, so a page costs the same
at five entities and at a million applications.

执法检查人员库: the regulators of the organisation who may be drawn to inspect, by their 执法证号, and the
conflicts of interest they declared (回避: never drawn for that entity, supervision.draws). Each change is
a service below that names its actor and leaves an audit row; a declared conflict is removed only by an
admin (the admin's history keeps it).

Who keeps them: a regulator of an organisation (supervision.queue.queue_organisation_id), for its own.
"""
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing import selectors as licensing_selectors
from portal import audit
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction, Organisation
from supervision.models import Inspector, InspectorConflict
from supervision.queue import inspectors_of, queue_organisation_id

ENTITY_FILTERS = ("item", "county", "since", "until", "q")
MAX_SEARCH = 100
MAX_RELATION = 200
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # PostgreSQL refuses integers past bigint
_CODE = re.compile(r"[A-Za-z0-9-]{1,32}", re.ASCII)
_BADGE = re.compile(r"[A-Z0-9-]{1,32}", re.ASCII)  # 执法证号, in capitals: the draw compares them so
_IDENTIFIER = re.compile(r"[0-9A-Z]{18}", re.ASCII)  # 统一社会信用代码 or 居民身份证号码
_USERNAME = re.compile(r"[\w.@+-]{1,150}")
# Adding an inspector or changing whether it may be drawn (details.step says which).
ROSTER_ACTION = AuditAction.INSPECTOR_ROSTER


def directory_organisation_id(user) -> int | None:
    """Whose directories the user keeps: an active regulator's own organisation; None for anyone else."""
    return queue_organisation_id(user)


def _organisation_of(actor, inspector=None) -> int:
    organisation_id = directory_organisation_id(actor)
    if organisation_id is None:
        raise NotAllowed(_("只有行业主管部门的监管人员可以维护执法检查人员库。"))
    if inspector is not None and inspector.organisation_id != organisation_id:
        raise NotAllowed(_("这不是本部门的执法检查人员。"))
    return organisation_id


# --- 监管对象库: filters --------------------------------------------------------------------------

@dataclass(frozen=True)
class EntityQuery:
    pool: "licensing_selectors.PoolFilter"
    search: str = ""


def entity_query(organisation_id: int, **given) -> EntityQuery:
    """The directory's filters (strings; empty means none) checked together, every bad one at once (400)."""
    problems, found = Problems(), {}
    values = {name: _text(given.get(name)) for name in ENTITY_FILTERS}
    for name, read in (("item", _item), ("county", _county), ("since", _day), ("until", _day), ("q", _search)):
        if values[name]:
            problems.check(name, lambda name=name, read=read: found.__setitem__(name, read(values[name], name)))
    since, until = found.get("since"), found.get("until")
    if since and until and until < since:
        problems.add("until", _("生效日期止不能早于生效日期起。"))
    problems.raise_if_any()
    pool = licensing_selectors.PoolFilter(
        regulator_id=organisation_id, item_ids=tuple(filter(None, [found.get("item")])),
        authority_ids=tuple(filter(None, [found.get("county")])), since=since, until=until)
    return EntityQuery(pool=pool, search=found.get("q", ""))


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _item(value, name) -> int:
    if not _CODE.fullmatch(value):
        raise InvalidInput(_("事项编码格式不正确，如 QZ-013。"), field=name)
    item = licensing_selectors.item_list().filter(code=value.upper()).prefetch_related(None).only("pk").first()
    if item is None:
        raise InvalidInput(_("没有编码为 %(code)s 的事项。") % {"code": value.upper()}, field=name)
    return item.pk


def _county(value, name) -> int:
    if not _CODE.fullmatch(value):
        raise InvalidInput(_("县区（审批部门）机构代码格式不正确，如 D03。"), field=name)
    organisation = Organisation.objects.filter(code=value.upper()).only("pk").first()
    if organisation is None:
        raise InvalidInput(_("没有机构代码为 %(code)s 的审批部门。") % {"code": value.upper()}, field=name)
    return organisation.pk


def _day(value, name) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = (_("请按 YYYY-MM-DD 填写生效日期起，如 2026-10-01。") if name == "since"
                   else _("请按 YYYY-MM-DD 填写生效日期止，如 2026-10-01。"))
        raise InvalidInput(message, field=name) from None


def _search(value, name) -> str:
    if len(value) > MAX_SEARCH or any(ord(c) < 32 for c in value):
        raise InvalidInput(_("查询内容应为不超过%(limit)d个字的名称或完整的统一社会信用代码（身份证号码）。")
                           % {"limit": MAX_SEARCH}, field=name)
    return value


# --- 监管对象库: the rows ---------------------------------------------------------------------------

@dataclass
class Holding:
    application: object
    item_code: str
    item_name: str
    status_label: str
    took_effect: dt.date | None


@dataclass
class EntityRow:
    applicant_id: int
    name: str        # public: an enterprise's in full, a person's surname only
    code: str        # an enterprise's 统一社会信用代码 in full, a person's ID number masked
    holdings: list = field(default_factory=list)


def entities(query: EntityQuery) -> QuerySet:
    """The entities of the directory, in identifier order: page this, then read the page's holdings."""
    applicants = licensing_selectors.supervised_applicants(query.pool)
    return licensing_selectors.supervised_search(applicants, query.search)


def entity_rows(query: EntityQuery, applicants) -> list[EntityRow]:
    """A page of entities with what each holds under the filters: one query for all their items."""
    applicants = list(applicants)
    held = licensing_selectors.supervised_holdings(query.pool, [a.pk for a in applicants])
    return [EntityRow(applicant_id=a.pk, holdings=[holding(x) for x in held.get(a.pk, [])], **_published(a))
            for a in applicants]


def _published(applicant) -> dict:
    entry = licensing_selectors.PoolEntry(applicant.pk, applicant.identifier, applicant.kind, applicant.name)
    return licensing_selectors.published_entity(entry)


def holding(application) -> Holding:
    """One item an entity holds: the application, its status and the day it took effect (a decision's day;
    a filing or a registration takes effect when it is made)."""
    moment = application.decided_at or application.submitted_at
    return Holding(application=application, item_code=application.item.code, item_name=application.item.name,
                   status_label=application.get_status_display(),
                   took_effect=timezone.localdate(moment) if moment else None)


def export_rows(query: EntityQuery) -> QuerySet:
    """Every item in the directory under the filters, one row per application, for the xlsx export."""
    rows = licensing_selectors.supervised_applications(query.pool)
    if query.search:
        rows = rows.filter(applicant__in=entities(query).order_by().values("pk"))
    return rows.select_related("applicant", "item").order_by("applicant__identifier", "applicant_id",
                                                             "item__seq_no", "id")


def export_cells(application) -> list:
    shown, effect = _published(application.applicant), holding(application)
    return [shown["code"], shown["name"], effect.item_code, effect.item_name, application.number,
            effect.status_label, effect.took_effect]


def county_choices() -> QuerySet:
    """The approving authorities the county filter offers (the organisations that implement an item)."""
    return licensing_selectors.authorities_in_use()


# --- 执法检查人员库: reads -------------------------------------------------------------------------

def inspectors_of_organisation(organisation_id) -> QuerySet[Inspector]:
    """The organisation's inspectors by 执法证号, each with the number of its declared conflicts."""
    return (Inspector.objects.filter(organisation_id=organisation_id).select_related("user")
            .annotate(conflict_count=Count("conflicts")).order_by("code"))


def inspector_for(user, inspector_id) -> Inspector | None:
    """One inspector of the user's organisation, or None whether it does not exist or is another's."""
    organisation_id = directory_organisation_id(user)
    if organisation_id is None or not _ID.fullmatch(str(inspector_id)):
        return None
    return inspectors_of_organisation(organisation_id).filter(pk=int(inspector_id)).first()


def conflicts_of(inspector) -> QuerySet[InspectorConflict]:
    return (InspectorConflict.objects.filter(inspector=inspector).select_related("applicant", "declared_by")
            .order_by("-declared_at", "-id"))


def conflict_rows(inspector) -> list[dict]:
    """The inspector's declared conflicts as the desk shows them (persons masked like everywhere else)."""
    return [{"conflict": c, **_published(c.applicant)} for c in conflicts_of(inspector)]


def inspector_candidates(user) -> QuerySet:
    """The organisation's active regulator accounts not yet in the directory: whom the desk may add."""
    return inspectors_of(user).filter(inspector_entry__isnull=True)


# --- 执法检查人员库: writes ------------------------------------------------------------------------

def inspector_add(*, actor, username: str, code: str) -> Inspector:
    """Put an active regulator of the actor's organisation in its directory under its 执法证号 (unique)."""
    organisation_id = _organisation_of(actor)
    problems, username, code = Problems(), _text(username), _text(code).upper()
    user = None
    if not username:
        problems.add("username", _("请选择要加入执法检查人员库的监管人员。"))
    elif not _USERNAME.fullmatch(username) or (user := inspectors_of(actor).filter(username=username).first()) is None:
        problems.add("username", _("“%(username)s”不是本部门在岗的监管人员。") % {"username": username[:40]})
    if not code:
        problems.add("code", _("请填写执法证号。"))
    elif not _BADGE.fullmatch(code):
        problems.add("code", _("执法证号由字母、数字和“-”组成，不超过32位。"))
    problems.raise_if_any()
    try:
        with transaction.atomic():
            _refuse_duplicate(user, code)
            inspector = Inspector.objects.create(organisation_id=organisation_id, user=user, code=code)
            audit.write(ROSTER_ACTION, actor=actor, obj=inspector, details={
                "step": "inspector_add", "code": code, "user": user.username, "organisation": organisation_id})
    except IntegrityError:  # added by someone else between the check and the insert
        _refuse_duplicate(user, code)
        raise Conflict(_("执法检查人员库刚刚有了变化，请刷新后重试。")) from None
    return inspector


def _refuse_duplicate(user, code) -> None:
    existing = Inspector.objects.filter(user=user).first()
    if existing is not None:
        raise Conflict(_("%(user)s已在执法检查人员库中（执法证号 %(code)s）。") % {"user": user, "code": existing.code},
                       field="username")
    if Inspector.objects.filter(code=code).exists():
        raise Conflict(_("执法证号 %(code)s 已经登记，请核对后重新填写。") % {"code": code}, field="code")


def inspector_set_active(*, inspector: Inspector, actor, active: bool) -> Inspector:
    """Take an inspector out of future draws, or back in (an account no longer an active regulator of the
    organisation cannot come back). Plans already drawn keep whom they drew."""
    organisation_id = _organisation_of(actor, inspector)
    with transaction.atomic():
        inspector = Inspector.objects.select_for_update().select_related("user").get(pk=inspector.pk)
        if inspector.active == active:
            return inspector
        if active and not inspectors_of(actor).filter(pk=inspector.user_id).exists():
            raise Conflict(_("%(user)s的账号已停用或不再是本部门的监管人员，不能恢复在库。") % {"user": inspector.user})
        inspector.active = active
        inspector.save(update_fields=["active"])
        audit.write(ROSTER_ACTION, actor=actor, obj=inspector, details={
            "step": "inspector_active", "code": inspector.code, "active": active, "organisation": organisation_id})
    return inspector


def inspector_conflict_declare(*, inspector: Inspector, actor, identifier: str, relation: str) -> InspectorConflict:
    """Record that the inspector is related to an entity (回避): no draw will send it there."""
    _organisation_of(actor, inspector)
    problems, identifier, relation = Problems(), _text(identifier).upper(), _text(relation)
    applicant = None
    if not identifier:
        problems.add("identifier", _("请填写监管对象的统一社会信用代码或身份证号码。"))
    elif not _IDENTIFIER.fullmatch(identifier):
        problems.add("identifier", _("统一社会信用代码或身份证号码应为18位数字或大写字母。"))
    elif (applicant := licensing_selectors.applicant_by_identifier(identifier)) is None:
        problems.add("identifier", _("没有找到证件号码为 %(identifier)s 的申请人，请核对后重新填写。")
                     % {"identifier": identifier})
    if not relation:
        problems.add("relation", _("请填写回避事由，如：近亲属任该企业法定代表人。"))
    elif len(relation) > MAX_RELATION or "\x00" in relation:
        problems.add("relation", _("回避事由不超过%(limit)d个字。") % {"limit": MAX_RELATION})
    problems.raise_if_any()
    try:
        with transaction.atomic():
            conflict = InspectorConflict.objects.create(inspector=inspector, applicant=applicant, relation=relation,
                                                        declared_at=timezone.now(), declared_by=actor)
            audit.write(AuditAction.INSPECTOR_CONFLICT, actor=actor, obj=conflict, details={
                "step": "conflict_declare", "code": inspector.code, "applicant": applicant.pk})
    except IntegrityError:
        raise Conflict(_("%(user)s与该监管对象的回避已经登记过。") % {"user": inspector.user},
                       field="identifier") from None
    return conflict


def inspector_conflict_remove(*, conflict: InspectorConflict, actor) -> None:
    """An admin's removal of a declared conflict (the regulators' desk has none); its history stays."""
    if actor is None or not actor.has_perm("supervision.delete_inspectorconflict"):
        raise NotAllowed(_("只有管理员可以删除回避申报。"))
    with transaction.atomic():
        audit.write(AuditAction.INSPECTOR_CONFLICT, actor=actor, obj=conflict, details={
            "step": "conflict_remove", "code": conflict.inspector.code, "applicant": conflict.applicant_id})
        conflict.delete()
