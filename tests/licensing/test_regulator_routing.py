"""Issue 9: who regulates what an authority approves. Admins keep the routing table (item × level,
and one authority where an item is run by counties); an industry department that approves is its
own regulator; an approval bureau's items wait unrouted until a route names the regulator.
"""
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from licensing.models import Item, RegulatorRoute
from licensing.selectors import applications_visible_to
from licensing.selectors.routing import authority_of, regulator_for
from notices.constants import OutboxStatus
from notices.selectors_outbox import department_pushes
from portal.constants import OrgKind, OrgLevel, Role
from portal.models import Organisation
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, item_officer, route_item

pytestmark = pytest.mark.django_db


def org(code):
    return Organisation.objects.get(code=code)


@pytest.fixture
def market():
    return OrganisationFactory(kind=OrgKind.REGULATOR, name="钦州市市场监督管理局", level=OrgLevel.CITY)


def test_the_catalogues_approval_bureau_is_marked_as_such():
    assert org("C01").kind == OrgKind.APPROVAL_BUREAU
    assert not Organisation.objects.exclude(code="C01").filter(kind=OrgKind.APPROVAL_BUREAU, code__regex=r"^[NRCD]\d\d$")


def test_an_industry_department_that_approves_regulates_what_it_approves():
    filed = ApplicationFactory(filed=True)
    authority = authority_of(filed)
    assert authority.kind == OrgKind.AUTHORITY
    assert regulator_for(filed) == authority


def test_an_approval_bureau_regulates_nothing_it_approves_until_a_route_says_who_does(market):
    approved = ApplicationFactory(approved=True, item=Item.objects.get(seq_no=66))
    assert authority_of(approved) == org("C01")
    assert regulator_for(approved) is None
    route_item(approved.item, market)
    assert regulator_for(approved) == market


def test_the_deciding_officers_authority_decides_which_levels_route_applies(market):
    item = Item.objects.get(seq_no=44)  # 市行政审批局 or a county's 文化广电体育旅游部门
    county = org("D07")
    county_officer = UserFactory(role=Role.OFFICER, organisation=county)
    route_item(item, market, level=OrgLevel.CITY)
    by_city = ApplicationFactory(approved=True, item=item, officer=item_officer(item))
    by_county = ApplicationFactory(approved=True, item=item, officer=county_officer)
    assert (regulator_for(by_city), regulator_for(by_county)) == (market, county)


def test_a_route_for_one_county_authority_wins_over_the_route_for_its_level(market):
    item = Item.objects.get(seq_no=44)
    county_bureau = OrganisationFactory(kind=OrgKind.APPROVAL_BUREAU, level=OrgLevel.COUNTY, name="灵山县行政审批局")
    its_regulator = OrganisationFactory(kind=OrgKind.REGULATOR, level=OrgLevel.COUNTY, name="灵山县文体局")
    item.authorities.create(organisation=county_bureau, order=9)
    route_item(item, market, level=OrgLevel.COUNTY)
    route_item(item, its_regulator, level=OrgLevel.COUNTY, authority=county_bureau)
    approved = ApplicationFactory(approved=True, item=item, officer=UserFactory(role=Role.OFFICER, organisation=county_bureau))
    assert regulator_for(approved) == its_regulator
    approved.refresh_from_db()
    assert approved.regulator == its_regulator


def test_a_route_for_one_authority_must_be_of_that_authoritys_level(market):
    route = RegulatorRoute(item=Item.objects.get(seq_no=44), level=OrgLevel.CITY, authority=org("D07"), regulator=market)
    with pytest.raises(ValidationError) as refused:
        route.full_clean()
    assert "层级" in str(refused.value)


def test_a_regulator_sees_the_applications_routed_to_it_and_no_other(market):
    item = Item.objects.get(seq_no=66)
    route_item(item, market)
    routed = ApplicationFactory(approved=True, item=item)
    unrelated = ApplicationFactory(filed=True)
    inspector = UserFactory(role=Role.REGULATOR, organisation=market)
    assert list(applications_visible_to(inspector)) == [routed]
    assert unrelated.regulator != market


def test_saving_a_route_in_the_admin_sends_the_records_waiting_for_it(login, admin_user, market):
    item = Item.objects.get(seq_no=66)
    approved = ApplicationFactory(approved=True, item=item)
    assert department_pushes().get(application=approved).status == OutboxStatus.UNROUTED
    response = login(admin_user).post(reverse("admin:licensing_regulatorroute_add"), {
        "item": item.pk, "level": OrgLevel.CITY, "authority": "", "regulator": market.pk}, follow=True)
    assert response.status_code == 200
    assert approved.number in response.content.decode()  # the admin is told which records went out
    record = department_pushes().get(application=approved)
    assert (record.status, record.recipient_org) == (OutboxStatus.PENDING, market)


def test_the_demo_routes_item_13_to_the_demo_regulator():
    call_command("load_demo")
    call_command("load_demo")
    [route] = RegulatorRoute.objects.filter(item__seq_no=13)
    regulator = UserFactory._meta.model.objects.get(username="demo-regulator").organisation
    assert route.regulator == regulator and route.authority is None


def test_the_demo_authority_has_a_contact_for_the_warning_mail():
    call_command("load_demo")
    officer = UserFactory._meta.model.objects.get(username="demo-officer")
    assert officer.organisation.contact_email == "demo-authority@example.invalid"
