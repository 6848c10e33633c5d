"""Volume data on demand (issue 13): `manage.py seed_volume --applications N` adds N applications as
the portal would have left them after about three years, to measure the desks, the lists and the
HTTP load at 100,000 and 1,000,000 applications. Never part of the demo (scripts/run and load_demo
do not call it), never for production.

What it writes, and why it stays consistent:
- A few thousand new enterprises per 100,000 applications (valid 统一社会信用代码, GB 32100-2015),
  each with its own verified account; a small share of rows on the demo applicant.
- Applications across the catalogue: one row in five on the demo item, so the demo officer's
  organisation has them on its desk and the demo regulator in its queue (through the routing table,
  licensing.selectors.routing, as for every row). Each row's status is one a real application reaches
  by the services' moves (licensing.constants.TRANSITIONS), with the dates those moves set: notice,
  commitment and decision deadlines in working days of portal.calendar (read once for the span), the
  inspection two calendar months after the decision (附件3 第七条), later materials' dates.
- Their events (every step, with its deadline and how late it came), first-review stages, commitments,
  licences, materials owed, inspections and their results, revocation requests.
- Nothing is left for a beat job to act on at once: no notice past its commitment date, no material
  or condition owed past its date (those would be lapsed or revoked by the hour's jobs).
- Numbers: one block per year reserved from NumberCounter (portal.counters), as the services number,
  so real applications filed later continue after the block.

Left out: documents (PDFs), outbox and inbox records, audit rows and credit records: the services
write those, and seeded rows are not something anyone did.

Fast: rows are built as plain values and written with COPY on PostgreSQL (executemany elsewhere),
one transaction per chunk. Repeatable: the same --seed on the same database gives the same rows; the
counters' state is mixed in, so a second run adds different applicants rather than colliding.
"""
import csv
import datetime as dt
import io
import json
import math
import random
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.apps import apps
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from licensing.constants import (
    COMMITMENT_CONFIRMATIONS, COMMITMENT_WORKING_DAYS, CONDITIONS_REMINDER_WORKING_DAYS, NOTICE_WORKING_DAYS,
    VERIFIED_AT_WINDOW, Action, ApplicantKind, Channel, ClaimStatus, CommitmentKind, MaterialDue, MaterialStatus,
    ReformMode, ReviewOpinion, Route, Side, Status,
)
from licensing.demo import ACCOUNTS as DEMO_ACCOUNTS, DEMO_ITEM_SEQ
from licensing.models import (
    Applicant, ApplicantMembership, Application, ApplicationEvent, ApplicationReview, Commitment, Item, Licence,
    Material, MaterialSubmission, NumberCounter,
)
from licensing.selectors.authorities import decider_options, review_chain
from licensing.selectors.routing import regulator_for
from licensing.services.licences import licence_valid_until
from licensing.validators import USCC_ALPHABET, uscc_check_char
from portal import calendar
from portal.counters import next_number
from portal.constants import OrgKind, Role
from portal.models import Organisation, User
from supervision.constants import (
    FULL_COVERAGE_SEQ_NOS, OPEN_INSPECTION, RESULT_MOVES, FailureGround, InspectionOutcome, InspectionStatus,
    RevocationRequestStatus,
)

DEFAULT_SEED = 2019
YEARS = 3
SPAN_DAYS = YEARS * 365
CHUNK = 10_000
APPLICATIONS_PER_APPLICANT = 30
DEMO_ITEM_SHARE = 0.20  # the demo officer's desk and the demo regulator's queue
DEMO_APPLICANT_SHARE = 0.001
DEMO_APPLICANT = next(username for username, _, role, _ in DEMO_ACCOUNTS if role == Role.APPLICANT)
MODE_SHARES = {ReformMode.COMMITMENT: 0.20, ReformMode.OPTIMISE: 0.50, ReformMode.CANCEL: 0.05,
               ReformMode.FILING: 0.05}  # with the demo item's share, 1.0
DECLINES_COMMITMENT = 0.10  # 附件3 第十条: goes the ordinary way
CHANNELS = {Channel.ONLINE: 0.70, Channel.WINDOW: 0.25, Channel.MAIL: 0.05}
STATUS_SHARES = {
    Route.COMMITMENT: {Status.APPROVED: 0.78, Status.SUBMITTED: 0.03, Status.NOTICE_ISSUED: 0.03,
                       Status.COMMITTED: 0.02, Status.LAPSED: 0.05, Status.WITHDRAWN: 0.05, Status.REVOKED: 0.04},
    Route.ORDINARY: {Status.APPROVED: 0.71, Status.REJECTED: 0.06, Status.WITHDRAWN: 0.05, Status.SUBMITTED: 0.04,
                     Status.ACCEPTED: 0.08, Status.CORRECTION: 0.04, Status.REVOKED: 0.02},
    ReformMode.CANCEL: {Status.RECORDED: 1.0},
    ReformMode.FILING: {Status.FILED: 0.95, Status.FILING_CORRECTION: 0.05},
}
# How long ago (calendar days) an application in this status was filed: current states are recent,
# so their deadlines still run; LAPSED and REVOKED need their dates to have passed.
AGE = {Status.SUBMITTED: (0, 6), Status.NOTICE_ISSUED: (0, 5), Status.COMMITTED: (0, 5), Status.ACCEPTED: (0, 30),
       Status.CORRECTION: (3, 40), Status.FILING_CORRECTION: (1, 60), Status.LAPSED: (20, SPAN_DAYS),
       Status.REVOKED: (150, SPAN_DAYS)}
OPENS, CLOSES = 8 * 60 + 30, 17 * 60 + 30  # office hours, minutes of the day
DIRECT = {ReformMode.CANCEL: Status.RECORDED, ReformMode.FILING: Status.FILED}
REGION_CODES = ("450700", "450702", "450703", "450721", "450722")
BRANDS = "海湾港鑫源盛泰华兴宏达顺昌隆丰瑞通远恒信德安茂锦宸宇钦湾荔浦灵坭山"
TRADES = ("旅馆", "酒店管理", "餐饮服务", "食品销售", "药品零售", "医疗器械", "道路运输", "货运代理", "印刷", "出版物发行",
          "电影放映", "娱乐", "建材", "燃气", "物流", "商贸", "农业开发", "水产养殖", "船务", "文化传媒")
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韦覃蒙莫陆"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲海燕"
ROADS = ("永福西大街", "南珠大街", "扬帆大道", "金海湾大街", "钦州湾大道", "新兴街", "人民路", "一马路", "子材大街")
DISTRICTS = ("钦南区", "钦北区", "灵山县", "浦北县")
PASS_NOTE = "现场核查，经营场所、设施设备及管理制度与承诺内容一致。"
RECTIFY_NOTE = "现场核查，部分安全防范设施与承诺内容不符，责令限期整改。"
FAIL_NOTE = "现场核查，经营场所实际情况与承诺内容不符，申请人作出不实承诺。"
REJECT_REASON = "经审查，申请人不符合法定许可条件。"
REVOKE_REASONS = {
    "materials": "许可决定后未在规定期限内提交约定材料（告知承诺指引第六条），撤销许可。",
    "conditions": "承诺期限届满仍未申报具备经营许可条件（钦政发〔2019〕20号），撤销许可。",
    "inspection": "经行业主管部门核查，申请人作出不实承诺（告知承诺指引第七条），撤销许可。",
    "officer": "被许可人以欺骗等不正当手段取得行政许可（行政许可法第六十九条），撤销许可。",
}


class NoCatalogue(Exception):
    """The catalogue (licensing migration 0002) is not loaded: there is nothing to apply for."""


# --- the working-day calendar, read once --------------------------------------------------

class WorkDays:
    """portal.calendar's answers for a span of dates, as a sorted list of its working days, so that a
    million deadlines are bisections rather than day-by-day walks; outside the span it asks
    portal.calendar itself (which reads the stored calendar once per process)."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first, self.last = first, last
        self.days = [day for day in (first + dt.timedelta(n) for n in range((last - first).days + 1))
                     if calendar.is_working_day(day)]

    def add(self, start: dt.date, n: int) -> dt.date:
        """calendar.add_working_days(start, n).date."""
        i = (bisect_right(self.days, start) + n - 1) if n else bisect_left(self.days, start)
        if start < self.first or i >= len(self.days):
            return calendar.add_working_days(start, n).date
        return self.days[i]

    def between(self, a: dt.date, b: dt.date) -> int:
        """calendar.working_days_between(a, b) for a <= b inside the span."""
        if a < self.first or b > self.last:
            return calendar.working_days_between(a, b)
        return bisect_right(self.days, b) - bisect_right(self.days, a)

    def months_end(self, day: dt.date, months: int) -> dt.date:
        """calendar.calendar_months_period_end(day, months).date (民法典 第二百零三条)."""
        return self.add(calendar.add_calendar_months(day, months), 0)

    def provisional(self, a: dt.date, b: dt.date) -> bool:
        return calendar.is_provisional(a, b)

    def late(self, due: dt.date | None, day: dt.date) -> int | None:
        """services._core.late_working_days."""
        if due is None or day <= due:
            return None
        return max(self.between(due, day), 1)


# --- what the catalogue and the accounts give ---------------------------------------------

@dataclass
class Option:
    """One way an item's application is decided: the item, its deciding authority (or the entrusted
    one acting in its name), its first-review stages, and the regulator the routing table names."""

    item: Item
    authority_id: int
    entrusted_id: int | None
    regulator_id: int | None
    chain: list  # ItemAuthority rows of the first-review stages, in order

    @property
    def decider_id(self) -> int:
        return self.entrusted_id or self.authority_id


@dataclass
class World:
    today: dt.date
    now: dt.datetime
    days: WorkDays
    options: list  # Option
    cumulative: list  # their cumulative weights
    materials: dict  # item id -> [(material id, due, working days)]
    officers: dict = field(default_factory=dict)  # organisation id -> user id
    regulators: dict = field(default_factory=dict)
    clerk: tuple = (None, None)  # (user id, organisation id)
    demo_applicant: tuple | None = None  # (applicant id, user id, legal representative)
    applicants: list = field(default_factory=list)


def _check_catalogue():
    if not Item.objects.filter(authorities__isnull=False).exists():
        raise NoCatalogue("事项目录为空，无法生成压测数据：请先运行 manage.py migrate 载入事项目录（licensing 0002），"
                          "需要演示账号时再运行 manage.py load_demo。")


def _options(rng: random.Random) -> tuple[list, list]:
    """Every decider option of every item, weighted: the demo item DEMO_ITEM_SHARE, each reform mode its
    share spread over its items with a long tail (a few items take most applications)."""
    items = list(Item.objects.prefetch_related("authorities__organisation").order_by("seq_no", "code"))
    by_mode = {}
    for item in items:
        if item.seq_no != DEMO_ITEM_SEQ and decider_options(item):
            by_mode.setdefault(item.reform_mode, []).append(item)
    weights = {item.pk: DEMO_ITEM_SHARE for item in items if item.seq_no == DEMO_ITEM_SEQ and decider_options(item)}
    for mode, group in by_mode.items():
        rng.shuffle(group)
        tail = [1 / (rank + 1) for rank in range(len(group))]
        weights.update({item.pk: MODE_SHARES.get(mode, 0.01) * t / sum(tail) for item, t in zip(group, tail)})
    options, cumulative, total = [], [], 0.0
    for item in items:
        for share, option in _item_options(item):
            total += weights.get(item.pk, 0) * share
            options.append(option)
            cumulative.append(total)
    return options, cumulative


def _item_options(item):
    """The item's deciders, the first in catalogue order taking most applications."""
    found = decider_options(item)
    for n, o in enumerate(found):
        share = 1.0 if len(found) == 1 else (0.6 if n == 0 else 0.4 / (len(found) - 1))
        probe = Application(item=item, authority=o.authority)
        regulator = regulator_for(probe, o.authority)
        chain = review_chain(item, o.authority) if item.reform_mode not in DIRECT else []
        yield share, Option(item, o.authority.pk, o.entrusted.pk if o.entrusted else None,
                            regulator.pk if regulator else None, chain)


def _materials() -> dict:
    """item id -> [(material id, when it is due, working days after the decision)], in the item's order."""
    found = {}
    for item_id, *material in Material.objects.order_by("item_id", "order", "id").values_list(
            "item_id", "id", "due", "due_working_days"):
        found.setdefault(item_id, []).append(tuple(material))
    return found


def _staff(username: str, full_name: str, role: str, organisation_id) -> int:
    """A staff account of an organisation, for the steps its people took; it cannot sign in."""
    user, _ = User.objects.get_or_create(username=username, defaults={
        "full_name": full_name, "role": role, "organisation_id": organisation_id,
        "password": UNUSABLE_PASSWORD_PREFIX + "volume"})
    return user.pk


def _accounts(world: World):
    orgs = {o.pk: o for o in Organisation.objects.all()}
    acting = {o.decider_id for o in world.options} | {r.organisation_id for o in world.options for r in o.chain}
    for org_id in sorted(acting):
        world.officers[org_id] = _staff(f"vol-officer-{orgs[org_id].code}", "压测审批人员", Role.OFFICER, org_id)
    for org_id in sorted({o.regulator_id for o in world.options if o.regulator_id}):
        world.regulators[org_id] = _staff(f"vol-regulator-{orgs[org_id].code}", "压测监管人员", Role.REGULATOR, org_id)
    hall = next((o.pk for o in orgs.values() if o.kind == OrgKind.SERVICE_HALL), None)
    world.clerk = (_staff("vol-clerk", "压测窗口人员", Role.CLERK, hall), hall)
    demo = User.objects.filter(username=DEMO_APPLICANT).first()
    applicant = demo.applicants.first() if demo else None
    if applicant is not None:
        world.demo_applicant = (applicant.pk, demo.pk, applicant.legal_representative or demo.full_name)


def load_world(rng: random.Random) -> World:
    today = timezone.localdate()
    days = WorkDays(today - dt.timedelta(SPAN_DAYS + 30), today + dt.timedelta(240))
    options, cumulative = _options(rng)
    world = World(today, timezone.localtime(), days, options, cumulative, _materials())
    with transaction.atomic():
        _accounts(world)
    return world


# --- who applied: enterprises and their accounts ------------------------------------------

def _uscc(rng: random.Random) -> str:
    # 9 工商 (GB 32100-2015 附录A), 1 企业 or now and then 2 个体工商户; a Qinzhou 行政区划码
    first17 = "9" + rng.choice("1111111112") + rng.choice(REGION_CODES)
    first17 += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _enterprise(rng, identifier: str) -> dict:
    brand = rng.choice(BRANDS) + rng.choice(BRANDS)
    return {"kind": ApplicantKind.ENTERPRISE, "identifier": identifier, "legal_representative": _person(rng),
            "name": f"钦州市{brand}{rng.choice(TRADES)}有限公司",
            "address": f"钦州市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
            "phone": f"0777-{rng.randint(2000000, 8999999)}"}


def _fresh_identifiers(rng, count: int) -> list[str]:
    taken = set(Applicant.objects.values_list("identifier", flat=True))
    found = []
    while len(found) < count:
        code = _uscc(rng)
        if code not in taken:
            taken.add(code)
            found.append(code)
    return found


@transaction.atomic
def write_applicants(rng, world: World, count: int, tables: "Tables"):
    """`count` enterprises, each with its own account whose link the window verified."""
    identifiers = _fresh_identifiers(rng, count)
    user_ids, applicant_ids = reserve_ids(User, count), reserve_ids(Applicant, count)
    for user_id, applicant_id, identifier in zip(user_ids, applicant_ids, identifiers):
        joined = world.now - dt.timedelta(days=SPAN_DAYS + rng.randint(1, 400), minutes=rng.randint(0, 1440))
        row = _enterprise(rng, identifier)
        tables.add(User, {"id": user_id, "username": f"vol-{identifier}", "role": Role.APPLICANT, "is_active": True,
                          "date_joined": joined, "full_name": row["legal_representative"],
                          "password": UNUSABLE_PASSWORD_PREFIX + "".join(rng.choices(USCC_ALPHABET, k=40))})
        tables.add(Applicant, {"id": applicant_id, "created_at": joined, **row})
        tables.add(ApplicantMembership, {"applicant_id": applicant_id, "user_id": user_id, "created_at": joined,
                                         "status": ClaimStatus.VERIFIED, "verified_at": joined,
                                         "verified_by_id": world.clerk[0], "verified_via": VERIFIED_AT_WINDOW})
        world.applicants.append((applicant_id, user_id, row["legal_representative"]))
    tables.write()


# --- heads: what each application is, before its story -----------------------------------

class Head(NamedTuple):
    submitted_at: dt.datetime
    option: Option
    route: str
    status: str
    channel: str
    applicant: tuple  # (applicant id, user id, legal representative)


def _pick(rng, shares: dict):
    r, total = rng.random(), 0.0
    for value, share in shares.items():
        total += share
        if r < total:
            return value
    return value


def _moment(world: World, rng, day: dt.date) -> dt.datetime:
    """A moment in office hours on `day`, never after now."""
    minute = rng.randint(OPENS, CLOSES)
    moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randint(0, 59)), tzinfo=world.now.tzinfo)
    return min(moment, world.now)


def _head(rng, world: World) -> Head:
    option = world.options[min(bisect_right(world.cumulative, rng.random() * world.cumulative[-1]),
                               len(world.options) - 1)]
    mode = option.item.reform_mode
    route = Route.ORDINARY
    if mode == ReformMode.COMMITMENT and rng.random() >= DECLINES_COMMITMENT:
        route = Route.COMMITMENT
    status = _pick(rng, STATUS_SHARES[mode if mode in DIRECT else route])
    channel = _pick(rng, CHANNELS)
    if route == Route.COMMITMENT and status == Status.SUBMITTED and channel == Channel.WINDOW:
        channel = Channel.ONLINE  # at the window the notice is handed over on the spot
    low, high = AGE.get(status, (0, SPAN_DAYS))
    if status == Status.NOTICE_ISSUED and channel == Channel.WINDOW:
        low, high = 0, 2  # its notice was handed over at filing: the 3 working days still run
    day = world.today - dt.timedelta(rng.randint(low, high))
    return Head(_moment(world, rng, day), option, route, status, channel, _applicant(rng, world))


def _applicant(rng, world: World) -> tuple:
    if world.demo_applicant and rng.random() < DEMO_APPLICANT_SHARE:
        return world.demo_applicant
    # a long tail: some enterprises file many applications, most a few
    return world.applicants[int(len(world.applicants) * rng.random() ** 2)]


# --- stories: each application's life up to its status ------------------------------------

QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # as licensing.models.applications.new_query_code


class Story:
    """One application as the services would have left it: its row, its events and what hangs on it,
    built step by step along TRANSITIONS, no step after today."""

    def __init__(self, world: World, rng, head: Head, app_id: int, number: str):
        self.w, self.rng, self.h, self.id, self.item = world, rng, head, app_id, head.option.item
        o = head.option
        self.row = {"id": app_id, "number": number, "query_code": "".join(rng.choices(QUERY_ALPHABET, k=8)),
                    "item_id": self.item.pk, "applicant_id": head.applicant[0], "channel": head.channel,
                    "route": head.route, "status": "", "authority_id": o.authority_id, "entrusted_id": o.entrusted_id,
                    "reviewing_id": o.chain[0].organisation_id if o.chain else None, "regulator_id": o.regulator_id,
                    "submitted_at": head.submitted_at, "deadlines_provisional": False}
        self.row["submitted_by_id"] = self.actor(Side.APPLICANT)[0]
        self.events, self.results, self.last = [], [], head.submitted_at
        self.reviews = [{"application_id": app_id, "organisation_id": r.organisation_id, "role": r.role, "order": n,
                         "submitted_at": head.submitted_at} for n, r in enumerate(o.chain)]
        self.kinds = {m: (due, days) for m, due, days in world.materials.get(self.item.pk, [])}
        self.materials = {m: {"application_id": app_id, "material_id": m, "status": MaterialStatus.OWED}
                          for m in self.kinds}
        self.commitment = self.licence = self.inspection = self.request = None

    # time and people

    def coin(self, p: float) -> bool:
        return self.rng.random() < p

    def day(self) -> dt.date:
        return self.last.date()

    def later(self, day: dt.date, low: int, high: int) -> dt.date:
        """`low` to `high` working days after `day`, today at the latest."""
        return min(self.w.days.add(day, self.rng.randint(low, high)), self.w.today)

    def between(self, first: dt.date, last: dt.date, ok=None) -> dt.date:
        """A day from `first` to `last` (today at the latest) that passes `ok`; the last one when none does."""
        last = min(last, self.w.today)
        days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
        days = [d for d in days if ok is None or ok(d)]
        return self.rng.choice(days) if days else min(max(first, last), self.w.today)

    def deadline(self, start: dt.date, n: int) -> dt.date:
        due = self.w.days.add(start, n)
        self.row["deadlines_provisional"] |= self.w.days.provisional(start, due)
        return due

    def actor(self, side) -> tuple:
        """(user id, organisation id) of who takes a step: the applicant's account (the clerk for an
        application filed at the window), the officer of the organisation holding it, its regulator."""
        if side == Side.APPLICANT:
            return self.w.clerk if self.h.channel == Channel.WINDOW else (self.h.applicant[1], None)
        if side == Side.OFFICER:
            org = self.row["reviewing_id"] or self.row["entrusted_id"] or self.row["authority_id"]
            return self.w.officers.get(org), org
        if side == Side.REGULATOR:
            return self.w.regulators.get(self.row["regulator_id"]), self.row["regulator_id"]
        return None, None  # a beat job

    def step(self, action, status, day, side, due=None, reason="", moment=None) -> dt.datetime:
        """The move and its event row (services._core._event): who, when, from, to, why, how late."""
        moment = moment or max(_moment(self.w, self.rng, day), self.last)
        self.last = moment
        actor, org = self.actor(side)
        self.events.append({"application_id": self.id, "action": action, "from_status": self.row["status"],
                            "to_status": status, "actor_id": actor, "at": moment, "reason": reason, "due_date": due,
                            "late_working_days": self.w.days.late(due, moment.date()), "organisation_id": org})
        self.row["status"] = status
        return moment

    def hand_in(self, kinds, moment):
        for material_id, (due, _) in self.kinds.items():
            if due in kinds and self.materials[material_id]["status"] == MaterialStatus.OWED:
                self.materials[material_id].update(status=MaterialStatus.SUBMITTED, submitted_at=moment,
                                                   submitted_by_id=self.actor(Side.APPLICANT)[0])

    # filing, notice and commitment (附件3 第三、五条)

    def submit(self):
        mode, h = self.item.reform_mode, self.h
        if mode in DIRECT:
            self.row["closed_at"] = h.submitted_at
        elif h.route == Route.COMMITMENT:
            d0 = h.submitted_at.date()
            self.row["notice_due"] = d0 if h.channel == Channel.WINDOW else self.deadline(d0, NOTICE_WORKING_DAYS)
        declined = mode == ReformMode.COMMITMENT and h.route == Route.ORDINARY
        self.step(Action.SUBMIT, DIRECT.get(mode, Status.SUBMITTED), None, Side.APPLICANT, moment=h.submitted_at,
                  reason="申请人不愿作出承诺，按一般程序办理（告知承诺指引第十条）。" if declined else "")
        if h.channel != Channel.ONLINE or self.coin(0.8):  # online, uploaded with the application or later
            self.hand_in({MaterialDue.AT_APPLICATION}, h.submitted_at)

    def issue_notice(self):
        h, today = self.h, self.w.today
        if h.channel == Channel.WINDOW:
            day = self.day()  # handed over on the spot
        elif h.status == Status.NOTICE_ISSUED:  # still waiting for the commitment: its date has not passed
            day = self.between(self.day(), today, lambda d: h.channel == Channel.MAIL
                               or self.w.days.add(d, COMMITMENT_WORKING_DAYS) >= today)
        else:
            day = self.later(self.day(), 0, 4)  # a fourth working day is a late notice
        moment = self.step(Action.ISSUE_NOTICE, Status.NOTICE_ISSUED, day, Side.OFFICER, due=self.row["notice_due"])
        self.row["notice_issued_at"] = moment
        if h.channel != Channel.MAIL:
            self.row.update(notice_received_at=moment, commitment_due=self.deadline(day, COMMITMENT_WORKING_DAYS))
        elif h.status != Status.NOTICE_ISSUED or self.coin(0.5):  # else still in the post
            self.record_receipt(day)

    def record_receipt(self, sent: dt.date):
        today = self.w.today
        if self.h.status == Status.NOTICE_ISSUED:
            received = self.between(sent, today, lambda d: self.w.days.add(d, COMMITMENT_WORKING_DAYS) >= today)
        else:
            received = min(sent + dt.timedelta(self.rng.randint(1, 5)), today)
        due = self.deadline(received, COMMITMENT_WORKING_DAYS)
        entered = self.between(received, received + dt.timedelta(2))  # the 送达回证 comes back, the officer enters it
        self.step(Action.RECORD_NOTICE_RECEIPT, Status.NOTICE_ISSUED, entered, Side.OFFICER,
                  reason=f"送达回证载明的送达日期：{received:%Y年%m月%d日}；承诺书递交期限：{due:%Y年%m月%d日}。")
        self.row.update(commitment_due=due,
                        notice_received_at=dt.datetime.combine(received, dt.time(12), tzinfo=self.w.now.tzinfo))

    def commit(self):
        start, due = self.row["notice_received_at"].date(), self.row["commitment_due"]
        day = self.between(start, due) if self.h.status == Status.COMMITTED else min(self.later(start, 0, 3), due)
        moment = self.step(Action.COMMIT, Status.COMMITTED, max(day, self.day()), Side.APPLICANT)
        self.row.update(committed_at=moment, decision_due=moment.date())
        self.hand_in({MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT}, moment)
        will_meet = self.coin(0.2)
        self.commitment = {
            "application_id": self.id, "kind": CommitmentKind.WILL_MEET if will_meet else CommitmentKind.ALREADY_MEETS,
            "meet_by": moment.date() + dt.timedelta(self.rng.randint(30, 120)) if will_meet else None,
            "confirmations": list(COMMITMENT_CONFIRMATIONS), "signatory": self.h.applicant[2], "signed_at": moment,
            "recorded_by_id": self.actor(Side.APPLICANT)[0], "disclosed": True}

    def forward(self, partial=False):
        """First-review stages forward in turn (行政许可法 第三十五条); a current one may still hold it."""
        count = self.rng.randint(0, len(self.reviews)) if partial else len(self.reviews)
        for n, review in enumerate(self.reviews[:count]):
            moment = self.step(Action.FORWARD, self.row["status"], self.later(self.day(), 0, 1), Side.OFFICER,
                               reason="初审意见：同意，建议准予许可。")
            review.update(opinion=ReviewOpinion.AGREE, forwarded_by_id=self.events[-1]["actor_id"], forwarded_at=moment)
            self.row["reviewing_id"] = self.reviews[n + 1]["organisation_id"] if n + 1 < len(self.reviews) else None

    def decide(self):
        due = self.row["decision_due"]
        day = due if self.coin(0.85) else self.later(due, 1, 2)  # on the day the commitment came, or late
        moment = self.step(Action.DECIDE, Status.APPROVED, max(day, self.day()), Side.OFFICER, due=due)
        self.row.update(decided_at=moment, decided_by_id=self.events[-1]["actor_id"], closed_at=moment)
        self.grant(moment)

    def lapse(self):
        day = min(self.row["commitment_due"] + dt.timedelta(1), self.w.today)
        moment = self.step(Action.LAPSE, Status.LAPSED, day, Side.SYSTEM,
                           reason="收到告知书后3个工作日内未递交承诺书（告知承诺指引第三条），本次申请终止。")
        self.row["closed_at"] = moment

    def withdraw(self):
        limit = self.row.get("commitment_due") or self.row.get("notice_due") or self.day() + dt.timedelta(10)
        moment = self.step(Action.WITHDRAW, Status.WITHDRAWN, self.between(self.day(), limit), Side.APPLICANT,
                           reason="申请人撤回申请。")
        self.row["closed_at"] = moment

    # the ordinary procedure

    def accept(self):
        if self.h.status == Status.ACCEPTED:
            day = self.between(self.day(), self.w.today)
        else:
            day = self.later(self.day(), 0, 3)
        moment = self.step(Action.ACCEPT, Status.ACCEPTED, day, Side.OFFICER)
        days = self.item.committed_days
        self.row.update(accepted_at=moment, decision_due=self.deadline(day, days) if days else None)

    def request_correction(self):
        day, due = self.later(self.day(), 1, 5), self.row["decision_due"]
        self.row["paused_working_days"] = (self.w.days.between(day, due) if due >= day else 0) if due else None
        self.step(Action.REQUEST_CORRECTION, Status.CORRECTION, day, Side.OFFICER,
                  reason="申请材料不齐全，请按补正告知补齐后重新提交。")

    def resubmit(self):
        day = self.between(self.day() + dt.timedelta(2), self.day() + dt.timedelta(10))
        if self.row["paused_working_days"] is not None:
            self.row["decision_due"] = self.deadline(day, self.row["paused_working_days"])
        self.row["paused_working_days"] = None
        self.step(Action.RESUBMIT, Status.ACCEPTED, day, Side.APPLICANT)

    def review_decision(self, approve: bool):
        day = self.later(self.day(), 1, (self.item.committed_days or 15) + 2)  # a few late ones
        action, status, reason = (Action.APPROVE, Status.APPROVED, "") if approve else (
            Action.REJECT, Status.REJECTED, REJECT_REASON)
        moment = self.step(action, status, day, Side.OFFICER, due=self.row["decision_due"], reason=reason)
        self.row.update(decided_at=moment, decided_by_id=self.events[-1]["actor_id"], closed_at=moment)
        if approve:
            self.grant(moment)

    def mark_filing_untrue(self):
        day = self.between(self.day() + dt.timedelta(1), self.w.today)
        self.row["filing_correct_by"] = day + dt.timedelta(self.rng.randint(15, 30))
        self.step(Action.MARK_FILING_UNTRUE, Status.FILING_CORRECTION, day, Side.REGULATOR,
                  reason="经核查，备案信息与实际情况不符，责令限期改正。")

    # the grant and what follows it (services.decision._grant)

    def grant(self, moment: dt.datetime):
        day, item = moment.date(), self.item
        will_meet = self.commitment is not None and self.commitment["kind"] == CommitmentKind.WILL_MEET
        self.licence = {"application_id": self.id, "number": f"QZXK{self.row['number'][2:]}", "issued_at": moment,
                        "may_operate_from": None if will_meet else day, "scope": item.name, "valid_from": day,
                        "valid_until": licence_valid_until(day, item.licence_valid_years), "version": 1}
        if self.h.route != Route.COMMITMENT:
            return
        for material_id, (due, days) in self.kinds.items():
            if due == MaterialDue.AFTER_DECISION:
                self.materials[material_id]["due_date"] = self.deadline(day, days)
        inspection_due = self.w.days.months_end(day, item.inspection_months)
        self.row["deadlines_provisional"] |= self.w.days.provisional(day, inspection_due)
        self.row.update(inspection_due=inspection_due, conditions_due=self.commitment["meet_by"] if will_meet else None)
        self.inspection = {"application_id": self.id, "regulator_id": self.row["regulator_id"],
                           "authority_id": self.row["authority_id"], "due_date": inspection_due,
                           "status": InspectionStatus.PENDING, "full_coverage": item.seq_no in FULL_COVERAGE_SEQ_NOS,
                           "created_at": moment}

    def keep(self):
        """An approval in force: later materials in by their date, conditions declared, the check made."""
        self.keep_materials()
        if self.h.route == Route.COMMITMENT:
            self.keep_conditions()
            self.keep_inspection()

    def keep_materials(self):
        # one owed past its date would be revoked by the hour's job: it came in by then
        decided = self.row["decided_at"].date()
        for material_id, (due, _) in self.kinds.items():
            submission = self.materials[material_id]
            date = submission.get("due_date")
            if date is not None and (date < self.w.today or self.coin(0.5)):
                submission.update(status=MaterialStatus.SUBMITTED, submitted_by_id=self.actor(Side.APPLICANT)[0],
                                  submitted_at=_moment(self.w, self.rng, self.between(decided, date)))

    def keep_conditions(self):
        """钦政发〔2019〕20号: the holder declares the conditions met by its date, the authority confirms."""
        meet_by, today = self.row["conditions_due"], self.w.today
        if meet_by is None:
            return
        if meet_by >= today and not self.coin(0.3):
            if meet_by <= self.w.days.add(today, CONDITIONS_REMINDER_WORKING_DAYS):
                self.row["conditions_reminded_at"] = self.w.now  # the reminder job's mail went out
            return
        declared = self.between(max(self.day(), meet_by - dt.timedelta(20)), meet_by)
        self.row["conditions_declared_at"] = self.step(Action.DECLARE_CONDITIONS, Status.APPROVED, declared,
                                                       Side.APPLICANT)
        if meet_by < today or self.coin(0.5):
            confirmed = self.step(Action.CONFIRM_CONDITIONS, Status.APPROVED, self.later(declared, 0, 3), Side.OFFICER)
            self.row["conditions_met_at"] = confirmed
            self.licence.update(may_operate_from=confirmed.date(), version=2)

    def keep_inspection(self):
        """附件3 第七条: most checks are made within the two months; some are open, a few overdue."""
        inspection, today = self.inspection, self.w.today
        if inspection["regulator_id"] is None:
            return  # unrouted: nobody can check it yet
        decided, due, r = self.row["decided_at"].date(), inspection["due_date"], self.rng.random()
        if due >= today:
            if r < 0.18:
                outcome = InspectionOutcome.CONFORMS if r < 0.12 else InspectionOutcome.RECTIFY
                self.result(outcome, self.between(decided + dt.timedelta(1), today))
        elif r < 0.90:
            self.result(InspectionOutcome.CONFORMS, self.between(decided + dt.timedelta(5), due))
        elif r < 0.95:
            self.result(InspectionOutcome.RECTIFY, self.between(decided + dt.timedelta(5), due - dt.timedelta(20)))
            rectified = inspection["rectify_due"]
            if rectified < today:  # re-checked once the rectification's date passed
                self.result(InspectionOutcome.CONFORMS,
                            self.between(rectified + dt.timedelta(1), rectified + dt.timedelta(10)), again=True)

    def result(self, outcome, day: dt.date, again=False):
        inspection = self.inspection
        moment = max(_moment(self.w, self.rng, day), self.row["decided_at"])
        rectify = self.w.days.add(day, self.rng.randint(10, 30)) if outcome == InspectionOutcome.RECTIFY else None
        self.results.append({
            "outcome": outcome, "ground": FailureGround.FALSE_COMMITMENT if outcome == InspectionOutcome.FAILS else "",
            "note": RESULT_NOTES[outcome], "inspector_names": f"{_person(self.rng)}、{_person(self.rng)}",
            "rectify_due": rectify, "is_reinspection": again, "recorded_at": moment,
            "recorded_by_id": self.w.regulators[inspection["regulator_id"]]})
        status = RESULT_MOVES[outcome][1]
        assigned = inspection.get("assigned_at") or max(moment - dt.timedelta(days=1), self.row["decided_at"])
        inspection.update(status=status, assigned_at=assigned)
        inspection["rectify_due"] = rectify or inspection.get("rectify_due")
        if status in (InspectionStatus.PASSED, InspectionStatus.FAILED):
            inspection["closed_at"] = moment

    # revocation (附件3 第六、七条; 钦政发〔2019〕20号)

    def revoke(self):
        self.keep_materials()
        cause = self.rng.choice(self.causes())
        day, side = getattr(self, f"cause_{cause}")()
        moment = self.step(Action.REVOKE, Status.REVOKED, day, side, reason=REVOKE_REASONS[cause])
        self.row["closing_reason"] = REVOKE_REASONS[cause]
        self.licence.update(revoked_at=moment, revocation_reason=REVOKE_REASONS[cause],
                            version=self.licence["version"] + 1)
        if self.inspection and self.inspection["status"] in OPEN_INSPECTION:
            self.inspection.update(status=InspectionStatus.CANCELLED, closed_at=moment)
        if self.request:
            self.request.update(status=RevocationRequestStatus.REVOKED, closed_at=moment,
                                closed_by_id=self.events[-1]["actor_id"])

    def causes(self) -> list:
        if self.h.route != Route.COMMITMENT:
            return ["officer"]
        causes = ["inspection" if self.inspection["regulator_id"] else "officer"]
        if any(due == MaterialDue.AFTER_DECISION for due, _ in self.kinds.values()):
            causes.append("materials")
        if self.row["conditions_due"]:
            causes.append("conditions")
        return causes

    def cause_materials(self):
        material_id = next(m for m, (due, _) in self.kinds.items() if due == MaterialDue.AFTER_DECISION)
        submission = self.materials[material_id]
        submission.update(status=MaterialStatus.OVERDUE, submitted_at=None, submitted_by_id=None)
        return submission["due_date"] + dt.timedelta(1), Side.SYSTEM

    def cause_conditions(self):
        return self.row["conditions_due"] + dt.timedelta(1), Side.SYSTEM

    def cause_officer(self):
        return self.between(self.day() + dt.timedelta(30), self.w.today), Side.OFFICER

    def cause_inspection(self):
        """The regulator found the commitment untrue and asked the approving authority to revoke."""
        self.result(InspectionOutcome.FAILS, self.between(self.day() + dt.timedelta(5), self.inspection["due_date"]))
        found = self.results[-1]
        self.request = {"application_id": self.id, "ground": found["ground"], "reason": found["note"],
                        "requested_by_id": found["recorded_by_id"], "requested_at": found["recorded_at"],
                        "status": RevocationRequestStatus.OPEN}
        return self.later(found["recorded_at"].date(), 1, 10), Side.OFFICER

    def put(self, tables: "Tables"):
        tables.add(Application, self.row)
        for rows, model in ((self.reviews, ApplicationReview), (self.events, ApplicationEvent),
                            (self.materials.values(), MaterialSubmission)):
            for row in rows:
                tables.add(model, row)
        for row, model in ((self.commitment, Commitment), (self.licence, Licence)):
            if row is not None:
                tables.add(model, row)
        if self.inspection is not None:
            tables.add(_supervision("Inspection"), self.inspection)
            for row in self.results:
                tables.add(_supervision("InspectionResult"), {**row, "inspection_id": self.inspection["id"]})
            if self.request is not None:
                tables.add(_supervision("RevocationRequest"), {**self.request, "inspection_id": self.inspection["id"]})


RESULT_NOTES = {InspectionOutcome.CONFORMS: PASS_NOTE, InspectionOutcome.RECTIFY: RECTIFY_NOTE,
                InspectionOutcome.FAILS: FAIL_NOTE}


def _supervision(name: str):
    # supervision owns these rows; its services write one at a time (inspection_schedule), too slow for
    # a million, so the volume tool writes them as it writes licensing's (never the portal itself).
    return apps.get_model("supervision", name)


def tell(world: World, rng, head: Head, app_id: int, number: str) -> Story:
    """The story of one application up to its status."""
    story = Story(world, rng, head, app_id, number)
    mode = story.item.reform_mode
    walk = _direct if mode in DIRECT else (_commitment if head.route == Route.COMMITMENT else _ordinary)
    walk(story, head.status)
    return story


def _direct(s: Story, status):
    s.submit()
    if status == Status.FILING_CORRECTION:
        s.mark_filing_untrue()


def _commitment(s: Story, status):
    s.submit()
    if status == Status.SUBMITTED:
        return
    if status == Status.WITHDRAWN and s.h.channel != Channel.WINDOW and s.coin(0.5):
        return s.withdraw()
    s.issue_notice()
    if status in (Status.NOTICE_ISSUED, Status.LAPSED, Status.WITHDRAWN):
        return {Status.LAPSED: s.lapse, Status.WITHDRAWN: s.withdraw}.get(status, _nothing)()
    s.commit()
    s.forward(partial=status == Status.COMMITTED)
    if status == Status.COMMITTED:
        return
    s.decide()
    s.keep() if status == Status.APPROVED else s.revoke()


def _ordinary(s: Story, status):
    s.submit()
    if status == Status.SUBMITTED or (status == Status.WITHDRAWN and s.coin(0.4)):
        return s.withdraw() if status == Status.WITHDRAWN else None
    s.accept()
    s.forward(partial=status == Status.ACCEPTED)
    if status in (Status.ACCEPTED, Status.CORRECTION, Status.WITHDRAWN):
        return {Status.CORRECTION: s.request_correction, Status.WITHDRAWN: s.withdraw}.get(status, _nothing)()
    if s.coin(0.15):
        s.request_correction()
        s.resubmit()
    s.review_decision(approve=status != Status.REJECTED)
    if status == Status.REVOKED:
        s.revoke()
    elif status == Status.APPROVED:
        s.keep()


def _nothing():
    return None


# --- writing: COPY on PostgreSQL, executemany elsewhere ----------------------------------

def _copy(cursor, table: str, fields: list, rows: list):
    """COPY in CSV with every value quoted: an empty value is NULL in the nullable columns (FORCE_NULL),
    the empty string in the others (the tables written here have no nullable text column)."""
    quote = connection.ops.quote_name
    json_columns = [n for n, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    if json_columns:
        rows = [tuple(json.dumps(v, ensure_ascii=False) if n in json_columns else v for n, v in enumerate(row))
                for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    nullable = ", ".join(quote(f.column) for f in fields if f.null)
    options = f"FORMAT csv, FORCE_NULL ({nullable})" if nullable else "FORMAT csv"
    columns = ", ".join(quote(f.column) for f in fields)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH ({options})", buffer)


def _insert(cursor, table: str, fields: list, rows: list):
    quote = connection.ops.quote_name
    prepared = [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row)] for row in rows]
    columns, marks = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)


class Table:
    """New rows of one model, every column in order; a value not given is the field's default."""

    def __init__(self, model, with_id: bool):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if (with_id or not f.primary_key) and not f.generated]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.columns = itemgetter(*self.defaults)
        self.rows = []

    def add(self, values: dict):
        self.rows.append(self.columns({**self.defaults, **values}))

    def write(self) -> int:
        if not self.rows:
            return 0
        write = _copy if connection.vendor == "postgresql" else _insert
        with connection.cursor() as cursor:
            write(cursor, connection.ops.quote_name(self.model._meta.db_table), self.fields, self.rows)
        written, self.rows = len(self.rows), []
        return written


class Tables:
    """Every table a chunk writes, in the order of their foreign keys, and how many rows each got."""

    WITH_ID = {User, Applicant, Application}

    def __init__(self):
        self.tables, self.counts = {}, Counter()

    def add(self, model, values: dict):
        if model not in self.tables:
            self.tables[model] = Table(model, model in self.WITH_ID or model is _supervision("Inspection"))
        self.tables[model].add(values)

    def write(self):
        for model, table in self.tables.items():
            self.counts[model._meta.verbose_name] += table.write()

    def analyze(self):
        """Fresh planner statistics on PostgreSQL after the bulk load, so EXPLAIN at once shows real plans."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in self.tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows that others point to: from the table's sequence on PostgreSQL (real rows
    inserted meanwhile take others), after the largest elsewhere (SQLite's writer holds the lock)."""
    if not count:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, model._meta.pk.column, count])
            return sorted(row[0] for row in cursor.fetchall())
    first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(first, first + count))


@transaction.atomic
def reserve_numbers(heads: list) -> dict:
    """For each year, the first number of a block as large as its new applications, taken from the
    counter the portal numbers applications from (portal.counters), so an application filed later
    gets the number after the block."""
    return {year: next_number(NumberCounter, by=count, year=year) - count + 1
            for year, count in sorted(Counter(h.submitted_at.year for h in heads).items())}


@transaction.atomic
def write_chunk(rng, world: World, heads: list, numbers: dict, tables: Tables):
    """Tell and write the stories of `heads`, numbered on from `numbers` (year -> next number)."""
    stories = []
    for head, app_id in zip(heads, reserve_ids(Application, len(heads))):
        year = head.submitted_at.year
        stories.append(tell(world, rng, head, app_id, f"QZ{year}-{numbers[year]:06d}"))
        numbers[year] += 1
    checked = [s for s in stories if s.inspection is not None]
    for story, inspection_id in zip(checked, reserve_ids(_supervision("Inspection"), len(checked))):
        story.inspection["id"] = inspection_id
    for story in stories:
        story.put(tables)
    tables.write()


# --- the whole run ----------------------------------------------------------------------

@dataclass
class Report:
    counts: Counter
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _salt() -> str:
    """The database's state, mixed into the seed: the same seed adds the same rows to the same database,
    and a second run adds others (new identifiers, not the first run's again)."""
    numbers = NumberCounter.objects.aggregate(total=Sum("last"))["total"] or 0
    return f"{numbers}:{Applicant.objects.count()}"


def seed_volume(applications: int, seed: int = DEFAULT_SEED, progress=None) -> Report:
    """Add `applications` applications with their applicants and rows; raises NoCatalogue before
    writing anything when the catalogue is not loaded."""
    _check_catalogue()
    started, salt, tables = time.monotonic(), _salt(), Tables()
    rng = random.Random(f"{seed}:{salt}")
    world = load_world(rng)
    write_applicants(rng, world, max(1, math.ceil(applications / APPLICATIONS_PER_APPLICANT)), tables)
    # filed in time order, numbered in that order (as the counter numbers real ones)
    heads = sorted((_head(rng, world) for _ in range(applications)), key=lambda h: h.submitted_at)
    numbers = reserve_numbers(heads)
    for start in range(0, applications, CHUNK):
        write_chunk(random.Random(f"{seed}:{salt}:{start}"), world, heads[start:start + CHUNK], numbers, tables)
        if progress:
            progress(min(start + CHUNK, applications), applications, time.monotonic() - started)
    tables.analyze()
    return Report(tables.counts, time.monotonic() - started)
