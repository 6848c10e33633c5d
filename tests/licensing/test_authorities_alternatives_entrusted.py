"""谁审批、谁负责 where the catalogue names alternatives ("或者") or an entrusted authority ("其委托的"),
issue 11:
- alternatives (item 22, "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局"): one of them decides
  each application, chosen when it is filed, and only that one acts and signs;
- entrustment (items 21, 80, 82, "或者其委托的…"): the entrusted authority acts and decides in the name of
  the authority that entrusted it (行政许可法 第二十四条, as cited in licensing/selectors/authorities.py:
  "受委托行政机关在委托范围内，以委托行政机关名义实施行政许可"); the documents name both, and the approval
  record routes by the entruster.
"""
import pytest
from django.urls import reverse

from licensing import selectors, services
from licensing.constants import AuthorityRole, Channel, Status
from licensing.models import Application, Item
from licensing.selectors.routing import authority_of
from notices.constants import DocumentKind
from notices.models import Document
from notices.selectors_outbox import department_pushes
from portal.constants import OrgKind, OrgLevel, Role
from portal.exceptions import InvalidInput
from portal.models import Organisation
from supervision.constants import FailureGround
from tests.factories import OrganisationFactory, UserFactory, route_item
from tests.licensing.inspection_world import assigned, decided, fails

pytestmark = pytest.mark.django_db

ACT_AS_OFFICER = "licensing.act_as_officer"


def org(code) -> Organisation:
    return Organisation.objects.get(code=code)


def officer_of(organisation):
    return UserFactory(role=Role.OFFICER, organisation=organisation)


def submit(item, applicant, actor, **options):
    return services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE, **options)


def fresh(application) -> Application:
    return Application.objects.select_related("authority", "entrusted", "reviewing").get(pk=application.pk)


def may_act(user, application) -> bool:
    return user.has_perm(ACT_AS_OFFICER, fresh(application))


def decided_by(application, officer):
    services.application_accept(application=application, actor=officer)
    return services.application_approve(application=application, actor=officer)


def decision_html(application) -> str:
    return Document.objects.get(application=application, kind=DocumentKind.DECISION).html


def queued_anywhere(user, application) -> bool:
    queues = selectors.officer_queues(user)
    rows = [a for name in ("notices_due", "to_decide", "to_accept", "to_forward", "under_review", "corrections",
                           "conditions_to_confirm", "inspections_due") for a in getattr(queues, name)]
    return application in rows


# --- item 22: alternatives -------------------------------------------------------------------------

ITEM_22 = "QZ-022"
WATERWAYS = ("交通运输部", "自治区人民政府水路运输管理部门", "市行政审批局")


def test_item_22_offers_its_three_authorities_as_alternatives():
    """附件2 序号22, 实施机关: "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局" — alternatives (或者),
    not three deciders of one application."""
    options = selectors.decider_options(Item.objects.get(code=ITEM_22))
    assert [o.label for o in options] == list(WATERWAYS)
    assert all(o.entrusted is None for o in options)


def test_item_22_only_the_chosen_authority_acts_and_the_decision_is_in_its_name(enterprise, applicant_user):
    """附件2 序号22 "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局": filed with 市行政审批局, only its
    officers see, act and decide; the 决定书 is 市行政审批局's. The other alternatives neither see nor decide it."""
    bureau, region, ministry = officer_of(org("C01")), officer_of(org("R10")), officer_of(org("N01"))
    application = submit(Item.objects.get(code=ITEM_22), enterprise, applicant_user, authority=org("C01").pk)
    assert (application.authority, application.entrusted, application.reviewing) == (org("C01"), None, None)

    for other in (region, ministry):
        assert not selectors.application_visible(other, application)
        assert not may_act(other, application) and not queued_anywhere(other, application)
    assert may_act(bureau, application) and application in selectors.officer_queues(bureau).to_accept

    decided_by(application, bureau)
    html = decision_html(application)
    assert "<th>发证机关</th><td>市行政审批局</td>" in html
    assert WATERWAYS[0] not in html and WATERWAYS[1] not in html


@pytest.mark.parametrize("choice", ["R01", "not-an-id"])
def test_item_22_a_choice_outside_its_alternatives_is_refused_and_nothing_is_filed(enterprise, applicant_user, choice):
    """附件2 序号22: the decider is "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局" and no other
    (自治区公安厅 is not among them); the refusal names the field and files nothing."""
    authority = org(choice).pk if choice == "R01" else choice
    with pytest.raises(InvalidInput) as refused:
        submit(Item.objects.get(code=ITEM_22), enterprise, applicant_user, authority=authority)
    assert refused.value.field == "authority"
    assert not Application.objects.exists()


# --- items 21, 80, 82: entrusted -------------------------------------------------------------------

ENTRUSTED = [
    # (item, entrusted authority, entruster, the gazette's cell)
    ("QZ-021", "市行政审批局", "自治区文化和旅游厅", "自治区文化和旅游厅或者其委托的市行政审批局"),
    ("QZ-080", "市人民政府应急管理部门", "自治区应急厅", "自治区应急厅及其委托的市、县区人民政府应急管理部门"),
    ("QZ-080", "县区人民政府应急管理部门", "自治区应急厅", "自治区应急厅及其委托的市、县区人民政府应急管理部门"),
    ("QZ-082", "市应急局", "自治区应急厅", "自治区应急厅及其委托的市应急局"),
]


def entrusted_option(code, entrusted_name):
    item = Item.objects.get(code=code)
    (option,) = [o for o in selectors.decider_options(item) if o.entrusted and o.entrusted.name == entrusted_name]
    return item, option


@pytest.mark.parametrize("code,entrusted,entruster,printed", ENTRUSTED)
def test_the_entrusted_authority_decides_in_the_name_of_the_one_that_entrusted_it(
        enterprise, applicant_user, code, entrusted, entruster, printed):
    """附件2 实施机关 "自治区文化和旅游厅或者其委托的市行政审批局" (序号21), "自治区应急厅及其委托的市、县区人民政府
    应急管理部门" (序号80), "自治区应急厅及其委托的市应急局" (序号82): filed with the entrusted authority, the
    application is decided in the entruster's name (行政许可法 第二十四条 "以委托行政机关名义实施行政许可");
    only the entrusted one acts, and the 决定书 names both."""
    item, option = entrusted_option(code, entrusted)
    assert printed in item.printed_authorities
    assert option.label == f"{entrusted}（受{entruster}委托）"
    application = submit(item, enterprise, applicant_user, authority=option.key)
    assert (application.authority.name, application.entrusted.name) == (entruster, entrusted)

    acting, entruster_officer = officer_of(option.entrusted), officer_of(option.authority)
    assert may_act(acting, application) and not may_act(entruster_officer, application)
    assert selectors.application_visible(entruster_officer, application)  # decided in its name: it sees
    assert not queued_anywhere(entruster_officer, application)

    approved = decided_by(application, acting)
    assert approved.status == Status.APPROVED and approved.decided_by == acting
    html = decision_html(application)
    assert f'<p class="no-indent">{entruster}</p>' in html and f"<th>发证机关</th><td>{entruster}</td>" in html
    assert f"受委托机关：{entrusted}（受{entruster}委托" in html


def test_item_21_the_approval_record_routes_by_the_entruster(enterprise, applicant_user):
    """附件2 序号21 "自治区文化和旅游厅或者其委托的市行政审批局": a decision 市行政审批局 makes for 自治区文化和旅游厅
    is 自治区文化和旅游厅's (第二十四条), so the record goes to the regulator routed for that authority's level,
    not to one routed for the city's."""
    item, option = entrusted_option("QZ-021", "市行政审批局")
    city_market = OrganisationFactory(kind=OrgKind.REGULATOR, level=OrgLevel.CITY, name="钦州市文化广电体育和旅游局")
    route_item(item, city_market, level=OrgLevel.CITY)
    application = submit(item, enterprise, applicant_user, authority=option.key)
    assert authority_of(application) == option.authority
    assert selectors.regulator_for(application) == option.authority  # an industry department regulates its own

    decided_by(application, officer_of(option.entrusted))
    record = department_pushes().get(application=application)
    assert (record.authority, record.recipient_org) == (option.authority, option.authority)
    region_regulator = OrganisationFactory(kind=OrgKind.REGULATOR, level=OrgLevel.REGION, name="自治区旅游市场监管")
    route_item(item, region_regulator, level=OrgLevel.REGION)
    assert selectors.regulator_for(application) == region_regulator


def test_an_entrusted_decisions_revocation_request_waits_on_the_entrusted_authoritys_desk(
        at, login, commitment_item, enterprise, applicant_user, officer, regulator):
    """行政许可法 第二十四条: the entrusted authority acts in the entruster's name, and 谁审批、谁撤销 — the request
    to revoke what it decided, its later materials and its inspection deadline are on its desk, not on the
    entruster's (an entrustment set up on item 13, whose catalogue row names none)."""
    bureau = OrganisationFactory(kind=OrgKind.APPROVAL_BUREAU, level=OrgLevel.COUNTY, name="钦南区行政审批局")
    commitment_item.authorities.create(organisation=bureau, role=AuthorityRole.DELEGATED,
                                       entrusted_by=officer.organisation, order=5)
    acting = officer_of(bureau)
    with at(2024, 10, 14):
        application = decided(commitment_item, enterprise, applicant_user, acting)
    assert (application.authority, application.entrusted) == (officer.organisation, bureau)
    assert selectors.officer_queues(acting).inspections_due == [application]
    assert selectors.officer_queues(officer).inspections_due == []
    with at(2024, 10, 21):
        assigned(application, regulator)
        fails(application, regulator, ground=FailureGround.FALSE_COMMITMENT)

    with at(2024, 10, 22):
        mine, theirs = selectors.officer_queues(acting), selectors.officer_queues(officer)
        assert [r.application for r in mine.revocation_requests] == [application]
        assert [s.application for s in mine.materials_due] == [application]
        assert theirs.revocation_requests == [] and not theirs.materials_due
        html = login(acting).get(reverse("officer-desk")).content.decode()
    assert "核查不实，提请撤销（1）" in html and application.number in html
    assert may_act(acting, application) and not may_act(officer, application)


def test_an_unrelated_authority_sees_none_of_these(enterprise, applicant_user, other_officer):
    """谁审批、谁负责: an authority not named in 附件2 for items 21, 22, 80 or 82 sees none of their applications."""
    for code, choice in (("QZ-021", None), ("QZ-022", org("C01").pk), ("QZ-080", None), ("QZ-082", None)):
        submit(Item.objects.get(code=code), enterprise, applicant_user, authority=choice)
    assert not selectors.applications_visible_to(other_officer).exists()
    assert all(not getattr(selectors.officer_queues(other_officer), name)
               for name in ("to_accept", "to_forward", "under_review", "revocation_requests"))
