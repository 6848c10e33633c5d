"""Demonstration accounts and content, loaded by `manage.py load_demo`.

Everything here is for showing the portal, never for production: the passwords are public
in the README, and demo item content is marked `is_demo_content` and says so on every page.
"""
import datetime as dt

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice

from licensing.constants import ApplicantKind, MaterialDue, SharedSource
from licensing.models import Item, Material, RegistrationSender, RegulatorRoute
from licensing.selectors.registrations import token_digest
from licensing.services import applicant_bind_account, applicant_register
from licensing.validators import uscc_check_char
from portal.constants import OrgKind, OrgLevel, Role
from portal.exceptions import Conflict
from portal.models import Organisation, User
from supervision.directories import inspector_add

DEMO_PASSWORD = "Demo-Qinzhou-2019"
DEMO_ITEM_SEQ = 13  # 旅馆业特种行业许可证核发, a commitment item
DEMO_NOTE = "【演示数据，非真实内容，不具法律效力】"
# Staff sign in with a second factor (issue 4). For the demo each staff account gets these
# backup codes (django-otp static tokens): each works once; load_demo puts them all back.
DEMO_BACKUP_CODES = [f"2019{n:04d}" for n in range(1, 11)]
DEMO_DEVICE_NAME = "演示备用码"

DEMO_AUTHORITY_EMAIL = "demo-authority@example.invalid"

# 双告知 (issue 16): a demo registration system with a public token and secret (README), and one registration
# of the demo enterprise whose 经营范围 needs item 13, so the applicant's 登记告知 and the demo regulator's
# 告知 record are there to see, and POST /api/v1/registrations/ can be tried.
DEMO_REGISTRY_NAME = "钦州市市场主体登记系统（演示）"
DEMO_REGISTRY_TOKEN = "demo-registry-token-2019"
DEMO_REGISTRY_SECRET = "whsec_ZGVtby1yZWdpc3RyeS1zZWNyZXQtMjAxOQ=="  # base64 of demo-registry-secret-2019
DEMO_REGISTRATION = {
    "event_id": "DEMO-REG-0001", "change": "new", "name": "钦州市演示旅馆有限公司（演示）",
    "scope": "许可项目：住宿服务；餐饮服务。一般项目：会议及展览服务；停车场服务。", "address": "钦州市钦南区演示路1号（演示）",
    "legal_representative": "演示人", "registered_on": dt.date(2019, 9, 1), "email": ""}

ORGS = {
    "HALL": ("SH01", "钦州市政务服务中心", OrgLevel.CITY, OrgKind.SERVICE_HALL),
    "REG": ("G01", "钦州市公安局治安管理支队（演示）", OrgLevel.CITY, OrgKind.REGULATOR),
}

# username, full name, role, organisation key (None: none; "AUTH": the demo item's authority)
ACCOUNTS = [
    ("demo-applicant", "演示申请人", Role.APPLICANT, None),
    ("demo-clerk", "演示窗口人员", Role.CLERK, "HALL"),
    ("demo-officer", "演示审批人员", Role.OFFICER, "AUTH"),
    ("demo-regulator", "演示监管人员", Role.REGULATOR, "REG"),
    # an on-site check is made by two law-enforcement officers (issue 10): the demo regulator's colleague
    ("demo-inspector", "演示核查人员", Role.REGULATOR, "REG"),
    ("demo-admin", "演示管理员", Role.ADMIN, None),
]

# name, when due, working days after the decision, shared source ("": the applicant hands it in)
MATERIALS = [
    ("申请书", MaterialDue.AT_APPLICATION, None, ""),
    # 附件2's measures: 在线获取核验营业执照等材料 — got by sharing, never asked of the applicant (issue 16)
    ("营业执照", MaterialDue.AT_APPLICATION, None, SharedSource.BUSINESS_LICENCE),
    ("经营场所使用权证明", MaterialDue.AT_APPLICATION, None, ""),
    ("签章的告知承诺书", MaterialDue.AT_COMMITMENT, None, ""),
    ("旅馆治安保卫制度及安全防范设施情况说明", MaterialDue.AFTER_DECISION, 20, ""),
]


def _organisations(item):
    orgs = {key: Organisation.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "kind": kind})[0]
        for key, (code, name, level, kind) in ORGS.items()}
    orgs["AUTH"] = item.authorities.order_by("order").first().organisation
    # The warning that a record is about to miss its 3 working days goes to the authority's contact
    # (issue 9); in the demo, mail is printed by the console backend rather than sent.
    Organisation.objects.filter(pk=orgs["AUTH"].pk, contact_email="").update(contact_email=DEMO_AUTHORITY_EMAIL)
    return orgs


def _fill_demo_item(item, regulator):
    item.legal_basis = f"{DEMO_NOTE}此处由审批部门填写法律、法规、规章名称及具体条款内容。"
    item.conditions = f"{DEMO_NOTE}此处由审批部门填写准予许可应当具备的条件、标准和技术要求。"
    item.is_demo_content = True
    item.save()
    # issue 9: the demo item's approval records go to the demo regulator, at the level it is run.
    level = item.authorities.order_by("order").first().organisation.level
    RegulatorRoute.objects.update_or_create(item=item, level=level, authority=None, defaults={"regulator": regulator})
    for order, (name, due, days, shared) in enumerate(MATERIALS):
        Material.objects.update_or_create(item=item, name=f"{name}（演示）", defaults={
            "due": due, "due_working_days": days, "order": order, "shared_source": shared})


def _demo_second_factor(user):
    device, _ = StaticDevice.objects.update_or_create(user=user, name=DEMO_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    device.token_set.bulk_create([device.token_set.model(device=device, token=code) for code in DEMO_BACKUP_CODES])


def _demo_enterprise(user, clerk):
    """The demo applicant's enterprise, its link verified by the demo clerk as if at the window (an
    unverified link may not sign the 承诺书), so the demo journey runs end to end."""
    first17 = "91450700MA5D3M000"  # a made-up 统一社会信用代码 with a valid check character
    enterprise = applicant_register(kind=ApplicantKind.ENTERPRISE, identifier=first17 + uscc_check_char(first17),
                                    name="钦州市演示旅馆有限公司（演示）", actor=user, user=user, legal_representative="演示人")
    applicant_bind_account(applicant=enterprise, username=user.username, actor=clerk)
    return enterprise


def _demo_registration(enterprise):
    """The demo registry and its registration of the demo enterprise, through the intake's own service (the
    same event again is the same registration, so load_demo stays safe to run twice)."""
    from licensing.services.registrations import registration_receive  # the demo is loaded after the apps

    sender, _ = RegistrationSender.objects.update_or_create(token_sha256=token_digest(DEMO_REGISTRY_TOKEN), defaults={
        "name": DEMO_REGISTRY_NAME, "secret": DEMO_REGISTRY_SECRET, "active": True})
    return registration_receive(sender=sender, event={**DEMO_REGISTRATION, "uscc": enterprise.identifier})[0]


@transaction.atomic
def load_demo():
    """Create (or reset) one account per role and fill the demo item. Safe to run again."""
    item = Item.objects.get(seq_no=DEMO_ITEM_SEQ)
    orgs = _organisations(item)
    _fill_demo_item(item, orgs["REG"])
    users = []
    for username, full_name, role, org_key in ACCOUNTS:
        user, _ = User.objects.update_or_create(username=username, defaults={
            "full_name": full_name, "role": role, "organisation": orgs.get(org_key),
            "is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN,
        })
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role != Role.APPLICANT:
            _demo_second_factor(user)
        users.append(user)
    by_role = {user.role: user for user in users}
    enterprise = _demo_enterprise(by_role[Role.APPLICANT], clerk=by_role[Role.CLERK])
    _demo_registration(enterprise)
    _demo_inspectors([user for user in users if user.role == Role.REGULATOR])
    return users


# 执法检查人员库 (issue 14): both demo regulators may be drawn for 双随机 checks, under made-up 执法证号.
DEMO_INSPECTOR_CODES = {"demo-regulator": "DEMO-0001", "demo-inspector": "DEMO-0002"}


def _demo_inspectors(regulators):
    for user in regulators:
        try:
            inspector_add(actor=regulators[0], username=user.username, code=DEMO_INSPECTOR_CODES[user.username])
        except Conflict:
            pass  # loaded before: the demo keeps its entries
