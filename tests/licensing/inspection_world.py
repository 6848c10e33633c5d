"""An inspection reached the real way (issue 10): a commitment decided through licensing's services
schedules it, and the regulator works it through supervision's services."""
from portal.constants import Role
from supervision import services as supervision_services
from supervision.constants import FailureGround, InspectionOutcome
from supervision.models import Inspection
from tests.factories import ApplicationFactory, UserFactory

# What only the applicant's side and the authority may read: never on the public lookup.
FINDING = "现场核查发现消防通道堆放杂物，与承诺的安全条件不符"
STILL = "复查时消防通道仍被占用，整改期满仍不符合承诺的条件"
INSPECTOR_NAMES = ("监管员陈一", "监管员林二")


def inspectors(regulator) -> list:
    """The two law-enforcement officers of the regulator's organisation who check on site."""
    regulator.full_name = INSPECTOR_NAMES[0]
    regulator.save(update_fields=["full_name"])
    second = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name=INSPECTOR_NAMES[1])
    return [regulator, second]


def decided(commitment_item, enterprise, applicant_user, officer, **options):
    """Item 13 applied for online by the enterprise's member and decided on the spot by the officer."""
    return ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                              officer=officer, **options)


def inspection(application) -> Inspection:
    return Inspection.objects.get(application=application)


def assigned(application, regulator) -> Inspection:
    checkers = inspectors(regulator)
    return supervision_services.inspection_assign(inspection=inspection(application), inspectors=checkers,
                                                  actor=regulator)


def rectify(application, regulator, days=5):
    return supervision_services.inspection_record_result(
        inspection=inspection(application), actor=regulator, outcome=InspectionOutcome.RECTIFY, note=FINDING,
        rectify_within_days=days)


def fails(application, regulator, note=STILL, ground=FailureGround.STILL_NONCONFORMING):
    return supervision_services.inspection_record_result(
        inspection=inspection(application), actor=regulator, outcome=InspectionOutcome.FAILS, note=note,
        ground=ground)
