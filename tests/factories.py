"""Factories with traits, shared by every test (DESIGN.md: personas and factories)."""
import random

import factory

from licensing.constants import ApplicantKind, MaterialDue
from licensing.models import Applicant, Item, Material
from licensing.validators import USCC_ALPHABET, id_check_char, uscc_check_char
from portal.constants import OrgKind, OrgLevel, Role
from portal.models import Organisation, User

TEST_PASSWORD = "Test-Password-2026"


def valid_uscc(seed=None) -> str:
    rng = random.Random(seed)
    first17 = "91450700" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def valid_id_number(seed=None) -> str:
    rng = random.Random(seed)
    first17 = f"450702{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试机构{n}")
    level = OrgLevel.CITY
    kind = OrgKind.AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant
        skip_postgeneration_save = True

    kind = ApplicantKind.ENTERPRISE
    identifier = factory.Sequence(lambda n: valid_uscc(n))
    name = factory.Sequence(lambda n: f"钦州测试{n}有限公司")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        for user in extracted or []:
            obj.members.add(user)


def ready_commitment_item(seq_no=13, *, later_days=20) -> Item:
    """A commitment item whose notice content an admin has filled in (the gazette gives none)."""
    item = Item.objects.get(seq_no=seq_no)
    item.legal_basis = "测试用法律依据条款"
    item.conditions = "测试用许可条件"
    item.regulator = OrganisationFactory(kind=OrgKind.REGULATOR, name="测试行业主管部门")
    item.save()
    Material.objects.create(item=item, name="申请书", due=MaterialDue.AT_APPLICATION, order=0)
    Material.objects.create(item=item, name="承诺书附件", due=MaterialDue.AT_COMMITMENT, order=1)
    Material.objects.create(item=item, name="安全设施说明", due=MaterialDue.AFTER_DECISION,
                            due_working_days=later_days, order=2)
    return item


def pdf_file(name="材料.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% test material\n", content_type="application/pdf")


def files_owed_at_commitment(application) -> dict:
    """A PDF for every material still owed at application or commitment time (附件3 第四条)."""
    owed = application.materials.filter(status="owed", material__due__in=[MaterialDue.AT_APPLICATION,
                                                                          MaterialDue.AT_COMMITMENT])
    return {s.material_id: pdf_file(f"{s.material.name}.pdf") for s in owed.select_related("material")}


def commitment_application(*, item, applicant, actor, officer, until="approved", channel="window",
                           kind="already_meets", meet_by=None):
    """Drive a commitment item through the services up to `until` (notice_issued, committed, approved)."""
    from licensing import services

    app = services.application_submit(item=item, applicant=applicant, actor=actor, channel=channel)
    if app.status == "submitted":
        app = services.application_issue_notice(application=app, actor=officer)
    if until == "notice_issued":
        return app
    app = services.application_commit(application=app, actor=actor, kind=kind, confirmations=[True] * 7,
                                      signatory="张三", meet_by=meet_by, files=files_owed_at_commitment(app))
    if until == "committed":
        return app
    return services.application_decide(application=app, actor=officer)


def second_factor_code(user) -> str:
    """A one-time backup code that passes `user`'s second factor once (issue 4): for the API
    token request of staff, {"username", "password", "otp": second_factor_code(user)}."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(user=user, name="测试备用码", defaults={"confirmed": True})
    return device.token_set.create(token=StaticToken.random_token()).token
