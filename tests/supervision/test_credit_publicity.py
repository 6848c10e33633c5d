"""信用公示 (issue 14): the records that bar notify-and-commit are public, with the reason, the date and
the authority that made them (认定机关); an enterprise by its name and 统一社会信用代码 in full, a person
masked. A repaired record leaves the list (终止公示) and stays in the 诚信档案. The API lists the same
public subset to anyone, and to an applicant, an authority and an admin what each may see.
"""
import importlib
import json

import pytest
from django.apps import apps
from django.urls import reverse

from licensing.constants import ApplicantKind
from portal.masking import mask_identifier
from supervision.constants import CreditReason
from supervision.models import CreditRepairRule
from supervision.services import credit_record_create, credit_record_repair
from tests.factories import ApplicantFactory, UserFactory, valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db

rules_migration = importlib.import_module("supervision.migrations.0004_credit_repair_rules")
PUBLIC = reverse("credit-public")
API = reverse("credit-record-list")
PERSON_NAME = "黄小明"


@pytest.fixture(autouse=True)
def default_rules(db):
    if not CreditRepairRule.objects.exists():
        rules_migration.create_default_rules(apps, None)


@pytest.fixture
def person(db):
    return ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number("credit-public"), name=PERSON_NAME)


@pytest.fixture
def records(at, enterprise, person, officer, other_officer):
    """The enterprise's late materials (by item 13's authority) and the person's false commitment (another's)."""
    with at(2024, 3, 1):
        late = credit_record_create(applicant=enterprise, actor=officer, reason=CreditReason.MISSING_MATERIALS,
                                    details="内部说明：逾期未交安全设施说明")
    with at(2024, 4, 2):
        false = credit_record_create(applicant=person, actor=other_officer, reason=CreditReason.FALSE_COMMITMENT)
    return late, false


def repaired(record, actor):
    CreditRepairRule.objects.filter(reason=record.reason).update(repairable=True, after_months=0, basis="测试依据")
    return credit_record_repair(record=record, actor=actor, note="准予修复")


def text(response) -> str:
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------------

def test_anyone_reads_the_records_that_bar_notify_and_commit_with_reason_date_and_authority(
        client, records, enterprise, person, officer, other_officer):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    body = text(response)
    assert enterprise.name in body and enterprise.identifier in body
    assert "未按期提交材料或材料不符合要求" in body and "2024年3月1日" in body and officer.organisation.name in body
    assert "作出不实承诺" in body and "2024年4月2日" in body and other_officer.organisation.name in body
    assert body.index(person.identifier[-4:]) < body.index(enterprise.name)  # the newest first
    assert "内部说明" not in body  # the record's details are not public


def test_a_person_is_masked_on_the_page(client, records, person):
    body = text(client.get(PUBLIC))
    assert "黄**" in body and mask_identifier(person.identifier) in body
    assert PERSON_NAME not in body and person.identifier not in body


def test_a_repaired_record_is_no_longer_listed_but_stays_in_the_archive(client, login, records, enterprise, officer,
                                                                        applicant_user):
    late, _ = records
    repaired(late, officer)
    assert enterprise.name not in text(client.get(PUBLIC))
    assert "已终止公示" in text(login(applicant_user).get(reverse("my-credit")))


def test_the_search_finds_an_enterprise_by_name_or_code_and_never_a_person(client, records, enterprise, person):
    assert enterprise.name in text(client.get(PUBLIC, {"q": "好客旅馆"}))
    by_code = text(client.get(PUBLIC, {"q": enterprise.identifier.lower()}))
    assert enterprise.name in by_code and "黄**" not in by_code
    for key in (PERSON_NAME, person.identifier):
        found = client.get(PUBLIC, {"q": key})
        assert found.status_code == 200 and "黄**" not in text(found) and "没有与" in text(found)


@pytest.mark.parametrize("bad", ["钦" * 101, "好客\x1b旅馆", "好客\u202e旅馆"])
def test_a_search_that_cannot_be_meant_is_a_400_in_chinese(client, records, enterprise, bad):
    response = client.get(PUBLIC, {"q": bad})
    assert response.status_code == 400
    assert "查询内容" in text(response) and enterprise.name not in text(response)


def test_a_nul_byte_is_refused_before_the_page(client, records):
    response = client.get(PUBLIC, {"q": "好客\x00旅馆"})
    assert response.status_code == 400 and "空字符" in text(response)


def test_the_list_is_paged(client, officer, at):
    with at(2024, 5, 1):
        for n in range(51):
            credit_record_create(applicant=ApplicantFactory(identifier=valid_uscc(f"paged-{n}")), actor=officer,
                                 reason=CreditReason.MISSING_MATERIALS)
    first, second = text(client.get(PUBLIC)), text(client.get(PUBLIC, {"page": 2}))
    assert "第 1 / 2 页，共 51 件" in first and 'rel="next"' in first
    assert second.count("<tr>") == 1 + 1  # the header and the one row left
    assert client.get(PUBLIC, {"page": "x"}).status_code == 200


# --- the API -------------------------------------------------------------------------------------

def test_anonymously_the_api_lists_the_public_subset_persons_masked(client, records, enterprise, person, officer):
    late, _ = records
    body = client.get(API).json()
    assert body["count"] == 2
    rows = {row["reason"]: row for row in body["results"]}
    person_row, enterprise_row = rows["false_commitment"], rows["missing_materials"]
    assert person_row["applicant"] == {"name": "黄**", "identifier": mask_identifier(person.identifier),
                                       "is_enterprise": False}
    assert enterprise_row["applicant"]["identifier"] == enterprise.identifier
    assert enterprise_row["authority"]["name"] == officer.organisation.name
    assert enterprise_row["recorded_on"] == "2024-03-01"
    assert set(enterprise_row) == {"id", "applicant", "reason", "reason_label", "recorded_on", "authority"}
    assert PERSON_NAME not in json.dumps(body, ensure_ascii=False)
    assert client.get(reverse("credit-record-detail", args=[late.pk])).json()["applicant"]["name"] == enterprise.name
    repaired(late, officer)
    assert client.get(API).json()["count"] == 1
    assert client.get(reverse("credit-record-detail", args=[late.pk])).status_code == 404
    refused = client.get(API, {"q": "钦" * 101})
    assert refused.status_code == 400 and "查询内容" in refused.json()["detail"]


def test_an_applicant_account_reads_its_own_records_repaired_ones_too(login, records, enterprise, officer,
                                                                      applicant_user, outsider):
    late, false = records
    repaired(late, officer)
    mine = login(applicant_user).get(API).json()
    assert [row["id"] for row in mine["results"]] == [late.pk]
    assert mine["results"][0]["repaired_at"] is not None and "内部说明" in mine["results"][0]["details"]
    assert login(applicant_user).get(reverse("credit-record-detail", args=[false.pk])).status_code == 404
    assert login(outsider).get(API).json()["count"] == 0


def test_an_authority_reads_the_records_it_made_and_an_admin_all(login, records, officer, other_officer, regulator,
                                                                 admin_user):
    late, false = records
    assert [r["id"] for r in login(officer).get(API).json()["results"]] == [late.pk]
    assert [r["id"] for r in login(other_officer).get(API).json()["results"]] == [false.pk]
    assert login(regulator).get(API).json()["count"] == 0
    assert login(officer).get(reverse("credit-record-detail", args=[false.pk])).status_code == 404
    assert {r["id"] for r in login(admin_user).get(API).json()["results"]} == {late.pk, false.pk}
    assert login(admin_user).get(reverse("credit-record-detail", args=[false.pk])).json()["applicant"]["name"] == \
        PERSON_NAME


def test_a_pending_claim_shows_no_records(login, records, enterprise):
    claimant = UserFactory()
    enterprise.members.add(claimant)  # claimed online, not verified
    assert login(claimant).get(API).json()["count"] == 0
    assert enterprise.name not in text(login(claimant).get(reverse("my-credit")))
