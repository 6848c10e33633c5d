"""备案事项 on the regulator's desk (issue 11, after a look in the browser): the filings its organisation
received and the corrections it ordered, each a link to the application where it marks or follows up.

钦政发〔2019〕20号 二（四）: "企业备案后，各有关监管部门要依法实施有效监管，对未按规定备案或备案信息不实的企业，
要明确监管规则，依法调查处理并采取措施予以纠正". A filing is the regulator's that the routing table named
(Application.regulator, 谁主管、谁监管); no other regulator sees it.
"""
import datetime as dt
import html

import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import ApplicantKind
from portal.constants import Role
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

DESK = reverse("regulator-desk")
FINDINGS = "备案的经营场所地址与实际不符。"
CORRECT_BY = dt.date(2024, 11, 15)


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def section(page: str, title: str) -> str:
    """The part of the 备案事项 section under `title` (up to the next heading)."""
    filings = page.split('id="filings-title">备案事项', 1)[1]
    return filings.split(f"<h3>{title}</h3>", 1)[1].split("<h3>", 1)[0]


def rows(part: str) -> list[str]:
    return part.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:] if "<tbody>" in part else []


def link_to(application) -> str:
    return f'href="{reverse("web-application-detail", args=[application.number])}"'


@pytest.fixture
def filed(enterprise, applicant_user, at):
    """A filing (审批改为备案) made online on 2024-10-14; its record went to the department that regulates it."""
    with at(2024, 10, 14):
        return ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)


@pytest.fixture
def its_regulator(filed):
    return UserFactory(role=Role.REGULATOR, organisation=filed.regulator, full_name="监管员")


def mark_untrue(application, actor):
    return services.application_mark_filing_untrue(application=application, actor=actor, findings=FINDINGS,
                                                   correct_by=CORRECT_BY)


def test_the_regulator_sees_the_filing_it_received_with_a_link_to_it(login, filed, its_regulator, at):
    """20号 二（四） "企业备案后，各有关监管部门要依法实施有效监管": the desk lists the filings received."""
    with at(2024, 10, 15):
        page = text(login(its_regulator).get(DESK))
    received = section(page, "最近收到的备案")
    assert filed.number in received and link_to(filed) in received
    assert "钦州市好客旅馆有限公司" in received and "2024-10-14" in received and "已备案共 1 项" in received
    assert "没有待改正的备案" in section(page, "责令改正，待改正")


def test_a_filing_marked_untrue_waits_for_its_correction_with_its_date_and_is_late_after_it(
        login, filed, its_regulator, at):
    """20号 二（四） "对…备案信息不实的企业，…依法调查处理并采取措施予以纠正": the correction ordered is followed
    up on the desk until the filer corrects it; past its date it stands out as late."""
    def desk_on(*day):
        with at(*day):  # signed in afresh: a session does not outlive weeks of time travel
            return text(login(its_regulator).get(DESK))
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
    page = desk_on(2024, 10, 21)
    awaiting = section(page, "责令改正，待改正")
    assert filed.number in awaiting and link_to(filed) in awaiting and "2024-11-15" in awaiting
    assert "已逾期" not in awaiting and "late-row" not in awaiting
    assert filed.number not in section(page, "最近收到的备案")
    # the last day to correct is still in time
    assert "已逾期" not in section(desk_on(2024, 11, 15), "责令改正，待改正")
    awaiting = section(desk_on(2024, 11, 16), "责令改正，待改正")
    assert '<span class="late">已逾期</span>' in awaiting and "late-row" in awaiting


def test_corrections_are_listed_by_the_oldest_date_first(login, filed, its_regulator, enterprise, applicant_user, at):
    """The correction due soonest is the one to follow up first (20号 二（四） "予以纠正")."""
    with at(2024, 10, 14):
        other = ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
        services.application_mark_filing_untrue(application=other, actor=its_regulator, findings=FINDINGS,
                                                correct_by=dt.date(2024, 11, 1))
        awaiting = section(text(login(its_regulator).get(DESK)), "责令改正，待改正")
    assert awaiting.index(other.number) < awaiting.index(filed.number)


def test_a_persons_name_shows_as_the_surname_only(login, its_regulator, at):
    """A person's name is personal data: the desk lists it masked, as it does for the checks."""
    member = UserFactory(role=Role.APPLICANT)
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number(7), name="王小明", members=[member])
    with at(2024, 10, 14):
        ApplicationFactory(filed=True, applicant=person, actor=member)
        received = section(text(login(its_regulator).get(DESK)), "最近收到的备案")
    assert "王**" in received and "王小明" not in received and person.identifier not in received


def test_another_regulator_sees_none_of_it(login, filed, its_regulator, other_regulator, at):
    """谁主管、谁监管: the filing and its correction are its own regulator's only."""
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
        page = text(login(other_regulator).get(DESK))
    assert filed.number not in page
    assert "没有待改正的备案" in page and "本部门还没有收到备案" in page


def test_the_desk_reads_the_filings_in_a_bounded_number_of_queries(
        login, filed, its_regulator, enterprise, applicant_user, at, django_assert_max_num_queries):
    """However many filings arrive, the desk costs the same: the list shows the newest 20 and counts all."""
    client = login(its_regulator)
    with at(2024, 10, 21):
        mark_untrue(filed, its_regulator)
        client.get(DESK)  # the session and the second factor settle on the first request
        with django_assert_max_num_queries(100) as one:
            client.get(DESK)
        for _ in range(22):
            ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
        mark_untrue(ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user), its_regulator)
        with django_assert_max_num_queries(len(one.captured_queries)):
            page = text(client.get(DESK))
    received = section(page, "最近收到的备案")
    assert len(rows(received)) == 20 and "已备案共 22 项，此处列出最近 20 项" in received
    assert len(rows(section(page, "责令改正，待改正"))) == 2


def test_past_the_count_cap_the_desk_says_how_many_at_least(
        login, filed, its_regulator, enterprise, applicant_user, monkeypatch):
    """Issue 13: the filings are counted up to a cap, so that the count costs the same at a million rows;
    beyond it the desk says "以上" rather than a wrong exact figure."""
    import licensing.selectors.filings as filings

    monkeypatch.setattr(filings, "COUNT_CAP", 2)
    for _ in range(2):
        ApplicationFactory(filed=True, applicant=enterprise, actor=applicant_user)
    received = section(text(login(its_regulator).get(DESK)), "最近收到的备案")
    assert len(rows(received)) == 3 and "已备案共 2 项以上" in received
