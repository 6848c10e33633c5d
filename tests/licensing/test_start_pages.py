"""我的首页 (issue 15): every role lands on its own start page after signing in, and sees there what it has to
do now, a few rows of each list with its count, none of another organisation's or applicant's; the page costs
the same number of queries however long its lists grow."""
import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing import services
from licensing.constants import Channel, CommitmentKind, RatingLevel, Status
from licensing.models import ApplicantMembership
from licensing.selectors.start import START_ROWS
from licensing.services.ratings import rating_submit
from notices.constants import OutboxStatus
from notices.models import Document, OutboxRecord
from notices.outbox import outbox_deliver
from portal.constants import OrgKind, Role
from tests import clock, lists
from tests.factories import (
    TEST_PASSWORD, ApplicantFactory, ApplicationFactory, OrganisationFactory, UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = (2024, 10, 14)  # a Monday; the week before it and the week after are working weeks


def numbers(section) -> list[str]:
    return [getattr(row, "number", None) or row.application.number for row in section]


def start_of(client):
    response = client.get(reverse("start"))
    assert response.status_code == 200
    return response


# --- landing ---------------------------------------------------------------------------------------

def _authenticator(user):
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_an_applicant_lands_on_the_start_page_after_signing_in(client, applicant_user):
    response = client.post(reverse("login"), {"username": applicant_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == "/start/"
    assert settings.LOGIN_REDIRECT_URL == "start"


@pytest.mark.parametrize("persona", ["clerk", "officer", "regulator", "admin_user"])
def test_staff_land_on_the_start_page_once_past_the_second_factor(request, client, persona):
    user = request.getfixturevalue(persona)
    device = _authenticator(user)
    signed = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert signed.status_code == 302 and signed.url == f"{reverse('otp-verify')}?next=%2Fstart%2F"
    passed = client.post(signed.url, {"code": _code(device)})
    assert passed.status_code == 302 and passed.url == "/start/"
    assert client.get(passed.url).templates[0].name == f"licensing/start/{user.role}.html"


def test_a_next_address_still_wins_over_the_start_page(client, applicant_user):
    response = client.post(f"{reverse('login')}?next=/my/applications/",
                           {"username": applicant_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == "/my/applications/"


def test_the_navigation_links_the_start_page_for_signed_in_users_only(client, login, applicant_user):
    assert 'href="/start/"' not in client.get(reverse("catalogue")).content.decode()
    assert 'href="/start/"' in login(applicant_user).get(reverse("catalogue")).content.decode()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("start"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the applicant -----------------------------------------------------------------------------------

def test_the_applicant_sees_what_it_owes_and_by_when(at, login, applicant_user, outsider, enterprise, officer,
                                                     commitment_item):
    ours = {"item": commitment_item, "applicant": enterprise, "actor": applicant_user, "officer": officer}
    with at(2024, 10, 8):
        to_sign = ApplicationFactory(notice_issued=True, **ours)  # commitment due 11 October
        decided = ApplicationFactory(decided=True, kind=CommitmentKind.WILL_MEET, meet_by=dt.date(2024, 10, 31),
                                     **ours)
        correcting = ApplicationFactory(correction=True, **ours)
    with at(*TODAY):
        page = start_of(login(applicant_user)).context["page"]
        assert numbers(page.sections["commitments"]) == [to_sign.number]
        row = page.sections["commitments"][0]
        assert row.commitment_due == dt.date(2024, 10, 11) and row.is_late
        owed = page.sections["materials"][0]
        assert owed.application == decided and owed.material.name == "安全设施说明" and not owed.is_late
        assert numbers(page.sections["conditions"]) == [decided.number]
        assert page.sections["conditions"][0].conditions_due == dt.date(2024, 10, 31)
        assert numbers(page.sections["corrections"]) == [correcting.number]
        assert numbers(page.sections["to_rate"]) == [decided.number]
        html = start_of(login(applicant_user)).content.decode()
        assert to_sign.number in html and "2024-10-11" in html and "安全设施说明" in html

        stranger = start_of(login(outsider)).context["page"]
        assert all(not section and section.total == 0 for section in stranger.sections.values())


def test_a_rated_application_leaves_the_list_to_rate(at, login, applicant_user, enterprise, officer, commitment_item):
    with at(*TODAY):
        decided = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
        assert numbers(start_of(login(applicant_user)).context["sections"]["to_rate"]) == [decided.number]
        rating_submit(application=decided, actor=applicant_user, level=RatingLevel.SATISFIED)
        assert start_of(login(applicant_user)).context["sections"]["to_rate"].total == 0


def test_a_filing_found_untrue_waits_for_its_correction(at, login, applicant_user, enterprise, regulator):
    from licensing.constants import ReformMode
    from tests.factories import catalogue_item, route_item

    route_item(catalogue_item(ReformMode.FILING), regulator.organisation)  # its records go to this regulator
    with at(*TODAY):
        filed = ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
        services.application_mark_filing_untrue(application=filed, actor=regulator, findings="经营场所与备案不符。",
                                                correct_by=dt.date(2024, 10, 24))
        sections = start_of(login(applicant_user)).context["sections"]
        assert numbers(sections["filing_corrections"]) == [filed.number]
        assert sections["filing_corrections"][0].filing_correct_by == dt.date(2024, 10, 24)
        assert filed.number not in numbers(sections["to_rate"])


# --- the window's clerk ------------------------------------------------------------------------------

def test_the_clerk_sees_its_halls_day_and_the_claims_to_verify(at, login, clerk, commitment_item, officer):
    hall_colleague = UserFactory(role=Role.CLERK, organisation=clerk.organisation)
    other_hall = UserFactory(role=Role.CLERK, organisation=OrganisationFactory(kind=OrgKind.SERVICE_HALL))
    window = {"item": commitment_item, "channel": Channel.WINDOW, "officer": officer}
    with at(2024, 10, 11):
        yesterday = ApplicationFactory(actor=hall_colleague, **window)
    with at(*TODAY):
        here = ApplicationFactory(actor=hall_colleague, **window)  # the notice is handed over on the spot
        elsewhere = ApplicationFactory(actor=other_hall, **window)
        approved = ApplicationFactory(approved=True, actor=clerk, channel=Channel.WINDOW)
        claimant = UserFactory(role=Role.APPLICANT)
        ApplicantMembership.objects.create(applicant=ApplicantFactory(name="钦州市待核验有限公司"), user=claimant)

        sections = start_of(login(clerk)).context["sections"]
        assert set(numbers(sections["accepted_today"])) == {here.number, approved.number}
        assert set(numbers(sections["awaiting_commitment"])) == {here.number, yesterday.number}
        assert elsewhere.number not in numbers(sections["awaiting_commitment"])
        assert numbers(sections["results_today"]) == [approved.number]
        assert [claim.user for claim in sections["claims"]] == [claimant]
        assert here.status == Status.NOTICE_ISSUED


# --- the approval officer ----------------------------------------------------------------------------

def test_the_officer_sees_todays_decisions_and_the_deadlines_running(at, login, officer, other_officer,
                                                                      commitment_item):
    with at(2024, 10, 11):
        late = ApplicationFactory(committed=True, item=commitment_item, officer=officer)
    with at(*TODAY):
        due = ApplicationFactory(committed=True, item=commitment_item, officer=officer)
        decided = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        ApplicationFactory(item=commitment_item, channel=Channel.MAIL, officer=officer)  # a notice to issue

        response = start_of(login(officer))
        sections = response.context["sections"]
        assert numbers(sections["decide_today"]) == [late.number, due.number]
        assert [a.is_late for a in sections["decide_today"]] == [True, False]
        assert numbers(sections["decided_today"]) == [decided.number]
        running = {line.key: line for line in response.context["running"]}
        desk = login(officer).get(reverse("officer-desk")).context["queues"]
        assert {key: line.total for key, line in running.items()} == {key: getattr(desk, key).total for key in running}
        assert running["to_decide"].total == 2 and running["to_decide"].late
        assert running["notices_due"].total == 1 and running["notices_due"].earliest == dt.date(2024, 10, 17)

        theirs = start_of(login(other_officer))
        assert theirs.context["sections"]["decide_today"].total == 0
        assert all(line.total == 0 for line in theirs.context["running"])


def test_the_officer_sees_poor_ratings_left_unanswered_past_their_15_working_days(at, login, officer, applicant_user,
                                                                                  enterprise, commitment_item):
    with at(2024, 9, 2):
        decided = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
        rating = rating_submit(application=decided, actor=applicant_user, level=RatingLevel.DISSATISFIED,
                               comment="等候时间太长。")
    with at(2024, 9, 20):
        assert start_of(login(officer)).context["sections"]["follow_ups"].total == 0
    with at(*TODAY):
        follow_ups = start_of(login(officer)).context["sections"]["follow_ups"]
        assert list(follow_ups) == [rating] and rating.follow_up_due < dt.date(*TODAY)


# --- the regulator -----------------------------------------------------------------------------------

def test_the_regulator_sees_its_inbox_and_its_inspections_due(at, login, regulator, other_regulator, officer,
                                                             commitment_item):
    with at(2024, 8, 1):
        old = ApplicationFactory(decided=True, item=commitment_item, officer=officer)  # check due 8 October
    with at(*TODAY):
        new = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        for record in OutboxRecord.objects.filter(status=OutboxStatus.PENDING):
            outbox_deliver(record.pk)
        response = start_of(login(regulator))
        sections = response.context["sections"]
        assert set(numbers(sections["inbox"])) == {old.number, new.number}
        assert numbers(sections["inspections"]) == [old.number, new.number]
        assert [i.is_late for i in sections["inspections"]] == [True, False]
        assert response.context["counts"].overdue == 1

        theirs = start_of(login(other_regulator)).context["sections"]
        assert theirs["inbox"].total == 0 and theirs["inspections"].total == 0


# --- the admin -----------------------------------------------------------------------------------------

def test_the_admin_sees_volumes_and_whatever_is_stuck(at, login, admin_user, officer, commitment_item):
    with at(2024, 10, 1):  # its record due within 3 working days (after the National Day holiday), never delivered
        earlier = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
    with at(*TODAY):
        today = ApplicationFactory(decided=True, item=commitment_item, officer=officer)
        OutboxRecord.objects.filter(application=today).update(status=OutboxStatus.DEAD, attempts=8,
                                                              last_error="连接被拒绝")
    with at(2024, 10, 14, 16):
        response = start_of(login(admin_user))
        commitment = next(row for row in response.context["volumes"] if row["label"] == "实行告知承诺")
        assert (commitment["today"], commitment["month"]) == (1, 2)
        sections = response.context["sections"]
        assert numbers(sections["stuck"]) == [earlier.number, today.number]  # the earliest due first
        assert [record.status for record in sections["stuck"]] == [OutboxStatus.PENDING, OutboxStatus.DEAD]
        # no worker rendered the PDFs here: every document waits, the oldest first, five of them shown
        assert sections["unrendered"].total == Document.objects.count() > START_ROWS
        assert [d.application for d in sections["unrendered"]][:4] == [earlier] * 4
        assert dict((s, n) for s, _label, n in response.context["outbox"])[OutboxStatus.DEAD] >= 1


def test_the_admin_sees_records_and_items_no_route_names_a_regulator_for(at, login, admin_user):
    world = lists.build_world()  # with an item an approval bureau approves and no route covers
    with at(*TODAY):
        application = lists.record_unrouted(world)
        sections = start_of(login(admin_user)).context["sections"]
        assert numbers(sections["unrouted"]) == [application.number]
        items = login(admin_user).get(reverse("start"), {"section": "unrouted_items"}).context["sections"]
        assert world.unrouted_item in list(items["unrouted_items"])
        assert items["unrouted_items"].total == sections["unrouted_items"].total


def test_the_items_listed_without_a_route_are_those_whose_records_routing_sends_nowhere(commitment_item):
    """The list is the query form of licensing.selectors.routing.regulator_for: checked against it for every
    approving authority of every item of the catalogue."""
    from licensing.constants import AuthorityRole
    from licensing.models import Application, Item
    from licensing.selectors.routing import regulator_for
    from licensing.selectors.start import items_without_route

    listed = set(items_without_route())
    assert listed and commitment_item not in listed
    for item in Item.objects.prefetch_related("authorities__organisation"):
        deciders = [a.organisation for a in item.authorities.all() if a.role == AuthorityRole.APPROVE]
        unrouted = any(regulator_for(Application(item=item, authority=org), org) is None for org in deciders)
        assert (item in listed) == unrouted, item


# --- one list at a time, and bad input ----------------------------------------------------------------

def test_one_section_is_paged_alone(at, login, officer, commitment_item):
    with at(*TODAY):
        made = [ApplicationFactory(committed=True, item=commitment_item, officer=officer)
                for _ in range(START_ROWS + 1)]
        client = login(officer)
        page = start_of(client).context["sections"]["decide_today"]
        assert len(page) == START_ROWS and page.total == START_ROWS + 1
        assert "?section=decide_today" in start_of(client).content.decode()
        alone = client.get(reverse("start"), {"section": "decide_today"})
        assert alone.status_code == 200 and list(alone.context["sections"]) == ["decide_today"]
        assert numbers(alone.context["sections"]["decide_today"]) == [a.number for a in made]


@pytest.mark.parametrize("section", ["nonsense", "inbox", "x" * 300])
def test_a_section_the_page_does_not_have_is_refused(login, applicant_user, section):
    """An officer's or regulator's list is no list of the applicant's page: refused like an unknown one."""
    response = login(applicant_user).get(reverse("start"), {"section": section})
    assert response.status_code == 400 and "没有这个列表" in response.content.decode()


def test_a_page_number_past_the_end_shows_the_last_page(login, applicant_user):
    response = login(applicant_user).get(reverse("start"), {"section": "commitments", "page": "999999999999"})
    assert response.status_code == 200 and response.context["sections"]["commitments"].total == 0


# --- the same queries however long the lists ----------------------------------------------------------

def will_meet(world):                # a licence on a commitment to meet the conditions by a date
    return ApplicationFactory(decided=True, kind=CommitmentKind.WILL_MEET,
                              meet_by=dt.date(*lists.BUILT_ON) + dt.timedelta(days=30), **lists._ours(world))


def dead_record(world):              # a record the outbox gave up on
    application = lists.record_missed(world)
    OutboxRecord.objects.filter(application=application).update(status=OutboxStatus.DEAD, last_error="连接被拒绝")
    return application


def poorly_rated(world):             # a poor rating its authority left unanswered past its 15 working days
    with clock.at(2024, 9, 2):
        application = lists.decided(world)
        rating_submit(application=application, actor=world.applicant_user, level=RatingLevel.VERY_DISSATISFIED)
    return application


def window_decided(world):           # approved on the spot at the clerk's window today
    return ApplicationFactory(decided=True, **lists._ours(world, actor=world.clerk, channel=Channel.WINDOW))


def pending_claim(world):            # an account claiming the enterprise online, not verified yet
    world.enterprise.members.add(UserFactory(role=Role.APPLICANT))


def registration(world):            # 双告知 (issue 16): the registry told the enterprise it needs item 13
    from tests.licensing.test_registrations_account import registered

    return registered(world.enterprise)


ROWS = [lists.in_post, lists.committed, lists.correction, lists.decided, will_meet, lists.filing_untrue,
        lists.record_unrouted, dead_record, poorly_rated, window_decided, pending_claim, registration]
READERS = ("applicant_user", "clerk", "officer", "regulator", "admin")


def test_every_start_page_reads_more_rows_in_as_many_queries(settings, tmp_path):
    """One of each row (fewer than a section shows), then START_ROWS + 2 (more): every section of every role
    has rows, and no page spends a query more on the longer lists, nor on each row it shows."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path
    world = lists.build_world()
    clients = {reader: lists.client_for(getattr(world, reader)) for reader in READERS}
    found = {}
    for steps in (1, START_ROWS + 2):
        lists.grow(world, ROWS, steps)
        with clock.at(*lists.BUILT_ON, hour=16):
            for reader, client in clients.items():
                found.setdefault(reader, []).append(lists.measure(client, reverse("start"), cache))
    for reader, (small, large) in found.items():
        for taken in (small, large):
            assert taken.error is None, taken.error
            sections = taken.response.context["sections"]
            assert all(sections.values()), f"{reader}: an empty section {[k for k, v in sections.items() if not v]}"
            assert all(len(section) <= START_ROWS for section in sections.values())
        grown = "\n".join(lists.grown(small, large))
        assert small.count == large.count, f"{reader}: {small.count} queries, then {large.count}:\n{grown}"
