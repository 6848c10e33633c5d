"""The 3-working-day SLA of approval records, watched (钦政办〔2019〕72号: 作出行政许可决定后应当在
3个工作日内将信息推送给监管部门).

One function per rule; the SLA page, the admin index alert and the warning mail read these, so
they cannot disagree. Each takes the records to look at (`outbox_records_visible_to(user)`, or
every record for the beat job) and the present moment, so a test can freeze time around it.

The unit is the outbox row: one per destination of each recipient (notices.models.OutboxRecord),
so a regulator reached both in its portal inbox and at its endpoint counts twice; each of those
deliveries is owed within the due time.
"""
import datetime as dt

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from notices.constants import OutboxStatus, Recipient
from notices.models import OutboxRecord
from portal import calendar
from portal.permissions import is_admin, is_officer

LIST_LIMIT = 200  # rows a page table shows; the counts above it are always complete


# --- who sees which records --------------------------------------------------------------------

def outbox_records_visible_to(user) -> QuerySet:
    """Admins see every record; an approval officer sees the records its own organisation approved
    (the approving authority answers for its own pushes, 谁审批谁负责); nobody else sees any."""
    records = department_pushes().select_related("application__item", "registration", "authority", "recipient_org")
    return scoped_to_own_authority(records, user)


def department_pushes() -> QuerySet:
    """The records this SLA watches: those pushed to a department. The 归集 records of the credit publicity
    systems (recipient PUBLICITY, issue 16) have deadlines of their own and their own page (notices.publicity)."""
    return OutboxRecord.objects.exclude(recipient=Recipient.PUBLICITY)


def scoped_to_own_authority(rows: QuerySet, user, field: str = "authority_id") -> QuerySet:
    """The rule of the SLA page, shared with the efficiency page (电子监察, issue 11): admins see every
    row; an approval officer the rows whose `field` is its own organisation; nobody else any."""
    if is_admin(user):
        return rows
    if is_officer(user) and user.organisation_id is not None:
        return rows.filter(**{field: user.organisation_id})
    return rows.none()


def may_watch_sla(user) -> bool:
    """Who may open the SLA page: those to whom some records may be visible (admins, officers)."""
    return bool(is_admin(user) or is_officer(user))


# --- the rules --------------------------------------------------------------------------------

def _now(now):
    return now or timezone.now()


def counts_by_status(records) -> dict:
    """{status: count} for every OutboxStatus, zeros included, in the order of OutboxStatus."""
    found = dict(records.order_by().values_list("status").annotate(n=Count("id")))
    return {status: found.get(status, 0) for status in OutboxStatus.values}


def with_duration(records) -> QuerySet:
    """Each record with `took` (delivered_at - event_at, a timedelta; None while undelivered)."""
    return records.annotate(took=ExpressionWrapper(F("delivered_at") - F("event_at"), output_field=DurationField()))


def undelivered(records) -> QuerySet:
    """Every record not yet delivered (unrouted, pending, sending or dead), soonest due first."""
    return records.exclude(status=OutboxStatus.DELIVERED).order_by("due_at", "id")


def recently_delivered(records, limit: int = 50) -> QuerySet:
    return with_duration(records.filter(status=OutboxStatus.DELIVERED)).order_by("-delivered_at", "-id")[:limit]


def due_soon_until(now=None) -> dt.datetime:
    """The end of the next working day after today (local time): a due time up to it is within
    one working day."""
    today = timezone.localtime(_now(now)).date()
    day = calendar.next_working_day(today).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def due_soon(records, now=None) -> QuerySet:
    """Not delivered, not yet late, and due today or on the next working day."""
    now = _now(now)
    return (records.exclude(status=OutboxStatus.DELIVERED)
            .filter(due_at__gte=now, due_at__lte=due_soon_until(now)).order_by("due_at", "id"))


def _missed_q(now) -> Q:
    late_delivery = Q(status=OutboxStatus.DELIVERED, delivered_at__gt=F("due_at"))
    still_undelivered = ~Q(status=OutboxStatus.DELIVERED) & Q(due_at__lt=now)
    return late_delivery | still_undelivered


def missed(records, now=None) -> QuerySet:
    """Delivered after their due time, or not delivered and already past it."""
    return with_duration(records.filter(_missed_q(_now(now)))).order_by("-due_at", "-id")


def overdue_undelivered(records, now=None) -> QuerySet:
    """The missed records still owed (what someone must act on now)."""
    return records.exclude(status=OutboxStatus.DELIVERED).filter(due_at__lt=_now(now))


def on_time_share(records, now=None) -> list[dict]:
    """Per approving authority and month of the event (local time): records settled (delivered, or
    past due undelivered), delivered on time among them, the share (None when nothing is settled
    yet), and those still within their due time. Newest month first."""
    now = _now(now)
    on_time = Q(status=OutboxStatus.DELIVERED, delivered_at__lte=F("due_at"))
    settled = Q(status=OutboxStatus.DELIVERED) | Q(due_at__lt=now)
    rows = (records.order_by().annotate(month=TruncMonth("event_at", tzinfo=timezone.get_current_timezone()))
            .values("authority_id", "authority__name", "month")
            .annotate(total=Count("id"), settled=Count("id", filter=settled), on_time=Count("id", filter=on_time))
            .order_by("-month", "authority__name"))
    return [_share_row(row) for row in rows]


def _share_row(row) -> dict:
    share = row["on_time"] / row["settled"] if row["settled"] else None
    return {"authority_id": row["authority_id"], "authority": row["authority__name"] or gettext_lazy("未确定审批部门"),
            "month": row["month"], "total": row["total"], "settled": row["settled"], "on_time": row["on_time"],
            "open": row["total"] - row["settled"], "share": share}


def unrouted(records, now=None) -> QuerySet:
    """The unrouted queue: records no route names a regulator for yet, oldest first, with `age`
    (now - event_at). Their due time runs from the event all the same."""
    age = ExpressionWrapper(Value(_now(now)) - F("event_at"), output_field=DurationField())
    return records.filter(status=OutboxStatus.UNROUTED).annotate(age=age).order_by("event_at", "id")


def sla_alert(user, now=None) -> dict | None:
    """The admin index's alert: counts of unrouted, overdue and soon-due records the user sees,
    or None when there is nothing to say. Three COUNT queries and one calendar look-up."""
    records = outbox_records_visible_to(user).order_by()
    now = _now(now)
    alert = {"unrouted": records.filter(status=OutboxStatus.UNROUTED).count(),
             "overdue": overdue_undelivered(records, now).count(), "due_soon": due_soon(records, now).count()}
    return alert if any(alert.values()) else None


def due_between(records, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The records whose due time falls in [start, end): a quarterly report's pushes (issue 14)."""
    return records.filter(due_at__gte=start, due_at__lt=end)


def push_counts(records, now=None) -> dict:
    """How `records` fared against their due time, as this page's lists divide them: delivered on time,
    delivered late (in `missed`), still undelivered (in `undelivered`; `missed` too once past due).
    One grouped count."""
    on_time = Q(status=OutboxStatus.DELIVERED, delivered_at__lte=F("due_at"))
    late = Q(status=OutboxStatus.DELIVERED, delivered_at__gt=F("due_at"))
    return records.order_by().aggregate(
        due=Count("id"), on_time=Count("id", filter=on_time), late=Count("id", filter=late),
        undelivered=Count("id", filter=~Q(status=OutboxStatus.DELIVERED)),
        missed=Count("id", filter=_missed_q(_now(now))))


def outbox_records_of_registration(registration_id) -> QuerySet:
    """双告知 (issue 16): the 告知 records of a registration, one per department and destination."""
    return (OutboxRecord.objects.filter(registration_id=registration_id).select_related("recipient_org")
            .order_by("id"))


def outbox_records_received_by(organisation_id) -> QuerySet:
    """The records pushed to one organisation, as their recipient (a regulator's dashboard, issue 15: what
    reached its inbox, and how soon); none without an organisation."""
    if organisation_id is None:
        return OutboxRecord.objects.none()
    return OutboxRecord.objects.filter(recipient_org_id=organisation_id)
