"""The regulator's inspection queue (issue 10): one definition for the desk page, its export and the
API, so their rows, filters and counts cannot disagree.

A regulator sees the inspections routed to its own organisation (谁主管、谁监管), by due date; the
filters narrow it (item, county, status, inspector, due within N days, overdue) and bad values
are refused (400) rather than ignored. Everything is one indexed query on (regulator, status,
due_date) plus joins, so it stays fast with a million applications (issue 13 benchmarks it).
"""
import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.constants import Role
from portal.exceptions import InvalidInput, Problems
from portal.models import Organisation
from portal.permissions import is_regulator
from supervision.constants import OPEN_INSPECTION, InspectionStatus
from supervision.i18n import listed
from supervision.models import Inspection

_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
_CODE = re.compile(r"[A-Za-z0-9-]{1,32}", re.ASCII)
_USERNAME = re.compile(r"[\w.@+-]{1,150}")
MAX_DUE_WITHIN = 366
FILTERS = ("item", "county", "status", "inspector", "due_within", "overdue")


def _today() -> dt.date:
    return timezone.localdate()


def queue_organisation_id(user) -> int | None:
    """Whose inspections the user works: an active regulator's own organisation; None for anyone else."""
    if user is not None and user.is_active and is_regulator(user) and user.organisation_id:
        return user.organisation_id
    return None


def inspections_for(user) -> QuerySet[Inspection]:
    """The user's organisation's inspections, by due date (the queue before any filter)."""
    organisation_id = queue_organisation_id(user)
    if organisation_id is None:
        return Inspection.objects.none()
    return (Inspection.objects.filter(regulator_id=organisation_id)
            .select_related("application__item", "application__applicant", "authority")
            .prefetch_related("inspectors").order_by("due_date", "id"))


def inspection_for(user, inspection_id) -> Inspection | None:
    """One inspection of the user's queue, or None whether it does not exist or is another's."""
    if not _ID.fullmatch(str(inspection_id)):
        return None
    return inspections_for(user).filter(pk=int(inspection_id)).first()


def is_overdue_q(today: dt.date) -> Q:
    """Still open past its due date (附件3 第七条: within 2 months of the decision)."""
    return Q(status__in=OPEN_INSPECTION, due_date__lt=today)


def is_overdue(inspection, today: dt.date) -> bool:
    """is_overdue_q for an inspection already read (a row of the desk or its export)."""
    return inspection.status in OPEN_INSPECTION and inspection.due_date < today


def queue_filter(inspections: QuerySet, **given) -> QuerySet:
    """Narrow the queue by the query's filters (strings; empty means no filter); every bad value at once."""
    problems, today = Problems(), _today()
    narrowed = inspections
    for name in FILTERS:
        value = (given.get(name) or "").strip() if isinstance(given.get(name), str) else given.get(name)
        if value in (None, ""):
            continue
        try:
            narrowed = narrowed.filter(_FILTER[name](value, today))
        except InvalidInput as refused:
            for message in refused.errors.get(name, refused.errors.get(None, [str(refused)])):
                problems.add(name, message)
    problems.raise_if_any()
    return narrowed


def _item(value, today) -> Q:
    if not _CODE.fullmatch(value):
        raise InvalidInput(_("事项编码格式不正确，如 QZ-013。"), field="item")
    return Q(application__item__code=value.upper())


def _county(value, today) -> Q:
    if not _CODE.fullmatch(value):
        raise InvalidInput(_("县区（审批部门）机构代码格式不正确，如 D03。"), field="county")
    return Q(authority__code=value.upper())


def _status(value, today) -> Q:
    if value not in InspectionStatus.values:
        raise InvalidInput(_("核查状态无效，可选：%(choices)s。") % {"choices": listed(InspectionStatus.values)},
                           field="status")
    return Q(status=value)


def _inspector(value, today) -> Q:
    if not _USERNAME.fullmatch(value):
        raise InvalidInput(_("核查人员应为用户名。"), field="inspector")
    return Q(inspectors__username=value)


def _due_within(value, today) -> Q:
    if not str(value).isdigit() or not 0 <= int(value) <= MAX_DUE_WITHIN:
        raise InvalidInput(_("“N天内到期”应为0至%(limit)d之间的整数。") % {"limit": MAX_DUE_WITHIN}, field="due_within")
    return Q(status__in=OPEN_INSPECTION, due_date__gte=today, due_date__lte=today + dt.timedelta(days=int(value)))


def _overdue(value, today) -> Q:
    text = str(value).strip().lower()
    if text not in {"true", "1", "false", "0"}:
        raise InvalidInput(_("“已逾期”应为 true 或 false。"), field="overdue")
    return is_overdue_q(today) if text in {"true", "1"} else ~is_overdue_q(today)


_FILTER = {"item": _item, "county": _county, "status": _status, "inspector": _inspector,
           "due_within": _due_within, "overdue": _overdue}


@dataclass(frozen=True)
class QueueCounts:
    due_this_week: int
    overdue: int
    done_this_month: int


def queue_counts(inspections: QuerySet) -> QueueCounts:
    """The figures at the top of the desk: open and due this week (Monday to Sunday), open past due, and
    closed with a result this month. One count each, each a range of an index (inspection_queue_idx,
    inspection_closed_idx), so none reads the regulator's whole history (issue 13)."""
    today = _today()
    monday = today - dt.timedelta(days=today.weekday())
    month_start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time.min))
    inspections = inspections.order_by().prefetch_related(None)
    return QueueCounts(
        due_this_week=inspections.filter(status__in=OPEN_INSPECTION, due_date__gte=monday,
                                         due_date__lte=monday + dt.timedelta(days=6)).count(),
        overdue=inspections.filter(is_overdue_q(today)).count(),
        done_this_month=inspections.filter(status__in=[InspectionStatus.PASSED, InspectionStatus.FAILED],
                                           closed_at__gte=month_start).count())


def authorities_in_queue(user) -> QuerySet:
    """The approving authorities of the user's queue: the county filter's choices. EXISTS per
    organisation (a few dozen probes of inspection_authority_idx), not the distinct authorities of
    every inspection in the queue, which grows with the city (issue 13)."""
    checked = inspections_for(user).prefetch_related(None).order_by().filter(authority_id=OuterRef("pk"))
    return Organisation.objects.filter(Exists(checked)).order_by("code")


def inspectors_of(user) -> QuerySet:
    """The active regulators of the user's organisation: whom an inspection can be assigned to."""
    organisation_id = queue_organisation_id(user)
    users = get_user_model().objects.filter(is_active=True, organisation_id=organisation_id, role=Role.REGULATOR)
    return users.order_by("full_name", "username") if organisation_id else users.none()


def inspectors_by_username(user, usernames) -> list:
    """The inspectors named, all of the user's organisation; unknown names refused by name (400)."""
    names = [str(n).strip() for n in (usernames or []) if str(n).strip()]
    found = {u.username: u for u in inspectors_of(user).filter(username__in=names)}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise InvalidInput(_("以下用户不是本部门在岗的监管人员：%(names)s。") % {"names": listed(unknown[:10])},
                           field="inspectors")
    return [found[n] for n in dict.fromkeys(names)]
