"""`manage.py seed_volume --applications N`: volume data to measure the portal with (issue 13)."""
import dataclasses
import io
import math
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from licensing import tasks
from licensing.constants import Action, Route, Status
from licensing.models import Applicant, Application, ApplicationEvent, Item, NumberCounter, RegistrationItem
from licensing.selectors import officer_queues
from licensing.services import application_submit
from licensing.validators import validate_uscc
from licensing.volume import APPLICATIONS_PER_APPLICANT
from portal import calendar
from portal.models import User
from supervision.constants import InspectionStatus
from supervision.models import Inspection
from supervision.queue import inspections_for

pytestmark = pytest.mark.django_db

SEEDED = 300


@pytest.fixture
def demo(at):
    """The demo loaded, on a Wednesday in office hours, standing still."""
    with at(2025, 6, 18, 10):
        call_command("load_demo", stdout=io.StringIO())
        yield


def seed(n=SEEDED, **options) -> str:
    out = io.StringIO()
    call_command("seed_volume", applications=n, stdout=out, **options)
    return out.getvalue()


def test_it_adds_exactly_the_applications_asked_for_and_says_what_it_wrote(demo):
    before = Application.objects.count()
    out = seed()
    assert Application.objects.count() == before + SEEDED
    assert f"已添加 {SEEDED} 件" in out and "行/秒" in out and "办件记录" in out and "事后核查" in out


def test_the_statuses_are_spread_as_in_a_portal_three_years_in_use(demo):
    seed()
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses.most_common(1)[0][0] == Status.APPROVED
    assert {Status.SUBMITTED, Status.ACCEPTED, Status.CORRECTION, Status.REJECTED, Status.WITHDRAWN, Status.LAPSED,
            Status.REVOKED, Status.RECORDED, Status.FILED} <= set(statuses)
    submitted = Application.objects.values_list("submitted_at", flat=True)
    assert (timezone.now() - min(submitted)).days > 2 * 365


def test_every_application_has_its_submission_and_the_event_of_its_current_state(demo):
    seed()
    events = {}
    for e in ApplicationEvent.objects.order_by("at", "id"):
        events.setdefault(e.application_id, []).append(e)
    for application in Application.objects.all():
        steps = events[application.pk]
        assert steps[0].action == Action.SUBMIT and steps[0].at == application.submitted_at
        assert steps[-1].to_status == application.status, application.number
        assert all(application.submitted_at <= e.at <= timezone.now() for e in steps)


def test_every_approved_commitment_is_inspected_by_its_regulator_two_months_after_the_decision(demo):
    seed()
    approved = Application.objects.filter(status=Status.APPROVED, route=Route.COMMITMENT).select_related("item")
    assert approved.count() > 50
    for application in approved:
        inspection = Inspection.objects.get(application=application)
        decided_on = timezone.localdate(application.decided_at)
        due = calendar.calendar_months_period_end(decided_on, application.item.inspection_months).date
        assert application.inspection_due == inspection.due_date == due
        assert (inspection.regulator_id, inspection.authority_id) == (application.regulator_id,
                                                                      application.authority_id)
    checks = set(Inspection.objects.values_list("status", flat=True))
    assert {InspectionStatus.PENDING, InspectionStatus.PASSED} <= checks
    assert not Inspection.objects.filter(application__route=Route.ORDINARY).exists()


def test_the_demo_officer_and_the_demo_regulator_find_a_fifth_of_the_rows_on_their_desks(demo):
    seed()
    officer, regulator = User.objects.get(username="demo-officer"), User.objects.get(username="demo-regulator")
    ours = Application.objects.filter(authority=officer.organisation).count()
    assert 0.12 * SEEDED < ours < 0.30 * SEEDED
    assert Application.objects.filter(regulator=regulator.organisation).count() == ours  # the demo item's route
    queues = officer_queues(officer)
    waiting = {f.name: len(getattr(queues, f.name)) for f in dataclasses.fields(queues)}
    assert sum(waiting.values()) > 0, waiting
    assert inspections_for(regulator).exists()


def test_it_leaves_nothing_for_the_deadline_jobs_to_act_on(demo):
    seed()
    for job in (tasks.lapse_overdue_commitments, tasks.revoke_for_overdue_materials,
                tasks.revoke_for_unmet_conditions, tasks.remind_conditions):
        assert job() == [] and job() == []


def test_numbers_are_unique_and_a_later_real_application_gets_a_fresh_one(demo):
    seed()
    numbers = list(Application.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == SEEDED
    this_year = [n for n in numbers if n.startswith("QZ2025-")]
    assert this_year and NumberCounter.objects.get(year=2025).last == len(this_year)
    user = User.objects.get(username="demo-applicant")
    real = application_submit(item=Item.objects.get(seq_no=13), applicant=user.applicants.get(), actor=user)
    assert real.number == f"QZ2025-{len(this_year) + 1:06d}" and real.number not in numbers


def fingerprint() -> list:
    return list(Application.objects.order_by("number").values_list(
        "number", "item__code", "status", "route", "channel", "submitted_at", "applicant__identifier",
        "authority__code", "regulator__code", "decision_due", "inspection_due", "decided_at"))


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(demo):
    runs = []
    for chosen in (7, 7, 8):
        with transaction.atomic():
            seed(seed=chosen)
            runs.append(fingerprint())
            transaction.set_rollback(True)
    assert len(runs[0]) == SEEDED
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_a_second_run_adds_others_beside_the_first(demo):
    seed(100)
    seed(100)
    assert Application.objects.count() == 200
    assert Applicant.objects.filter(members__username__startswith="vol-").count() == 2 * math.ceil(100 / 30)


def test_new_applicants_have_valid_credit_codes_and_verified_accounts(demo):
    seed()
    new = Applicant.objects.filter(members__username__startswith="vol-").distinct()
    assert new.count() == math.ceil(SEEDED / APPLICATIONS_PER_APPLICANT)
    for applicant in new:
        validate_uscc(applicant.identifier)
        assert applicant.applicantmembership_set.get().is_verified


def test_without_the_catalogue_it_refuses_and_writes_nothing(demo):
    RegistrationItem.objects.all().delete()  # the demo registration's items keep the catalogue from going
    Item.objects.all().delete()
    before = (Application.objects.count(), Applicant.objects.count(), User.objects.count(),
              list(NumberCounter.objects.values_list("year", "last")))
    with pytest.raises(CommandError, match="事项目录"):
        seed()
    assert before == (Application.objects.count(), Applicant.objects.count(), User.objects.count(),
                      list(NumberCounter.objects.values_list("year", "last")))


def test_it_refuses_a_count_that_is_not_a_positive_number(demo):
    with pytest.raises(CommandError, match="正整数"):
        seed(0)
    assert not Application.objects.exists()
