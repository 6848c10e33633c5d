"""The regulator's inspections through the API (issue 10): its queue, assigning inspectors, and results.

Inspections arrive the real way: a commitment decision made through licensing's services schedules
one for the item's regulator (附件3 第七条). Results go through supervision's services.
"""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from licensing.constants import Status
from licensing.models import Item
from portal.constants import Role
from supervision.models import Inspection, InspectionFile, InspectionResult, RevocationRequest
from tests.factories import ApplicationFactory, UserFactory, ready_commitment_item, route_item

pytestmark = pytest.mark.django_db

LIST = "/api/v1/inspections/"
NOT_FOUND = "核查不存在，或不是本部门监管的核查。"


def detail(inspection):
    return f"/api/v1/inspections/{inspection.pk}/"


def assign_url(inspection):
    return f"/api/v1/inspections/{inspection.pk}/assign/"


def result_url(inspection):
    return f"/api/v1/inspections/{inspection.pk}/result/"


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def inspected(item, **options) -> Inspection:
    """The inspection a decision on the spot schedules for the item's regulator."""
    return ApplicationFactory(decided=True, item=item, **options).inspection


def applications(response):
    assert response.status_code == 200, response.content
    return [row["application"] for row in response.json()["results"]]


@pytest.fixture
def api(login):
    return login


@pytest.fixture
def colleague_inspector(regulator):
    """A second law-enforcement officer of the regulator's organisation (两名以上执法人员)."""
    return UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="核查员乙")


@pytest.fixture
def assigned(api, regulator, colleague_inspector, commitment_item):
    """An inspection of item 13 assigned to the regulator and its colleague, through the API."""
    inspection = inspected(commitment_item)
    response = post_json(api(regulator), assign_url(inspection),
                         {"inspectors": [regulator.username, colleague_inspector.username]})
    assert response.status_code == 200, response.content
    return inspection


@pytest.fixture
def elsewhere(other_regulator):
    """An inspection of another commitment item, routed to another organisation's regulator."""
    seq_no = Item.objects.filter(reform_mode="commitment").exclude(seq_no=13).order_by("seq_no").first().seq_no
    item = ready_commitment_item(seq_no)
    route_item(item, other_regulator.organisation)
    return inspected(item)


# --- the queue ---------------------------------------------------------------------------------

def test_the_list_shows_the_regulators_own_inspections_with_what_its_system_needs(
        api, regulator, commitment_item, elsewhere):
    inspection = inspected(commitment_item)
    body = api(regulator).get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == inspection.pk and row["application"] == inspection.application.number
    assert row["item"] == "QZ-013" and row["applicant"] == inspection.application.applicant.name
    assert row["regulator"] == {"code": regulator.organisation.code, "name": regulator.organisation.name}
    assert row["authority"]["code"] == inspection.authority.code
    assert row["status"] == "pending" and row["status_label"] == "待核查"
    assert row["due_date"] == inspection.due_date.isoformat() and row["overdue"] is False
    assert row["full_coverage"] is True  # item 13 is among items 4-19
    assert row["inspectors"] == [] and row["results"] == [] and row["revocation_request"] is None


def test_a_person_applicant_is_shown_by_surname_only(api, regulator, commitment_item):
    person = ApplicationFactory(decided=True, item=commitment_item).applicant
    person.kind, person.name = "person", "张三丰"
    person.save()
    assert api(regulator).get(LIST).json()["results"][0]["applicant"] == "张**"


def test_the_list_is_narrowed_by_the_pages_filters(api, at, regulator, colleague_inspector, commitment_item):
    with at(2024, 9, 2):
        late = inspected(commitment_item)          # due 2024-11-02
    with at(2024, 10, 14):
        coming = inspected(commitment_item)        # due 2024-12-14
    with at(2024, 11, 10):
        client = api(regulator)
        post_json(client, assign_url(coming), {"inspectors": [regulator.username, colleague_inspector.username]})
        assert applications(client.get(LIST, {"overdue": "true"})) == [late.application.number]
        assert applications(client.get(LIST, {"overdue": "false"})) == [coming.application.number]
        assert applications(client.get(LIST, {"due_within": "40"})) == [coming.application.number]
        assert applications(client.get(LIST, {"due_within": "10"})) == []
        assert applications(client.get(LIST, {"inspector": colleague_inspector.username})) == [
            coming.application.number]
        assert len(applications(client.get(LIST, {"item": "qz-013", "status": "pending"}))) == 2
        assert applications(client.get(LIST, {"county": late.authority.code})) == [
            late.application.number, coming.application.number]
        assert applications(client.get(LIST, {"county": "ZZ9"})) == []
        rows = client.get(LIST).json()["results"]
    assert [row["overdue"] for row in rows] == [True, False]


def test_bad_filters_are_refused_all_at_once(api, regulator, commitment_item):
    inspected(commitment_item)
    response = api(regulator).get(LIST, {"status": "done", "due_within": "-1", "overdue": "maybe"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] in {"status", "due_within", "overdue"} and body["detail"]
    assert set(body["errors"]) == {"status", "due_within", "overdue"}


@pytest.mark.parametrize("persona", ["applicant_user", "officer", "clerk", "admin_user"])
def test_anyone_but_a_regulator_is_refused_the_list_and_told_no_inspection_exists(
        request, api, persona, commitment_item):
    inspection = inspected(commitment_item)
    client = api(request.getfixturevalue(persona))
    response = client.get(LIST)
    assert response.status_code == 403
    assert response.json()["detail"] == "核查队列只供行业主管部门的监管人员查看本部门的核查。"
    assert client.get(detail(inspection)).status_code == 404


def test_another_organisations_inspection_reads_like_one_that_does_not_exist(api, regulator, elsewhere):
    client = api(regulator)
    assert client.get(LIST).json()["count"] == 0
    refused, missing = client.get(detail(elsewhere)), client.get("/api/v1/inspections/999999999/")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json() == {"detail": NOT_FOUND}
    assert client.get("/api/v1/inspections/99999999999999999999999/").status_code == 404


def test_one_inspection_is_read_by_its_id(api, regulator, commitment_item):
    inspection = inspected(commitment_item)
    response = api(regulator).get(detail(inspection))
    assert response.status_code == 200
    assert response.json()["application"] == inspection.application.number


def test_anonymous_callers_are_asked_to_sign_in(client, commitment_item):
    inspection = inspected(commitment_item)
    for response in (client.get(LIST), client.get(detail(inspection)),
                     post_json(client, assign_url(inspection), {"inspectors": []}),
                     post_json(client, result_url(inspection), {"outcome": "conforms", "note": "x"})):
        assert response.status_code == 401


# --- assigning ---------------------------------------------------------------------------------

def test_inspectors_are_assigned_by_username_and_a_second_call_changes_nothing(
        api, regulator, colleague_inspector, commitment_item):
    inspection = inspected(commitment_item)
    client = api(regulator)
    names = [colleague_inspector.username, regulator.username]
    first = post_json(client, assign_url(inspection), {"inspectors": names})
    second = post_json(client, assign_url(inspection), {"inspectors": names})
    assert first.status_code == second.status_code == 200
    assert sorted(i["username"] for i in second.json()["inspectors"]) == sorted(names)
    assert "核查员乙" in [i["name"] for i in second.json()["inspectors"]]
    assert sorted(inspection.inspectors.values_list("username", flat=True)) == sorted(names)


def test_an_unknown_username_is_refused_by_name(api, regulator, commitment_item):
    inspection = inspected(commitment_item)
    response = post_json(api(regulator), assign_url(inspection), {"inspectors": [regulator.username, "nobody-x"]})
    assert response.status_code == 400
    assert response.json()["field"] == "inspectors" and "nobody-x" in response.json()["detail"]
    assert not inspection.inspectors.exists()


def test_another_organisations_regulator_cannot_be_named_an_inspector(
        api, regulator, other_regulator, commitment_item):
    inspection = inspected(commitment_item)
    response = post_json(api(regulator), assign_url(inspection),
                         {"inspectors": [regulator.username, other_regulator.username]})
    assert response.status_code == 400 and other_regulator.username in response.json()["detail"]


def test_one_inspector_is_not_enough_for_an_on_site_check(api, regulator, commitment_item):
    inspection = inspected(commitment_item)
    response = post_json(api(regulator), assign_url(inspection), {"inspectors": [regulator.username]})
    assert response.status_code == 400
    assert response.json()["field"] == "inspectors" and "2名以上" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"inspectors": "user1"}, {"inspectors": [{"a": 1}]}])
def test_inspectors_that_are_not_a_list_of_names_are_refused(api, regulator, commitment_item, body):
    response = post_json(api(regulator), assign_url(inspected(commitment_item)), body)
    assert response.status_code == 400 and response.json()["field"].startswith("inspectors")


def test_another_organisations_regulator_is_told_the_inspection_does_not_exist(
        api, regulator, colleague_inspector, other_regulator, commitment_item):
    inspection = inspected(commitment_item)
    client = api(other_regulator)
    response = post_json(client, assign_url(inspection), {"inspectors": [regulator.username,
                                                                         colleague_inspector.username]})
    assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND}
    response = post_json(client, result_url(inspection), {"outcome": "conforms", "note": "现场核查属实。"})
    assert response.status_code == 404
    assert not inspection.inspectors.exists() and not inspection.results.exists()


# --- results -----------------------------------------------------------------------------------

def test_a_conforming_check_closes_the_inspection_and_a_second_is_a_conflict(api, regulator, assigned):
    client = api(regulator)
    body = {"outcome": "conforms", "note": "现场核查，承诺属实。"}
    first, second = post_json(client, result_url(assigned), body), post_json(client, result_url(assigned), body)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "passed" and first.json()["overdue"] is False
    [result] = first.json()["results"]
    assert result["outcome"] == "conforms" and result["note"] == "现场核查，承诺属实。"
    assert "核查员乙" in result["inspector_names"] and result["is_reinspection"] is False
    assert second.status_code == 409 and "核查属实" in second.json()["detail"]
    assert InspectionResult.objects.filter(inspection=assigned).count() == 1


def test_a_result_before_two_inspectors_are_assigned_is_a_conflict(api, regulator, commitment_item):
    inspection = inspected(commitment_item)
    response = post_json(api(regulator), result_url(inspection), {"outcome": "conforms", "note": "属实。"})
    assert response.status_code == 409 and "2名以上" in response.json()["detail"]
    assert not inspection.results.exists()


def test_every_problem_of_a_result_is_named_at_once(api, regulator, assigned):
    response = post_json(api(regulator), result_url(assigned), {"outcome": "maybe", "note": "  "})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"outcome", "note"}
    assert not assigned.results.exists()


def test_a_rectification_without_days_in_range_is_refused(api, regulator, assigned):
    client = api(regulator)
    for days in (None, 0, 61, "三天"):
        response = post_json(client, result_url(assigned), {"outcome": "rectify", "note": "消防通道堵塞。",
                                                            "rectify_within_days": days})
        assert response.status_code == 400 and response.json()["field"] == "rectify_within_days", days
    assert not assigned.results.exists()


def test_a_rectification_sets_a_deadline_in_working_days_and_the_recheck_waits_for_it(
        api, at, regulator, colleague_inspector, commitment_item):
    names = [regulator.username, colleague_inspector.username]
    with at(2024, 9, 30):
        client = api(regulator)
        inspection = inspected(commitment_item)
        post_json(client, assign_url(inspection), {"inspectors": names})
        order = {"outcome": "rectify", "note": "消防通道堵塞。", "rectify_within_days": 3}
        first = post_json(client, result_url(inspection), order)
        again = post_json(client, result_url(inspection), order)
    assert first.status_code == 201, first.content
    # 3 working days after Monday 30 September 2024: the National Day holiday (1-7 October) does not count.
    assert first.json()["status"] == "rectify" and first.json()["rectify_due"] == "2024-10-10"
    assert first.json()["results"][0]["rectify_due"] == "2024-10-10"
    assert again.status_code == 409
    recheck = {"outcome": "conforms", "note": "已整改。"}
    with at(2024, 10, 10, 17):  # signed in again: a staff session does not last ten days
        early = post_json(api(regulator), result_url(inspection), recheck)
    assert early.status_code == 409 and "2024年10月10日" in early.json()["detail"]
    with at(2024, 10, 11):
        late = post_json(api(regulator), result_url(inspection), recheck)
    assert late.status_code == 201 and late.json()["status"] == "passed"
    assert [r["is_reinspection"] for r in late.json()["results"]] == [False, True]
    assert InspectionResult.objects.filter(inspection=inspection).count() == 2


def test_a_failed_check_asks_the_approving_authority_to_revoke(api, regulator, assigned):
    client = api(regulator)
    body = {"outcome": "fails", "ground": "access_refused", "note": "经营者拒绝核查人员进入经营场所。"}
    first, second = post_json(client, result_url(assigned), body), post_json(client, result_url(assigned), body)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "failed" and first.json()["results"][0]["ground"] == "access_refused"
    assert first.json()["revocation_request"]["status"] == "open"
    assert second.status_code == 409
    assert RevocationRequest.objects.filter(inspection=assigned).count() == 1
    assert InspectionResult.objects.filter(inspection=assigned).count() == 1


def test_a_bad_ground_is_refused(api, regulator, assigned):
    response = post_json(api(regulator), result_url(assigned), {"outcome": "fails", "ground": "x", "note": "不实。"})
    assert response.status_code == 400 and response.json()["field"] == "ground"


def test_on_site_files_are_uploaded_with_the_result(api, regulator, assigned, a_pdf):
    response = api(regulator).post(result_url(assigned), {
        "outcome": "conforms", "note": "现场照片见附件。", "files": [a_pdf("现场照片.pdf"), a_pdf("核查笔录.pdf")]})
    assert response.status_code == 201, response.content
    files = response.json()["results"][0]["files"]
    assert [(f["name"], f["content_type"]) for f in files] == [("现场照片.pdf", "application/pdf"),
                                                              ("核查笔录.pdf", "application/pdf")]
    assert InspectionFile.objects.filter(result__inspection=assigned).count() == 2


def test_a_file_that_is_not_really_a_pdf_is_refused_and_nothing_is_recorded(
        api, regulator, assigned, a_pdf, not_a_pdf):
    response = api(regulator).post(result_url(assigned), {
        "outcome": "conforms", "note": "现场照片见附件。", "files": [a_pdf(), not_a_pdf]})
    assert response.status_code == 400
    assert response.json()["field"] == "files" and "伪装.pdf" in response.json()["detail"]
    assert not assigned.results.exists() and not InspectionFile.objects.exists()
    assigned.refresh_from_db()
    assert assigned.status == "pending"


def test_files_cannot_be_sent_as_json(api, regulator, assigned):
    response = post_json(api(regulator), result_url(assigned),
                         {"outcome": "conforms", "note": "属实。", "files": ["JVBERi0xLjQ="]})
    assert response.status_code == 400 and response.json()["field"].startswith("files")


def test_a_closed_inspection_cannot_be_reassigned(api, regulator, colleague_inspector, assigned):
    client = api(regulator)
    post_json(client, result_url(assigned), {"outcome": "conforms", "note": "属实。"})
    response = post_json(client, assign_url(assigned), {"inspectors": [regulator.username,
                                                                       colleague_inspector.username]})
    assert response.status_code == 409


# --- revocation stays the approving authority's (谁审批、谁撤销) -------------------------------------

def test_the_regulator_cannot_revoke_through_the_applications_api(api, regulator, other_regulator, assigned):
    number = assigned.application.number
    post_json(api(regulator), result_url(assigned), {"outcome": "fails", "note": "承诺不实。"})
    body = {"reason": "核查发现承诺不实。"}
    own = post_json(api(regulator), f"/api/v1/applications/{number}/revoke/", body)
    assert own.status_code == 403
    other = post_json(api(other_regulator), f"/api/v1/applications/{number}/revoke/", body)
    assert other.status_code == 404
    assigned.application.refresh_from_db()
    assert assigned.application.status == Status.APPROVED


def test_an_upload_of_an_empty_file_is_refused(api, regulator, assigned):
    empty = SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")
    response = api(regulator).post(result_url(assigned), {"outcome": "conforms", "note": "属实。", "files": [empty]})
    assert response.status_code == 400 and response.json()["field"].startswith("files")


def test_the_approving_officer_revokes_on_the_request_and_the_regulator_sees_it_done(
        api, regulator, officer, assigned):
    post_json(api(regulator), result_url(assigned), {"outcome": "fails", "note": "承诺内容不实。"})
    number = assigned.application.number
    revoked = post_json(api(officer), f"/api/v1/applications/{number}/revoke/",
                        {"reason": "核查发现承诺不实。", "credit_reason": "false_commitment"})
    assert revoked.status_code == 200, revoked.content
    request = api(regulator).get(detail(assigned)).json()["revocation_request"]
    assert request["status"] == "revoked" and request["status_label"] == "已撤销许可"


# --- the queue's cost and the documented answers ---------------------------------------------------

def test_the_list_reads_a_fixed_number_of_queries_however_many_rows(
        api, regulator, colleague_inspector, commitment_item, django_assert_max_num_queries):
    client = api(regulator)
    names = {"inspectors": [regulator.username, colleague_inspector.username]}

    def add_checked_inspection():
        inspection = inspected(commitment_item)
        post_json(client, assign_url(inspection), names)
        post_json(client, result_url(inspection), {"outcome": "fails", "note": "不实。"})

    add_checked_inspection()
    with django_assert_max_num_queries(30) as one:
        assert client.get(LIST).json()["count"] == 1
    first = len(one)  # now: the next request empties the log
    for _ in range(3):
        add_checked_inspection()
    with django_assert_max_num_queries(first):
        assert client.get(LIST).json()["count"] == 4


def test_the_schema_documents_every_answer_of_the_inspections_api():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = {"$ref": "#/components/schemas/Error"}
    for path, expected in [("/api/v1/inspections/{id}/assign/", "200"), ("/api/v1/inspections/{id}/result/", "201")]:
        responses = schema["paths"][path]["post"]["responses"]
        assert expected in responses
        for status in ("400", "401", "403", "404", "409"):
            assert responses[status]["content"]["application/json"]["schema"] == error, (path, status)
    body = schema["paths"]["/api/v1/inspections/{id}/result/"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    listing = schema["paths"]["/api/v1/inspections/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"item", "county", "status", "inspector", "due_within",
                                                          "overdue", "page"}
    assert {"400", "401", "403"} <= set(listing["responses"])


def test_results_with_files_count_as_uploads_and_the_next_is_told_to_wait(
        api, regulator, colleague_inspector, commitment_item, a_pdf):
    client = api(regulator)
    names = {"inspectors": [regulator.username, colleague_inspector.username]}
    first, second = inspected(commitment_item), inspected(commitment_item)
    for inspection in (first, second):
        post_json(client, assign_url(inspection), names)
    with override_settings(RATE_LIMITS={"applications": {}, "uploads": {"account": "1/h"}, "progress": {},
                                        "verify": {}}):
        allowed = client.post(result_url(first), {"outcome": "conforms", "note": "属实。", "files": [a_pdf()]})
        refused = client.post(result_url(second), {"outcome": "conforms", "note": "属实。", "files": [a_pdf()]})
        without_files = post_json(client, result_url(second), {"outcome": "conforms", "note": "属实。"})
    assert allowed.status_code == 201
    assert refused.status_code == 429 and "过于频繁" in refused.json()["detail"]
    assert without_files.status_code == 201
    assert InspectionFile.objects.count() == 1
