"""Applications in the states issue 11's steps start from, reached through the services (for the
page and API tests of those steps: test_issue11_steps_pages.py, test_issue11_steps_api.py).

Organisations come from the catalogue's migrations by code: R01 自治区公安厅 (decides items 46, 75),
C02 市人民政府公安部门 (初审 of item 46, 审核 of item 75), D03 县区人民政府公安部门 (审查 of item 75, and
item 13's authority: the `officer` persona).
"""
import datetime as dt

from django.utils import timezone

from licensing import services
from licensing.constants import Channel, CommitmentKind, ReformMode
from licensing.models import Item
from portal.constants import Role
from portal.models import Organisation
from tests.factories import UserFactory, commitment_application, pdf_file, route_item

REGION_POLICE, CITY_POLICE, COUNTY_POLICE = "自治区公安厅", "市人民政府公安部门", "县区人民政府公安部门"


def org(code) -> Organisation:
    return Organisation.objects.get(code=code)


def officer_of(code):
    return UserFactory(role=Role.OFFICER, organisation=org(code))


def in_days(n) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def submit(code, applicant, actor, channel=Channel.ONLINE, **options):
    return services.application_submit(item=Item.objects.get(code=code), applicant=applicant, actor=actor,
                                       channel=channel, **options)


def at_first_review(applicant, actor, city):
    """Item 46 ("自治区公安厅审批、市人民政府公安部门初审") accepted by the city police, which examines it first."""
    return services.application_accept(application=submit("QZ-046", applicant, actor), actor=city)


def mailed_notice(item, applicant, clerk, officer):
    """Item 13 sent in by post: the notice goes out by post, its receipt not yet recorded (附件3 第三条)."""
    application = services.application_submit(item=item, applicant=applicant, actor=clerk, channel=Channel.MAIL)
    return services.application_issue_notice(application=application, actor=officer)


def will_meet_licence(item, applicant, actor, officer, *, hand_in=True, meet_by=None):
    """Licensed on a commitment to meet the conditions by a date (钦政发〔2019〕20号); with `hand_in`, the
    material owed after the decision is handed in."""
    application = commitment_application(item=item, applicant=applicant, actor=actor, officer=officer,
                                         channel="online", kind=CommitmentKind.WILL_MEET,
                                         meet_by=meet_by or in_days(30))
    if hand_in:
        for owed in application.materials.filter(status="owed"):
            services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(),
                                     actor=actor)
    return application


def regulated_filing(applicant, actor, regulator):
    """Item 3 (审批改为备案) filed by the applicant; its records go to `regulator`'s organisation."""
    item = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(item, regulator.organisation)
    return services.application_submit(item=item, applicant=applicant, actor=actor, channel=Channel.ONLINE,
                                       details="经营场所：钦州市钦南区某路2号。")


def untrue_filing(applicant, actor, regulator):
    return services.application_mark_filing_untrue(
        application=regulated_filing(applicant, actor, regulator), actor=regulator,
        findings="经营场所与备案不符。", correct_by=in_days(10))
