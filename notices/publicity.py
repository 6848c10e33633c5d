"""归集 to the credit publicity systems (issue 16): every permit decision, change and revocation, and every
inspection result, in the national data items, within the deadline their source sets.

What is published, and the source of each item list:

- 行政许可 (a permit granted, changed, revoked): the 双公示 data standard of the 国家发展改革委
  (“双公示”数据标准, 行政许可信息), PERMIT_ITEMS below; 当前状态 is 1 有效 or 2 无效 (revoked).
- 抽查检查 (an inspection result, the 告知承诺 follow-up check and the 双随机 check): the items of the
  抽查检查结果 that the 国家企业信用信息公示系统 shows, INSPECTION_ITEMS below, plus 数据来源单位.

THE ITEM LISTS FOLLOW THE PUBLISHED STANDARDS AS THE PROJECT UNDERSTOOD THEM. They must be checked
against the receiving system's own interface specification (广西协同监管平台 / 全国信用信息共享平台)
before go-live: field names, codes, date formats and which items that system publishes.

Deadlines, in working days after the day of the event (portal.calendar), like the regulator pushes:

- permits 7: 国办发〔2015〕51号 第十八条 and 发改电〔2015〕557号 (双公示): 行政许可、行政处罚等信息
  自作出行政决定之日起7个工作日内上网公开;
- inspection results 20: 《企业信息公示暂行条例》第六条、第七条 (企业信息自产生之日起20个工作日内
  予以公示), and 国发〔2019〕5号 for the 双随机 results (通过国家企业信用信息公示系统…向社会公示).

A person's identifier is published only where the format requires it, and masked (portal.masking):
the standard asks for 证件类型/证件号码 when 行政相对人类别 is 自然人 (the builder in
licensing/selectors/publicity.py fills them for a person applicant only). The portal holds no
identity document of an enterprise's 法定代表人, so 法定代表人证件类型/号码 stay blank; the 抽查检查
format names enterprises by their 统一社会信用代码 and has no field for a person's ID number.

How a record travels: `publicity_record` writes one outbox row per published event, in the event's
transaction, keyed by the event (`source_key`), so an event is published once however often it is
recorded. With settings.PUBLICITY_URL set the row goes to that interface (destination PUBLICITY,
notices/destinations/publicity.py: signed, retried, dead-lettered like the regulator webhooks); without
it the row waits for the daily file (PUBLICITY_FILE), which `publicity_export` writes and which marks
it delivered. The file holds every publicity record of the day, pushed or not.
"""
import csv
import datetime as dt
import io
import json
import re
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notices.constants import PAYLOAD_VERSION, Destination, OutboxStatus, Recipient, RecordKind
from notices.models import OutboxRecord
from notices.outbox import enqueue_delivery
from portal import calendar
from portal.exceptions import InvalidInput
from portal.exports import defuse

_KEY_NAMESPACE = uuid.UUID("0c3f61a2-7d5e-4b8a-9f14-3e2d6c8b5a70")

# 国办发〔2015〕51号 第十八条; 发改电〔2015〕557号: 自作出行政决定之日起7个工作日内上网公开.
PERMIT_WORKING_DAYS = 7
# 《企业信息公示暂行条例》第六条、第七条: 自产生之日起20个工作日内予以公示.
INSPECTION_WORKING_DAYS = 20

# 国家发展改革委“双公示”数据标准, 行政许可信息 (in its order).
PERMIT_ITEMS = (
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人", "法定代表人证件类型",
    "法定代表人证件号码", "证件类型", "证件号码", "行政许可决定文书名称", "行政许可决定文书号", "许可类别",
    "许可证书名称", "许可编号", "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关",
    "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
)
# 国家企业信用信息公示系统, 抽查检查结果信息 (its columns), and 数据来源单位.
INSPECTION_ITEMS = ("企业名称", "统一社会信用代码", "检查实施机关", "检查类型", "检查日期", "检查结果", "数据来源单位")

KINDS = {RecordKind.PERMIT_PUBLICITY: (PERMIT_ITEMS, PERMIT_WORKING_DAYS),
         RecordKind.INSPECTION_PUBLICITY: (INSPECTION_ITEMS, INSPECTION_WORKING_DAYS)}
# 当前状态 of a permit (双公示数据标准): 1 有效, 2 无效 (revoked).
PERMIT_VALID, PERMIT_INVALID = "1", "2"

# The daily file: the record's own columns, then every item of both lists once.
FILE_COLUMNS = ("信息类别", "报文类型", "记录标识", "事件时间", "归集期限")
ITEM_COLUMNS = PERMIT_ITEMS + tuple(name for name in INSPECTION_ITEMS if name not in PERMIT_ITEMS)
LIST_LIMIT = 200
DAYS_LISTED = 60


# --- recording ------------------------------------------------------------------------------------

def publicity_key(kind: str, source_key: str) -> str:
    """One key per published event (e.g. "licence:QZXK2024000123:v2"), whatever the attempts: the webhook-id."""
    return f"msg_{uuid.uuid5(_KEY_NAMESPACE, f'{kind}|{source_key}').hex}"


def publicity_due_at(kind: str, event_at: dt.datetime) -> dt.datetime:
    """The end of the Nth working day after the event's day (the day itself not counted), local time."""
    day = calendar.add_working_days(timezone.localtime(event_at).date(), KINDS[kind][1]).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def publicity_destination() -> str:
    """Pushed where a receiver is configured; else the daily file is the channel."""
    return Destination.PUBLICITY if settings.PUBLICITY_URL else Destination.PUBLICITY_FILE


def _checked(kind: str, data: dict) -> dict:
    items = KINDS[kind][0]
    if set(data) != set(items):  # a builder out of step with the standard's list is a bug, not data
        raise ValueError(f"{kind}: items {sorted(set(data) ^ set(items))} differ from the standard's list")
    return {name: data[name] for name in items}


def publicity_record(*, application, kind: str, source_key: str, data: dict, event_at=None) -> OutboxRecord | None:
    """Record one published event in the caller's transaction; its push is queued after commit. The row,
    or None when this event was recorded before (nothing is added)."""
    data, event_at = _checked(kind, data), event_at or timezone.now()
    key, destination = publicity_key(kind, source_key), publicity_destination()
    payload = {"type": f"{kind}.{PAYLOAD_VERSION}", "id": key, "timestamp": event_at, "data": data}
    row, created = OutboxRecord.objects.get_or_create(idempotency_key=key, defaults={
        "kind": kind, "type": payload["type"], "application": application, "recipient": Recipient.PUBLICITY,
        "recipient_org": None, "destination": destination, "payload": payload, "event_at": event_at,
        "due_at": publicity_due_at(kind, event_at), "status": OutboxStatus.PENDING,
        "next_attempt_at": timezone.now() if destination == Destination.PUBLICITY else None})
    if not created:
        return None
    if destination == Destination.PUBLICITY:  # robust: a broker that is down must not undo the event
        transaction.on_commit(lambda: enqueue_delivery(row.pk), robust=True)
    return row


# --- the daily file ---------------------------------------------------------------------------------

def publicity_records():
    return OutboxRecord.objects.filter(recipient=Recipient.PUBLICITY)


def records_of_day(day: dt.date):
    """Every publicity record whose event falls on `day` (local time), both destinations, in event order."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return publicity_records().filter(event_at__gte=start, event_at__lt=end).order_by("event_at", "id")


def export_path(day: dt.date, extension: str) -> str:
    return f"{settings.PUBLICITY_EXPORT_DIR.rstrip('/')}/{day:%Y}/{day.isoformat()}.{extension}"


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat()


def _entry(record) -> dict:
    """One record of the file: the payload's envelope, when it is due, and its items in the standard's order
    (a PostgreSQL jsonb column keeps no key order)."""
    items = KINDS[record.kind][0]
    data = record.payload.get("data", {})
    with override(settings.LANGUAGE_CODE):
        label = str(RecordKind(record.kind).label)
    return {"type": record.type, "kind_label": label, "id": record.idempotency_key,
            "event_at": _local(record.event_at), "due_at": _local(record.due_at),
            "data": {name: data.get(name, "") for name in items}}


def _csv(entries) -> str:
    """UTF-8 with a BOM (Excel opens the Chinese as UTF-8), a Chinese header row, no cell a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FILE_COLUMNS + ITEM_COLUMNS)
    for e in entries:
        own = (e["kind_label"], e["type"], e["id"], e["event_at"], e["due_at"])
        writer.writerow([defuse(v) for v in own + tuple(e["data"].get(n, "") for n in ITEM_COLUMNS)])
    return "\ufeff" + buffer.getvalue()


def publicity_export_content(day: dt.date, records=None) -> dict[str, str]:
    """The day's file, {"csv": text, "json": text}: what publicity_export writes and the pages serve.
    Nothing in it changes when it is written again (no status, no time of writing)."""
    entries = [_entry(r) for r in (records if records is not None else records_of_day(day))]
    document = {"date": day.isoformat(), "count": len(entries), "records": entries}
    return {"csv": _csv(entries),
            "json": json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1) + "\n"}


def publicity_export(day: dt.date) -> list[str]:
    """Write the day's CSV and JSON through default_storage (a second run overwrites them with the same
    content), then mark the day's file-only records delivered (once). The names written."""
    records = list(records_of_day(day))
    names = []
    for extension, text in publicity_export_content(day, records).items():
        name = export_path(day, extension)
        if default_storage.exists(name):
            default_storage.delete(name)
        names.append(default_storage.save(name, ContentFile(text.encode("utf-8"))))
    OutboxRecord.objects.filter(pk__in=[r.pk for r in records], destination=Destination.PUBLICITY_FILE,
                                delivered_at__isnull=True).update(
        status=OutboxStatus.DELIVERED, delivered_at=timezone.now(), last_error="")
    return names


def publicity_export_due() -> list[str]:
    """Beat (01:30): yesterday's file, and again the file of any earlier day whose file-only records still
    wait (a night the beat did not run, a worker that died mid-export), so no record waits for ever."""
    start_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    waiting = (publicity_records().filter(destination=Destination.PUBLICITY_FILE, delivered_at__isnull=True,
                                          event_at__lt=start_of_today).values_list("event_at", flat=True))
    days = {yesterday()} | {timezone.localtime(moment).date() for moment in waiting}
    return [name for day in sorted(days) for name in publicity_export(day)]


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value) -> dt.date:
    """A day as the files are named, YYYY-MM-DD (the pages and the command); InvalidInput otherwise."""
    value = str(value or "")
    if _DAY.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and 1900 <= day.year < 2200:  # the calendar's years; 9999-12-31 has no next day
            return day
    raise InvalidInput(_("日期“%(value)s”无效，应为 YYYY-MM-DD 格式，例如 2026-05-11。") % {"value": value[:40]},
                       field="date")


# --- the SLA of 归集 (its page: notices/views_publicity.py) -------------------------------------------

def _overdue(now) -> Q:
    """Not delivered and past due (a dead record too: it was never delivered)."""
    return ~Q(status=OutboxStatus.DELIVERED) & Q(due_at__lt=now)


def publicity_counts(now=None) -> list[dict]:
    """Per kind: records, pending (not yet delivered, not dead), delivered on time, delivered late, dead,
    and overdue (undelivered past due). One grouped count."""
    now = now or timezone.now()
    delivered = Q(status=OutboxStatus.DELIVERED)
    found = {row["kind"]: row for row in publicity_records().order_by().values("kind").annotate(
        total=Count("id"), pending=Count("id", filter=~delivered & ~Q(status=OutboxStatus.DEAD)),
        on_time=Count("id", filter=delivered & Q(delivered_at__lte=F("due_at"))),
        late=Count("id", filter=delivered & Q(delivered_at__gt=F("due_at"))),
        dead=Count("id", filter=Q(status=OutboxStatus.DEAD)),
        overdue=Count("id", filter=_overdue(now)))}
    empty = dict.fromkeys(("total", "pending", "on_time", "late", "dead", "overdue"), 0)
    return [{**empty, **found.get(kind, {}), "kind": kind, "label": RecordKind(kind).label} for kind in KINDS]


def publicity_overdue(now=None):
    """Not delivered and past due, soonest due first: what someone must act on now."""
    return (publicity_records().select_related("application").filter(_overdue(now or timezone.now()))
            .order_by("due_at", "id"))


def publicity_days(limit: int = DAYS_LISTED) -> list[dict]:
    """The local days that have publicity records, newest first, with how many each."""
    rows = (publicity_records().order_by().annotate(day=TruncDate("event_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(n=Count("id")).order_by("-day")[:limit])
    return [{"day": row["day"], "count": row["n"]} for row in rows]
