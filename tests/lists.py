"""Worlds whose lists grow by rows of the same shapes, and the queries one GET of a list spends (for
tests/test_query_counts.py, issue 13: query counts are constant).

A world is grown step by step: each step calls every row factory of its kind of world once, so after
5 steps each factory has added 5 rows and after 50 steps 50. A factory is one shape of row
(`decided`: an application approved on the spot, with its licence, documents, owed material and
inspection) or a `cycle` of shapes taking turns, so that a list of one kind of row gets 5 varied
rows and then 50. Rows are made through the real services, in the past (BUILT_ON), and read today:
every deadline has passed, so each "late" and "overdue" branch of the pages is taken.
"""
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from licensing import services
from licensing.constants import ApplicantKind, AuthorityRole, Channel, CommitmentKind, ReformMode
from licensing.models import Applicant, ApplicantMembership, Item, ItemAuthority
from notices.constants import Destination, OutboxStatus
from notices.models import OutboxRecord
from notices.outbox import outbox_deliver
from portal.constants import OrgKind, Role
from portal.models import Organisation
from portal.security import needs_second_factor
from supervision import directories
from supervision import services as supervision_services
from supervision.constants import CreditReason, FailureGround, InspectionOutcome
from supervision.draws import draw_plan_create, draw_run
from supervision.models import CreditRecord, CreditRepairRule, InboxRecord, Inspection, Inspector
from tests import clock
from tests.conftest import pass_second_factor
from tests.factories import (
    ApplicantFactory, ApplicationFactory, OrganisationFactory, UserFactory, pdf_file, ready_commitment_item,
    route_item, valid_id_number,
)

BUILT_ON = (2024, 10, 14)
LATER = (2024, 10, 28)  # a notice issued this late is a late step (附件3 第三条: within 3 working days)
CATALOGUE_WORD = "查询计数事项"  # the name of every item the worlds add: the catalogue is searched for it


@dataclass
class World:
    """The personas who read the lists, and what the rows are made of."""

    applicant_user: object
    enterprise: Applicant
    officer: object
    clerk: object
    regulator: object
    second_inspector: object
    admin: object
    item: Item
    filing_item: Item
    unrouted_item: Item
    bureau_officer: object
    built_at: dt.datetime                             # the real time the world was made (not BUILT_ON)
    steps: int = 0
    undelivered: set = field(default_factory=set)     # applications whose records stay in the outbox
    entity: object = None                             # the entity `supervised` added last (issue 14)
    drawn_plan: object = None                         # the plan `draw_plan` drew last (issue 14)


def build_world() -> World:
    item = ready_commitment_item()
    regulator_org = item.regulator_routes.get().regulator
    filing_item = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(filing_item, regulator_org)
    officer_org = item.authorities.first().organisation
    unrouted_item, bureau_officer = _unrouted_item()
    applicant_user = UserFactory(role=Role.APPLICANT, full_name="张三")
    return World(
        applicant_user=applicant_user,
        enterprise=ApplicantFactory(name="钦州市好客旅馆有限公司", members=[applicant_user]),
        officer=UserFactory(role=Role.OFFICER, organisation=officer_org, full_name="审批员"),
        clerk=UserFactory(role=Role.CLERK, organisation=OrganisationFactory(kind=OrgKind.SERVICE_HALL)),
        regulator=UserFactory(role=Role.REGULATOR, organisation=regulator_org, full_name="监管员陈一"),
        second_inspector=UserFactory(role=Role.REGULATOR, organisation=regulator_org, full_name="监管员林二"),
        admin=UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
        item=item, filing_item=filing_item, unrouted_item=unrouted_item, bureau_officer=bureau_officer,
        built_at=timezone.now())


def _unrouted_item() -> Item:
    """An item an approval bureau approves that no route sends to a regulator yet (a bureau regulates
    nothing it approves, licensing.selectors.routing), and an officer of that bureau."""
    bureau = OrganisationFactory(kind=OrgKind.APPROVAL_BUREAU, name="测试行政审批局")
    item = Item.objects.create(seq_no=999, code="QC-UNROUTED", name="未配置推送的测试事项",
                               reform_mode=ReformMode.OPTIMISE)
    ItemAuthority.objects.create(item=item, organisation=bureau, role=AuthorityRole.APPROVE, order=0)
    return item, UserFactory(role=Role.OFFICER, organisation=bureau, full_name="审批局审批员")


# --- the shapes of row: each makes one row through the services ------------------------------

def _ours(world, **options) -> dict:
    """Item 13 applied for online by the enterprise's member, handled by the officer."""
    return {"item": world.item, "applicant": world.enterprise, "actor": world.applicant_user,
            "officer": world.officer, **options}


def submitted(world):                # 待出具告知书
    return ApplicationFactory(**_ours(world))


def in_post(world):                  # 告知书邮寄中: sent in by post, the notice posted back
    application = ApplicationFactory(**_ours(world, actor=world.clerk, channel=Channel.MAIL))
    return services.application_issue_notice(application=application, actor=world.officer)


def committed(world):                # 待作出决定
    return ApplicationFactory(committed=True, **_ours(world))


def ordinary(world):                 # 一般程序，待受理
    return ApplicationFactory(ordinary=True, **_ours(world))


def first_review(world):             # 待初审报送: item 75, examined first by the officer's county police
    application = services.application_submit(item=Item.objects.get(code="QZ-075"), applicant=world.enterprise,
                                              actor=world.applicant_user, channel=Channel.ONLINE)
    return services.application_accept(application=application, actor=world.officer)


def accepted(world):                 # 审查中
    return ApplicationFactory(accepted=True, **_ours(world))


def correction(world):               # 补正中
    return ApplicationFactory(correction=True, reason="请补充消防验收意见。", **_ours(world))


def decided(world):                  # 当场许可: licence, documents, material owed later, inspection due
    return ApplicationFactory(decided=True, **_ours(world))


def declared(world):                 # 待确认经营条件
    application = ApplicationFactory(decided=True, kind=CommitmentKind.WILL_MEET,
                                     meet_by=dt.date(*BUILT_ON) + dt.timedelta(days=30), **_ours(world))
    for owed in application.materials.filter(status="owed"):
        services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(),
                                 actor=world.applicant_user)
    return services.application_declare_conditions(application=application, actor=world.applicant_user)


def photo(name="现场照片.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0" + b"0" * 64, content_type="image/jpeg")


def _checked(world, outcome, **result):
    """Decided, both inspectors assigned, and the check's result recorded with a photo."""
    application = decided(world)
    inspection = supervision_services.inspection_assign(
        inspection=Inspection.objects.get(application=application), actor=world.regulator,
        inspectors=[world.regulator, world.second_inspector])
    supervision_services.inspection_record_result(inspection=inspection, actor=world.regulator, outcome=outcome,
                                                  files=[photo()], **result)
    return application


def rectifying(world):               # 核查：限期整改
    return _checked(world, InspectionOutcome.RECTIFY, note="消防通道堆放杂物。", rectify_within_days=5)


def found_untrue(world):             # 核查不实，提请撤销
    return _checked(world, InspectionOutcome.FAILS, note="承诺内容与现场不符。", ground=FailureGround.FALSE_COMMITMENT)


def acknowledged(world):             # 已签收: decided, its record delivered and acknowledged
    application = decided(world)
    deliver(world)
    for record in InboxRecord.objects.filter(application=application):
        supervision_services.inbox_acknowledge(record=record, actor=world.regulator)
    return application


def another_applicant(world):        # an application of another enterprise the account acts for
    return ApplicationFactory(**_ours(world, applicant=ApplicantFactory(members=[world.applicant_user])))


def revoked(world):                  # 已撤销: the licence's second version, records to both sides
    return ApplicationFactory(decided=True, revoked=True, reason="核查发现承诺内容不实。", **_ours(world))


def filed(world):                    # 备案, routed to the regulator
    return ApplicationFactory(filed=True, item=world.filing_item, applicant=world.enterprise,
                              actor=world.applicant_user, details="经营场所：钦州市钦南区某路2号。")


def filing_untrue(world):            # 备案信息不实，责令改正
    return services.application_mark_filing_untrue(
        application=filed(world), actor=world.regulator, findings="经营场所与备案不符。",
        correct_by=dt.date(*BUILT_ON) + dt.timedelta(days=10))


def record_missed(world):            # 推送超时: approved, its record never delivered
    application = ApplicationFactory(approved=True, **_ours(world))
    world.undelivered.add(application.pk)
    return application


def record_due_soon(world):          # 即将到期: an undelivered record due within the next working day
    application = record_missed(world)
    OutboxRecord.objects.filter(application=application).update(due_at=world.built_at + dt.timedelta(hours=2))
    return application


def record_unrouted(world):          # 待确定接收部门: approved by the bureau for an item no route covers
    application = ApplicationFactory(approved=True, item=world.unrouted_item, applicant=world.enterprise,
                                     actor=world.applicant_user, officer=world.bureau_officer)
    world.undelivered.add(application.pk)
    return application


def late_notice(world):              # 电子监察: the notice issued past its 3 working days
    application = submitted(world)
    with clock.at(*LATER):
        return services.application_issue_notice(application=application, actor=world.officer)


def claim(world):                    # 办理主体: the account's claims; an account claiming the enterprise
    """Turn about: verified and pending claims of the account, and accounts claiming the enterprise that
    the window verifies (who verified it is shown) or leaves pending."""
    if world.steps % 2:
        ApplicantFactory(claimants=[world.applicant_user])
    else:
        ApplicantFactory(members=[world.applicant_user])
    claimant = UserFactory(role=Role.APPLICANT)
    world.enterprise.members.add(claimant)
    if not world.steps % 2:
        services.applicant_claim_verify(claim=ApplicantMembership.objects.get(user=claimant), actor=world.clerk)


def catalogue_item(world):           # 事项目录: an item decided by one organisation, entrusted to another
    n = world.steps
    item = Item.objects.create(seq_no=900 + n, code=f"QC-{n:04d}", name=f"{CATALOGUE_WORD}{n}",
                               reform_mode=ReformMode.OPTIMISE, measures=["压缩审批时限"], remark="测试")
    decider, entrusted = Organisation.objects.filter(kind=OrgKind.AUTHORITY).order_by("code")[:2]
    ItemAuthority.objects.create(item=item, organisation=decider, order=0)
    ItemAuthority.objects.create(item=item, organisation=entrusted, role=AuthorityRole.DELEGATED, entrusted_by=decider,
                                 order=1)
    return item


# --- issue 14: 双随机 and its directories, the credit record and its repair --------------------------

DRAW_FROM = dt.date(2024, 1, 1)  # the plans draw from what took effect since, up to BUILT_ON
RECORDED_ON = (2024, 3, 15)      # credit records made then may be repaired on BUILT_ON (REPAIR_AFTER_MONTHS)
REPAIR_AFTER_MONTHS = 6
REPAIR_BASIS = "查询计数测试：失信记录满6个月可申请修复"
CREDIT_REASONS = (CreditReason.FALSE_COMMITMENT, CreditReason.MISSING_MATERIALS)


def supervised(world):               # 监管对象库: a new entity in force, licensed or filed at the window
    """Turn about: an enterprise licensed (item 13), a person licensed (masked when published), an
    enterprise that filed; each holder new, so the directory and the draws' pool gain one entity a step."""
    n, window = world.steps, {"actor": world.clerk, "channel": Channel.WINDOW}
    if n % 3 == 0:
        application = ApplicationFactory(decided=True, **_ours(world, applicant=ApplicantFactory(), **window))
    elif n % 3 == 1:
        person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number(14000 + n), name="陈大文")
        application = ApplicationFactory(decided=True, **_ours(world, applicant=person, **window))
    else:
        application = ApplicationFactory(filed=True, item=world.filing_item, applicant=ApplicantFactory(),
                                         details="经营场所：钦州市钦南区某路3号。", **window)
    world.entity = application.applicant
    return application


def _in_directory(world, user, code) -> Inspector:
    entry = Inspector.objects.filter(user=user).first()
    return entry or directories.inspector_add(actor=world.regulator, username=user.username, code=code)


def _roster(world) -> list[str]:
    """The 执法证号 a plan draws from: the world's two regulators (put in the directory the first time) and
    every inspector still in it."""
    _in_directory(world, world.regulator, "QC-R0001")
    _in_directory(world, world.second_inspector, "QC-R0002")
    return list(Inspector.objects.filter(organisation=world.regulator.organisation, active=True)
                .order_by("code").values_list("code", flat=True))


def inspector(world):                # 执法检查人员库: a new regulator added under its 执法证号
    """Every other one declares a conflict with the entity added this step (回避: the draw passes it over),
    every fourth is taken out of the draws again."""
    _roster(world)
    n = world.steps
    user = UserFactory(role=Role.REGULATOR, organisation=world.regulator.organisation, full_name=f"执法人员{n}号")
    entry = directories.inspector_add(actor=world.regulator, username=user.username, code=f"QC-{n:04d}")
    if n % 2 and world.entity is not None:
        directories.inspector_conflict_declare(inspector=entry, actor=world.regulator,
                                               identifier=world.entity.identifier, relation="近亲属任该企业法定代表人。")
    if n % 4 == 3:
        entry = directories.inspector_set_active(inspector=entry, actor=world.regulator, active=False)
    return entry


def draw_plan(world):                # 双随机抽查计划: drawn by a percentage, drawn by a count, or a draft
    n, today = world.steps, dt.date(*BUILT_ON)
    sample = ({"sample_percent": 50}, {"sample_count": 30}, {"sample_percent": 20})[n % 3]
    plan = draw_plan_create(actor=world.regulator, data={
        "title": f"查询计数双随机抽查第{n}次", "items": [], "authorities": [], "licensed_from": DRAW_FROM.isoformat(),
        "licensed_until": today.isoformat(), **sample, "inspectors_per_entity": 2, "inspectors": _roster(world),
        "due_date": (today + dt.timedelta(days=60)).isoformat()})
    if n % 3 == 2:
        return plan
    world.drawn_plan = draw_run(plan=plan, actor=world.regulator)
    return world.drawn_plan


def _open_repair() -> None:
    """The admin opens repair of these kinds of record under a later rule (closed by default, issue 11)."""
    for reason in CREDIT_REASONS:
        CreditRepairRule.objects.update_or_create(reason=reason, defaults={
            "repairable": True, "after_months": REPAIR_AFTER_MONTHS, "basis": REPAIR_BASIS})


def _credit_record(world) -> CreditRecord:
    """A licence of a new enterprise the account acts for, revoked on RECORDED_ON with a credit record made
    by the officer's authority (the reasons taking turns)."""
    reason = CREDIT_REASONS[world.steps % len(CREDIT_REASONS)]
    with clock.at(*RECORDED_ON):
        application = ApplicationFactory(decided=True, revoked=True, credit_reason=reason, reason="核查发现承诺内容不实。",
                                         **_ours(world, applicant=ApplicantFactory(members=[world.applicant_user])))
    return CreditRecord.objects.get(application=application)


def repair_pending(world):           # 信用修复：待决定 (its evidence a PDF), the record still public
    _open_repair()
    return supervision_services.credit_repair_request_submit(
        record=_credit_record(world), actor=world.applicant_user, reasons="已补交全部材料并完成整改。",
        files=[pdf_file("整改情况说明.pdf")])


def repair_decided(world):           # 信用修复：不予修复 (still public), or 准予修复 (no longer public), by turns
    granted = bool(world.steps % 2)
    return supervision_services.credit_repair_request_decide(
        request=repair_pending(world), actor=world.officer, grant=granted,
        note="已核实整改情况，准予修复。" if granted else "整改材料不完整，不予修复。")


def cycle(*shapes):
    """One row per step, the shapes taking turns (5 steps make one row of each of up to 5 shapes)."""
    def factory(world):
        return shapes[world.steps % len(shapes)](world)
    factory.__name__ = "|".join(shape.__name__ for shape in shapes)
    return factory


# --- growing ---------------------------------------------------------------------------------------

def deliver(world) -> None:
    """Deliver the pending inbox records, as the worker would, but those meant to stay undelivered."""
    pending = (OutboxRecord.objects.filter(destination=Destination.INBOX, status=OutboxStatus.PENDING)
               .exclude(application_id__in=world.undelivered))
    for pk in pending.values_list("pk", flat=True):
        outbox_deliver(pk)


def grow(world, factories, steps: int) -> None:
    """Step until `steps`: each step adds one row from every factory, on BUILT_ON."""
    while world.steps < steps:
        with clock.at(*BUILT_ON):
            for factory in factories:
                factory(world)
            deliver(world)
        world.steps += 1


# --- reading and counting ----------------------------------------------------------------------------

def client_for(user):
    """A page client signed in as `user` (past the second factor for staff); anonymous for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if needs_second_factor(user):
            pass_second_factor(client, user)
    return client


def api_client_for(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_IN_LISTS = re.compile(r"\bIN \([^()]*\)")
_NAMES = re.compile(r'"(?:s\d+_x\d+|_django_curs_\d+_sync_\d+)"')  # savepoints, PostgreSQL's cursors


def shape_of(sql: str) -> str:
    """A query with its values taken out: the same query for another row has the same shape."""
    return _IN_LISTS.sub("IN (…)", _LITERALS.sub("?", _NAMES.sub('"name"', sql)))


@dataclass
class Measure:
    """One GET of a list: its response and every query it ran."""

    response: object = None
    queries: list = field(default_factory=list)
    error: BaseException | None = None

    @property
    def count(self) -> int:
        return len(self.queries)

    def shapes(self) -> Counter:
        return Counter(shape_of(q["sql"]) for q in self.queries)


def measure(client, url, cache) -> Measure:
    """The queries of one GET, with the shared cache empty and the process warm (a first GET fills
    per-process caches, the same for 5 rows as for 50). In a savepoint: a failing view leaves the
    world usable for the next list."""
    try:
        with transaction.atomic():
            cache.clear()
            client.get(url)
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            return Measure(response, list(captured.captured_queries))
    except Exception as exc:  # reported by the list's own test, not by every test of the module
        return Measure(error=exc)


def grown(small: Measure, large: Measure) -> list[str]:
    """The query shapes that ran more (or less) often for the larger world, most repeated first, each
    cut to its start (what it reads) and its end (which row it asks for)."""
    before, after = small.shapes(), large.shapes()
    changed = [(after[s] - before[s], s) for s in set(before) | set(after) if after[s] != before[s]]
    return [f"{before[s]} → {after[s]} times: {_cut(s)}" for _, s in sorted(changed, key=lambda c: -abs(c[0]))]


def _cut(sql: str, ends: int = 300) -> str:
    return sql if len(sql) <= 2 * ends else f"{sql[:ends]} … {sql[-ends:]}"
