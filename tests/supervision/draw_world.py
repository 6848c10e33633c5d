"""A regulator's licensed population for the 双随机 tests (issue 14): enterprises holding item 13's licence,
decided the real way in October 2026 and routed to item 13's regulator, and the regulator's inspectors."""
from dataclasses import dataclass, field

from licensing.constants import ApplicantKind
from portal.constants import Role
from supervision.models import Inspector
from tests.clock import at
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, valid_id_number

TODAY = (2026, 11, 16, 10)


@dataclass
class DrawWorld:
    regulator: object
    organisation: object
    item: object
    applications: list = field(default_factory=list)
    inspectors: list = field(default_factory=list)

    def plan_data(self, **overrides) -> dict:
        data = {"title": "2026年第四季度旅馆业双随机抽查", "items": [self.item.code], "authorities": [],
                "licensed_from": "2026-10-01", "licensed_until": "2026-10-31", "sample_percent": 50,
                "inspectors_per_entity": 2, "inspectors": [i.code for i in self.inspectors],
                "due_date": "2026-12-31"}
        return {**data, **overrides}


def draw_world(*, item, regulator, officer, entities=6, inspectors=4, person=False) -> DrawWorld:
    world = DrawWorld(regulator=regulator, organisation=regulator.organisation, item=item)
    for n in range(entities):
        kind = ApplicantKind.PERSON if person and n == 0 else ApplicantKind.ENTERPRISE
        extra = {"kind": kind, "identifier": valid_id_number(7), "name": "陈大文"} if kind == ApplicantKind.PERSON else {}
        applicant = ApplicantFactory(**extra)
        with at(2026, 10, 12 + n % 5, 10):
            world.applications.append(ApplicationFactory(decided=True, item=item, applicant=applicant,
                                                         officer=officer, channel="window"))
    for n in range(inspectors):
        user = regulator if n == 0 else UserFactory(role=Role.REGULATOR, organisation=world.organisation,
                                                    full_name=f"执法{n}号")
        world.inspectors.append(Inspector.objects.create(organisation=world.organisation, user=user,
                                                         code=f"45070{n:04d}"))
    return world
