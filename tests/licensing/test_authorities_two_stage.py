"""谁审批、谁负责, in two stages (issue 11): where the catalogue names an authority that examines first
(初审 / 审核 / 审查) below the one that decides (审批), the lower level examines and forwards with its
opinion, and only the deciding authority decides and issues.

行政许可法 第三十五条 (as cited in licensing/selectors/authorities.py): "依法应当先经下级行政机关审查后报上级
行政机关决定的行政许可，下级行政机关应当在法定期限内将初步审查意见和全部申请材料直接报送上级行政机关。"

Each desk queue lists an application only for the organisation that acts on it now
(licensing.selectors.authorities.acting_q): the first-review authority while it holds it, then the decider.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing import selectors, services
from licensing.constants import Action, Channel, CommitmentKind, ReviewOpinion, Route, Status
from licensing.models import Application, ApplicationEvent, Item
from licensing.selectors.authorities import acting_q
from notices.constants import DocumentKind
from notices.models import Document
from notices.selectors_outbox import department_pushes
from portal.constants import Role
from portal.exceptions import Conflict, InvalidInput, NotAllowed
from portal.models import Organisation
from tests.factories import (
    ApplicantFactory, ApplicationFactory, UserFactory, files_owed_at_commitment, pdf_file, prepared_commitment_item,
)

pytestmark = pytest.mark.django_db

ACT_AS_OFFICER = "licensing.act_as_officer"
REGION_POLICE, CITY_POLICE, COUNTY_POLICE = "自治区公安厅", "市人民政府公安部门", "县区人民政府公安部门"


def org(code) -> Organisation:
    return Organisation.objects.get(code=code)


def officer_of(code):
    return UserFactory(role=Role.OFFICER, organisation=org(code))


@pytest.fixture
def county():
    return officer_of("D03")  # 县区人民政府公安部门


@pytest.fixture
def city():
    return officer_of("C02")  # 市人民政府公安部门


@pytest.fixture
def region():
    return officer_of("R01")  # 自治区公安厅


def submit(item, applicant, actor, **options):
    return services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE, **options)


def fresh(application) -> Application:
    return Application.objects.select_related("authority", "entrusted", "reviewing").get(pk=application.pk)


def allowed(application, user) -> list:
    return selectors.application_allowed_actions(fresh(application), user)


def may_act(user, application) -> bool:
    return user.has_perm(ACT_AS_OFFICER, fresh(application))


def queue(user, name) -> list:
    return getattr(selectors.officer_queues(user), name)


def forward(application, actor, opinion=ReviewOpinion.AGREE, comments=""):
    return services.application_forward(application=application, actor=actor, opinion=opinion, comments=comments)


def desk(client):
    response = client.get(reverse("officer-desk"))
    assert response.status_code == 200
    return response


def section(html, anchor):
    start = html.index(f'<section id="{anchor}">')
    return html[start:html.index("</section>", start)]


def decision_html(application) -> str:
    return Document.objects.get(application=application, kind=DocumentKind.DECISION).html


# --- item 75: 审查 (county), 审核 (city), 审批 (region) ----------------------------------------------

def test_item_75_the_county_examines_the_city_verifies_and_only_the_region_decides(
        enterprise, applicant_user, county, city, region):
    """附件2 序号75, 实施机关: "自治区公安厅审批，市人民政府公安部门审核，县区人民政府公安部门审查" — the county
    examines first, then the city, and 自治区公安厅 alone decides (行政许可法 第三十五条)."""
    application = submit(Item.objects.get(code="QZ-075"), enterprise, applicant_user)
    assert (application.authority, application.reviewing) == (org("R01"), org("D03"))

    application = services.application_accept(application=application, actor=county)
    assert "approve" not in allowed(application, county) and "forward" in allowed(application, county)
    with pytest.raises(Conflict, match=f"办件正由{COUNTY_POLICE}初审"):
        services.application_approve(application=application, actor=county)

    application = forward(application, county)
    assert fresh(application).reviewing == org("C02")
    assert not may_act(county, application) and may_act(city, application) and not may_act(region, application)
    with pytest.raises(Conflict):
        services.application_approve(application=application, actor=city)

    application = forward(application, city)
    assert fresh(application).reviewing is None
    for lower in (county, city):
        assert not may_act(lower, application) and allowed(application, lower) == []
    assert {"approve", "reject"} <= set(allowed(application, region))

    application = services.application_approve(application=application, actor=region)
    assert application.status == Status.APPROVED and application.decided_by == region


def test_item_75_the_events_record_each_stages_opinion_and_the_decider(
        enterprise, applicant_user, county, city, region):
    """附件2 序号75 "…市人民政府公安部门审核，县区人民政府公安部门审查": each stage's opinion goes up with the file
    ("将初步审查意见和全部申请材料直接报送上级行政机关", 行政许可法 第三十五条), and is on the record."""
    application = services.application_accept(
        application=submit(Item.objects.get(code="QZ-075"), enterprise, applicant_user), actor=county)
    forward(application, county, comments="经营场所安全防范设施符合要求。")
    forward(application, city)
    services.application_approve(application=application, actor=region)

    forwards = list(ApplicationEvent.objects.filter(application=application, action=Action.FORWARD)
                    .order_by("at", "id"))
    assert [(e.organisation, e.actor) for e in forwards] == [(org("D03"), county), (org("C02"), city)]
    assert f"{COUNTY_POLICE}审查意见：同意，建议准予许可。经营场所安全防范设施符合要求。" in forwards[0].reason
    assert f"报送{CITY_POLICE}" in forwards[0].reason
    assert f"{CITY_POLICE}审核意见：同意，建议准予许可" in forwards[1].reason and f"报送{REGION_POLICE}" in forwards[1].reason
    stages = list(application.reviews.order_by("order")
                  .values_list("organisation__code", "role", "opinion", "forwarded_by"))
    assert stages == [("D03", "examine", "agree", county.pk), ("C02", "verify", "agree", city.pk)]
    approved = ApplicationEvent.objects.get(application=application, action=Action.APPROVE)
    assert (approved.organisation, approved.actor) == (org("R01"), region)


def test_item_75_the_decision_is_issued_in_the_name_of_the_region_not_the_county(
        enterprise, applicant_user, county, city, region):
    """谁审批、谁负责: the 决定书 of item 75 names 自治区公安厅 ("自治区公安厅审批"), never the county that
    examined it (the defect the issue reports: "a county police officer approved item 75")."""
    application = services.application_accept(
        application=submit(Item.objects.get(code="QZ-075"), enterprise, applicant_user), actor=county)
    forward(forward(application, county), city)
    services.application_approve(application=application, actor=region)

    html = decision_html(application)
    assert f"<th>发证机关</th><td>{REGION_POLICE}</td>" in html
    assert f'<p class="no-indent">{REGION_POLICE}</p>' in html
    assert COUNTY_POLICE not in html and CITY_POLICE not in html and "受委托机关" not in html
    assert department_pushes().get(application=application).authority == org("R01")


# --- item 46: 初审 (city), 审批 (region), the ordinary procedure ----------------------------------

def test_item_46_the_city_accepts_and_examines_then_the_region_decides(enterprise, applicant_user, city, region):
    """附件2 序号46, 实施机关: "自治区公安厅审批，市人民政府公安部门初审" — while 市公安 holds the application
    for first review, it is not on 自治区公安厅's desk; once forwarded, it is on no desk of 市公安."""
    application = submit(Item.objects.get(code="QZ-046"), enterprise, applicant_user)
    assert application.route == Route.ORDINARY and application.reviewing == org("C02")
    assert application in queue(city, "to_accept") and application not in queue(region, "to_accept")

    application = services.application_accept(application=application, actor=city)
    assert application in queue(city, "to_forward")
    assert application not in queue(region, "under_review") and application not in queue(city, "under_review")

    forward(application, city)
    assert application in queue(region, "under_review")
    assert not any(application in queue(city, name) for name in ("to_forward", "under_review", "to_accept"))
    services.application_approve(application=application, actor=region)
    assert fresh(application).status == Status.APPROVED


def test_the_services_themselves_refuse_a_step_from_an_authority_that_does_not_hold_the_application(
        enterprise, applicant_user, city, region, county):
    """附件2 序号46 "自治区公安厅审批，市人民政府公安部门初审", held by the service itself and not only by the
    pages' and the API's permission (an admin action or a command calls the services directly): the region
    may not accept what the city examines, the city may not approve once it has forwarded, and an officer
    of another authority (县区公安) takes no step at all. Nothing changes on a refusal."""
    application = submit(Item.objects.get(code="QZ-046"), enterprise, applicant_user)
    with pytest.raises(NotAllowed) as refused:
        services.application_accept(application=application, actor=region)
    assert CITY_POLICE in refused.value.message and fresh(application).status == Status.SUBMITTED
    application = services.application_accept(application=application, actor=city)
    forward(application, city)
    for intruder in (city, county):
        with pytest.raises(NotAllowed):
            services.application_approve(application=fresh(application), actor=intruder)
    assert fresh(application).status == Status.ACCEPTED and not hasattr(fresh(application), "licence")
    services.application_approve(application=fresh(application), actor=region)
    assert fresh(application).status == Status.APPROVED


def test_item_46_a_disagreeing_opinion_needs_its_reasons_and_the_region_still_decides(
        enterprise, applicant_user, city, region):
    """附件2 序号46 "市人民政府公安部门初审": the first-review opinion goes up with its reasons (行政许可法
    第三十五条 "初步审查意见"); a 不同意 opinion with no reason is refused and nothing moves. The decider is
    not bound by it: 自治区公安厅 decides, and its refusal is in its own name."""
    application = services.application_accept(
        application=submit(Item.objects.get(code="QZ-046"), enterprise, applicant_user), actor=city)
    with pytest.raises(InvalidInput) as refused:
        forward(application, city, ReviewOpinion.DISAGREE, "  ")
    assert refused.value.field == "comments"
    assert fresh(application).reviewing == org("C02") and not application.reviews.filter(forwarded_at__isnull=False)
    assert not ApplicationEvent.objects.filter(application=application, action=Action.FORWARD).exists()

    forward(application, city, ReviewOpinion.DISAGREE, "拟任保安员培训场所不符合要求。")
    event = ApplicationEvent.objects.get(application=application, action=Action.FORWARD)
    assert "初审意见：不同意，建议不予许可。拟任保安员培训场所不符合要求。" in event.reason
    services.application_reject(application=application, actor=region, reason="不具备法定的保安培训条件。")
    rejection = Document.objects.get(application=application, kind=DocumentKind.REJECTION).html
    assert f'<p class="no-indent">{REGION_POLICE}</p>' in rejection and CITY_POLICE not in rejection


def test_the_desk_pages_show_the_first_review_to_the_city_and_nothing_yet_to_the_region(
        login, enterprise, applicant_user, city, region):
    """附件2 序号46 "自治区公安厅审批，市人民政府公安部门初审": 市公安's desk lists it under 待初审报送 with where
    the opinion goes; 自治区公安厅's desk has it in no queue until it is forwarded."""
    application = services.application_accept(
        application=submit(Item.objects.get(code="QZ-046"), enterprise, applicant_user), actor=city)

    to_forward = section(desk(login(city)).content.decode(), "to-forward")
    assert application.number in to_forward and "初审" in to_forward and REGION_POLICE in to_forward
    assert reverse("web-application-detail", args=[application.number]) in to_forward
    assert application.number not in desk(login(region)).content.decode()

    forward(application, city)
    assert application.number not in desk(login(city)).content.decode()
    assert application.number in section(desk(login(region)).content.decode(), "under-review")


def test_the_desk_reads_the_first_review_queue_in_the_same_number_of_queries_however_many(
        login, applicant_user, city):
    """One desk, a fixed number of queries (select_related/prefetch, no query per row)."""
    item = Item.objects.get(code="QZ-046")

    def one_more():
        applied = submit(item, ApplicantFactory(members=[applicant_user]), applicant_user)
        services.application_accept(application=applied, actor=city)

    one_more()
    client = login(city)
    with CaptureQueriesContext(connection) as one:
        desk(client)
    one_more()
    one_more()
    with CaptureQueriesContext(connection) as three:
        response = desk(client)
    assert len(response.context["queues"].to_forward) == 3
    assert len(three) == len(one)


# --- item 12: 初审 (city), 审批 (region), the commitment route -------------------------------------

@pytest.fixture
def item_12():
    return prepared_commitment_item(12)  # notice content and materials filled in, as an admin would


def test_item_12_the_same_day_decision_is_only_the_regions_after_the_city_forwards(
        at, item_12, enterprise, applicant_user, city, region):
    """附件2 序号12, 实施机关: "自治区公安厅审批、市人民政府公安部门初审"; 附件3 第五条's decision on the day of
    the commitment ("当场作出行政许可决定") is 自治区公安厅's, after 市公安 forwards its 初审 opinion."""
    with at(2024, 10, 14, 9):
        application = submit(item_12, enterprise, applicant_user)
        assert application in queue(city, "notices_due") and application not in queue(region, "notices_due")
        services.application_issue_notice(application=application, actor=city)
        application = services.application_commit(
            application=application, actor=applicant_user, kind=CommitmentKind.ALREADY_MEETS, confirmations=[True] * 7,
            signatory="张三", files=files_owed_at_commitment(application))
        assert application in queue(city, "to_forward") and application not in queue(region, "to_decide")
        with pytest.raises(Conflict, match=f"办件正由{CITY_POLICE}初审"):
            services.application_decide(application=application, actor=region)
        assert "decide" not in allowed(application, city)

        forward(application, city, comments="材料齐全，同意报送。")
        assert not may_act(city, application) and "decide" not in allowed(application, city)
        assert application not in queue(city, "to_decide") and application in queue(region, "to_decide")
        assert allowed(application, region) == ["decide"]
        application = services.application_decide(application=application, actor=region)

    assert application.status == Status.APPROVED
    assert f"<th>发证机关</th><td>{REGION_POLICE}</td>" in decision_html(application)
    decided = ApplicationEvent.objects.get(application=application, action=Action.DECIDE)
    assert decided.organisation == org("R01") and decided.late_working_days is None


def test_item_12_a_disagreeing_opinion_without_reasons_is_refused(at, item_12, enterprise, applicant_user, city):
    """附件2 序号12 "市人民政府公安部门初审": 不同意 goes up only with its reasons (行政许可法 第三十五条 "初步审查意见")."""
    with at(2024, 10, 14, 9):
        application = submit(item_12, enterprise, applicant_user)
        services.application_issue_notice(application=application, actor=city)
        application = services.application_commit(
            application=application, actor=applicant_user, kind=CommitmentKind.ALREADY_MEETS, confirmations=[True] * 7,
            signatory="张三", files=files_owed_at_commitment(application))
        with pytest.raises(InvalidInput, match="不同意的初审意见须说明理由"):
            forward(application, city, ReviewOpinion.DISAGREE)
    assert fresh(application).reviewing == org("C02") and fresh(application).status == Status.COMMITTED


# --- one rule for "who acts now" --------------------------------------------------------------------

def test_the_desk_queries_and_the_permission_rule_agree_on_who_acts_at_every_stage(
        enterprise, applicant_user, county, city, region, other_officer):
    """附件2 序号75 "自治区公安厅审批，市人民政府公安部门审核，县区人民政府公安部门审查": at each stage exactly one
    organisation acts, and the desk's query (acting_q) and the permission rule name the same one."""
    application = submit(Item.objects.get(code="QZ-075"), enterprise, applicant_user)
    stages = [lambda a: services.application_accept(application=a, actor=county),
              lambda a: forward(a, county), lambda a: forward(a, city),
              lambda a: services.application_approve(application=a, actor=region)]
    officers = (county, city, region, other_officer)
    for step in [lambda a: a] + stages:
        application = step(application)
        in_query = [Application.objects.filter(acting_q(o.organisation_id), pk=application.pk).exists()
                    for o in officers]
        assert in_query == [may_act(o, application) for o in officers]
        assert sum(in_query) == 1


def test_the_first_review_authority_still_sees_what_it_forwarded_but_an_unrelated_one_sees_nothing(
        enterprise, applicant_user, county, city, region, other_officer):
    """谁审批、谁负责: 市、县公安 examine item 75 ("市人民政府公安部门审核，县区人民政府公安部门审查") and keep
    seeing it, read-only, after forwarding; an authority the catalogue does not name never sees it."""
    application = services.application_accept(
        application=submit(Item.objects.get(code="QZ-075"), enterprise, applicant_user), actor=county)
    forward(forward(application, county), city)

    for officer in (county, city, region):
        assert selectors.application_visible(officer, application)
    for lower in (county, city):
        assert allowed(application, lower) == []
    assert not selectors.application_visible(other_officer, application)
    assert not selectors.applications_of_authority(other_officer).exists()


# --- 待确认经营条件: on the decider's desk ---------------------------------------------------------

def test_a_declared_licence_waits_on_the_deciders_desk_until_it_confirms(
        at, login, commitment_item, enterprise, applicant_user, officer, other_officer):
    """钦政发〔2019〕20号: "企业达到经营许可条件并按要求提交材料后，方可开展经营" — once the holder declares the
    conditions met, the authority that decided confirms: it is on that authority's desk (待确认经营条件), no other's,
    and leaves it when confirmed."""
    with at(2024, 10, 14):
        application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, decided=True, kind=CommitmentKind.WILL_MEET,
                                         meet_by=dt.date(2024, 11, 29))
    assert selectors.officer_queues(officer).conditions_to_confirm == []
    with at(2024, 11, 4):
        for owed in application.materials.filter(status="owed"):
            services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(),
                                     actor=applicant_user)
        services.application_declare_conditions(application=application, actor=applicant_user)
        html = section(desk(login(officer)).content.decode(), "conditions-to-confirm")
        assert application.number in html and "2024年11月29日" in html and "已过承诺日期" not in html
        assert reverse("web-application-detail", args=[application.number]) in html
        assert selectors.officer_queues(other_officer).conditions_to_confirm == []
        services.application_confirm_conditions(application=application, actor=officer)
    assert selectors.officer_queues(officer).conditions_to_confirm == []
