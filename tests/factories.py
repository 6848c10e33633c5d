"""Factories with traits, shared by every test (DESIGN.md: personas and factories)."""
import random

import factory

from licensing.constants import (
    VERIFIED_AT_WINDOW, ApplicantKind, Channel, ClaimStatus, CommitmentKind, MaterialDue, ReformMode, Status,
)
from licensing.models import Applicant, Application, Item, Material, RegulatorRoute
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
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试机构{n}")
    level = OrgLevel.CITY
    kind = OrgKind.AUTHORITY

    @factory.post_generation
    def demo_seal(organisation, create, extracted, **kwargs):
        """Every organisation seals its documents, as after scripts/run (issue 12); demo_seal=False
        makes one without."""
        if create and extracted is not False:
            from notices.seal import make_demo_seal

            make_demo_seal(organisation)


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
        """Accounts whose link the window has verified: they act for the applicant and sign."""
        for user in extracted or []:
            obj.members.add(user, through_defaults={"status": ClaimStatus.VERIFIED, "verified_via": VERIFIED_AT_WINDOW})

    @factory.post_generation
    def claimants(obj, create, extracted, **kwargs):
        """Accounts that claimed the applicant online, not yet verified (ApplicantMembership)."""
        for user in extracted or []:
            obj.members.add(user)


def route_item(item, regulator, *, level=None, authority=None):
    """The admins' route: the item's approval records (at `level`, by default that of its first
    authority; for `authority` only, when given) go to `regulator` (issue 9)."""
    level = level or item.authorities.order_by("order").first().organisation.level
    RegulatorRoute.objects.update_or_create(item=item, level=level, authority=authority,
                                            defaults={"regulator": regulator})
    return regulator


def ready_commitment_item(seq_no=13, *, later_days=20) -> Item:
    """A commitment item whose notice content an admin has filled in (the gazette gives none)."""
    item = Item.objects.get(seq_no=seq_no)
    item.legal_basis = "测试用法律依据条款"
    item.conditions = "测试用许可条件"
    item.save()
    route_item(item, OrganisationFactory(kind=OrgKind.REGULATOR, name="测试行业主管部门"))
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


def prepared_commitment_item(seq_no=13) -> Item:
    """Item `seq_no` made ready once per test: ready_commitment_item adds its materials again on every
    call, so an item the commitment_item fixture already prepared is reused as it is."""
    item = Item.objects.get(seq_no=seq_no)
    return item if item.materials.exists() else ready_commitment_item(seq_no)


def catalogue_item(reform_mode) -> Item:
    """The first item of the loaded catalogue with this reform mode (a commitment item made ready)."""
    if reform_mode == ReformMode.COMMITMENT:
        return prepared_commitment_item()
    return Item.objects.filter(reform_mode=reform_mode).order_by("seq_no").first()


def item_officer(item) -> User:
    """An approval officer of the item's first (implementing) authority."""
    return UserFactory(role=Role.OFFICER, organisation=item.authorities.first().organisation)


class _Journey:
    """Who does what on an application's way: the applicant side applies and commits, the officer decides."""

    def __init__(self, *, item, applicant, actor, officer, channel, **options):
        self.item, self.channel, self._officer = item, channel, officer
        self.actor = actor or self._default_actor(applicant, channel)
        self.applicant = applicant or ApplicantFactory(members=[self._member(self.actor)])
        self.__dict__.update(options)  # details, wants_commitment, kind, meet_by, reason, credit_reason

    @staticmethod
    def _default_actor(applicant, channel):
        if channel != Channel.ONLINE:  # at the window (or by mail) a clerk of the service hall enters it
            return UserFactory(role=Role.CLERK, organisation=OrganisationFactory(kind=OrgKind.SERVICE_HALL))
        member = applicant.members.first() if applicant else None
        return member or UserFactory(role=Role.APPLICANT)

    @staticmethod
    def _member(actor):
        return actor if actor.role == Role.APPLICANT else UserFactory(role=Role.APPLICANT)

    @property
    def officer(self):
        if self._officer is None:  # made only when a step needs one: filings never meet an officer
            self._officer = item_officer(self.item)
        return self._officer

    def run(self, steps) -> Application:
        from licensing import services

        application = services.application_submit(item=self.item, applicant=self.applicant, actor=self.actor,
                                                  channel=self.channel, details=self.details,
                                                  wants_commitment=self.wants_commitment, authority=self._decider())
        for step in steps:
            application = step(services, application, self)
        return application

    def _decider(self):
        """The deciding authority chosen when filing: the given officer's, where it is one the item offers
        (licensing.selectors.decider_options); otherwise the item's first."""
        from licensing.selectors import decider_options

        org = getattr(self._officer, "organisation_id", None)
        keys = {option.key for option in decider_options(self.item)}
        return org if org in keys else None


def _issue_notice(services, application, journey):
    if application.status != Status.SUBMITTED:  # at the window the notice was handed over on submission
        return application
    return services.application_issue_notice(application=application, actor=journey.officer)


def _commit(services, application, journey):
    return services.application_commit(application=application, actor=journey.actor, kind=journey.kind,
                                       confirmations=[True] * 7, signatory="张三", meet_by=journey.meet_by,
                                       files=files_owed_at_commitment(application))


def _decide(services, application, journey):
    return services.application_decide(application=application, actor=journey.officer)


def _accept(services, application, journey):
    return services.application_accept(application=application, actor=journey.officer)


def _request_correction(services, application, journey):
    return services.application_request_correction(application=application, actor=journey.officer,
                                                   reason=journey.reason or "请补充材料。")


def _approve(services, application, journey):
    return services.application_approve(application=application, actor=journey.officer)


def _reject(services, application, journey):
    return services.application_reject(application=application, actor=journey.officer,
                                       reason=journey.reason or "不符合许可条件。")


def _revoke(services, application, journey):
    return services.application_revoke(application=application, actor=journey.officer,
                                       reason=journey.reason or "检查发现承诺内容不实。",
                                       credit_reason=journey.credit_reason)


def _withdraw(services, application, journey):
    return services.application_withdraw(application=application, actor=journey.actor)


def _lapse(services, application, journey):
    return services.application_lapse(application=application)  # as the beat job does: nobody acts


# Where each state is reached from submission; `then` closes the application from there.
PATHS = {
    "submitted": [],
    "notice_issued": [_issue_notice],
    "committed": [_issue_notice, _commit],
    "decided": [_issue_notice, _commit, _decide],
    "accepted": [_accept],
    "correction": [_accept, _request_correction],
    "approved": [_accept, _approve],
    "rejected": [_accept, _reject],
}
THEN = {None: [], "revoke": [_revoke], "lapse": [_lapse], "withdraw": [_withdraw]}
START_OF = {"revoke": "decided", "lapse": "notice_issued"}


class ApplicationFactory(factory.Factory):
    """An application brought to its state through the real services, never by setting its status.

    ApplicationFactory() is item 13 just submitted online by the member of a new enterprise;
    ApplicationFactory(committed=True, applicant=enterprise, actor=applicant_user, officer=officer)
    commits it as that persona. Wrap it in `with at(...)` to fix the day it all happened.
    """

    class Meta:
        model = Application

    class Params:
        reform_mode = ReformMode.COMMITMENT
        # notify and commit (附件3)
        notice_issued = factory.Trait(until="notice_issued")
        committed = factory.Trait(until="committed")
        decided = factory.Trait(until="decided")            # approved on the spot: licence, inspection
        revoked = factory.Trait(then="revoke")              # decided (or approved), then revoked
        lapsed = factory.Trait(then="lapse")                # notice issued, never answered
        # the ordinary procedure: the applicant declines to commit when applying (附件3 第十条)
        ordinary = factory.Trait(wants_commitment=False)
        accepted = factory.Trait(wants_commitment=False, until="accepted")
        correction = factory.Trait(wants_commitment=False, until="correction")
        approved = factory.Trait(wants_commitment=False, until="approved")
        rejected = factory.Trait(wants_commitment=False, until="rejected")
        withdrawn = factory.Trait(then="withdraw")          # by the applicant side, from `until`
        # done at once with a receipt
        filed = factory.Trait(reform_mode=ReformMode.FILING)
        recorded = factory.Trait(reform_mode=ReformMode.CANCEL)

    item = factory.LazyAttribute(lambda o: catalogue_item(o.reform_mode))
    applicant = None        # default: a new enterprise whose member account applies online
    actor = None            # default: that member online, a service-hall clerk at the window
    officer = None          # default: an approval officer of the item's first authority
    channel = Channel.ONLINE
    details = ""
    wants_commitment = True
    kind = CommitmentKind.ALREADY_MEETS
    meet_by = None
    reason = ""             # of a correction, rejection or revocation; a plausible one by default
    credit_reason = None    # of a revocation: also records it in the 诚信档案 (附件3 第九条)
    then = None
    until = factory.LazyAttribute(lambda o: START_OF.get(o.then, "submitted"))

    @classmethod
    def _create(cls, model_class, *, until, then, **options):
        return _Journey(**options).run(PATHS[until] + THEN[then])

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("ApplicationFactory only creates: an application exists once the services received it.")


def commitment_application(*, item, applicant, actor, officer, until="approved", channel="window",
                           kind="already_meets", meet_by=None):
    """Drive a commitment item through the services up to `until` (notice_issued, committed, approved)."""
    return ApplicationFactory(item=item, applicant=applicant, actor=actor, officer=officer, channel=channel,
                              kind=kind, meet_by=meet_by, until="decided" if until == "approved" else until)


def second_factor_code(user) -> str:
    """A one-time backup code that passes `user`'s second factor once (issue 4): for the API
    token request of staff, {"username", "password", "otp": second_factor_code(user)}."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(user=user, name="测试备用码", defaults={"confirmed": True})
    return device.token_set.create(token=StaticToken.random_token()).token
