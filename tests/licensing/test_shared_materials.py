"""Materials obtained by sharing (issue 16): "可以通过信息共享获取的信息，一律不得再要求企业提供".

An item's material marked with a shared source (the business licence, an identity document) is not
asked of the applicant: its row is "已通过信息共享获取" from the moment of filing, with where the data
came from and when; it is never owed, never overdue, and an upload to it is refused and changes nothing.
"""
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override
from rest_framework.test import APIClient

from licensing import selectors, services, tasks
from licensing.constants import MaterialDue, MaterialStatus, SharedSource, Status
from licensing.models import Application, ApplicationEvent, Material, MaterialFile, MaterialSubmission
from portal.exceptions import Conflict, InvalidInput
from tests.clock import SHANGHAI, at
from tests.factories import commitment_application, files_owed_at_commitment, pdf_file

pytestmark = pytest.mark.django_db

LICENCE_SOURCE = "营业执照（市场主体登记信息，自治区数据共享交换平台）"
IDENTITY_SOURCE = "居民身份证（人口基础信息库，自治区数据共享交换平台）"


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(commitment_item):
    """Item 13 with its 申请书 (uploaded), a 营业执照 got by sharing at filing, and an identity document got
    by sharing that an admin set as due after the decision (it must still never fall due)."""
    Material.objects.create(item=commitment_item, name="营业执照", due=MaterialDue.AT_APPLICATION, order=5,
                            shared_source=SharedSource.BUSINESS_LICENCE)
    Material.objects.create(item=commitment_item, name="法定代表人身份证", due=MaterialDue.AFTER_DECISION,
                            due_working_days=5, order=6, shared_source=SharedSource.IDENTITY)
    return commitment_item


def row(application, name) -> MaterialSubmission:
    return MaterialSubmission.objects.get(application=application, material__name=name)


def licence_of(item) -> Material:
    return item.materials.get(name="营业执照")


@pytest.fixture
def approved(item, enterprise, clerk, officer):
    """Accepted at the window and decided on 2024-10-14 at 10:00; 安全设施说明 due 2024-11-11."""
    with at(2024, 10, 14):
        return commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer)


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- filing -------------------------------------------------------------------------------------

def test_filing_online_records_the_shared_licence_with_its_source_and_time_and_takes_the_upload(
        login, applicant_user, enterprise, item):
    application_form = item.materials.get(name="申请书")
    with at(2024, 10, 14, 9, 30):
        response = login(applicant_user).post(reverse("apply", args=[item.code]), {
            "applicant": enterprise.pk, "wants_commitment": "yes", f"material_{application_form.pk}": pdf_file()})
    assert response.status_code == 302
    application = Application.objects.get(applicant=enterprise)

    shared = row(application, "营业执照")
    assert (shared.status, shared.obtained_from) == (MaterialStatus.SHARED, LICENCE_SOURCE)
    assert shared.obtained_at == dt.datetime(2024, 10, 14, 9, 30, tzinfo=SHANGHAI)
    assert (shared.due_date, shared.submitted_at, shared.files.count()) == (None, None, 0)
    assert row(application, "申请书").status == MaterialStatus.SUBMITTED
    assert row(application, "承诺书附件").status == MaterialStatus.OWED


def test_the_source_is_recorded_in_chinese_whatever_the_language_of_the_page(item, enterprise, applicant_user):
    with override("en"):
        application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user)
    assert row(application, "营业执照").obtained_from == LICENCE_SOURCE
    assert row(application, "法定代表人身份证").obtained_from == IDENTITY_SOURCE


def test_the_apply_form_asks_for_the_application_form_but_not_for_the_shared_licence(
        login, applicant_user, enterprise, item):
    html = login(applicant_user).get(reverse("apply", args=[item.code])).content.decode()
    assert f'name="material_{item.materials.get(name="申请书").pk}"' in html
    assert f'name="material_{licence_of(item).pk}"' not in html


def test_a_file_for_the_shared_licence_sent_with_the_application_refuses_it_and_stores_nothing(
        item, enterprise, applicant_user):
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(item=item, applicant=enterprise, actor=applicant_user,
                                    uploads={licence_of(item).pk: pdf_file()})
    assert "已通过信息共享获取" in str(refused.value.errors)
    assert not Application.objects.exists() and stored_files() == []


# --- the commitment and the decision ------------------------------------------------------------

def test_the_clerk_s_commitment_form_asks_for_the_owed_materials_but_not_the_shared_one(login, clerk, item,
                                                                                        enterprise, officer):
    noticed = commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer,
                                     until="notice_issued")
    html = login(clerk).get(reverse("web-application-detail", args=[noticed.number])).content.decode()
    assert f'name="material_{item.materials.get(name="承诺书附件").pk}"' in html
    assert f'name="material_{licence_of(item).pk}"' not in html
    assert set(files_owed_at_commitment(noticed)) == set(
        item.materials.filter(name__in=["申请书", "承诺书附件"]).values_list("pk", flat=True))


def test_a_file_for_the_shared_licence_sent_with_the_commitment_is_refused_and_nothing_is_signed(
        item, enterprise, clerk, officer):
    noticed = commitment_application(item=item, applicant=enterprise, actor=clerk, officer=officer,
                                     until="notice_issued")
    files = {**files_owed_at_commitment(noticed), licence_of(item).pk: pdf_file()}
    with pytest.raises(InvalidInput) as refused:
        services.application_commit(application=noticed, actor=clerk, kind="already_meets",
                                    confirmations=[True] * 7, signatory="张三", files=files)
    assert f"files.{licence_of(item).pk}" in refused.value.errors
    assert Application.objects.get(pk=noticed.pk).status == Status.NOTICE_ISSUED
    assert not MaterialFile.objects.exists()


def test_the_decision_gives_the_shared_material_no_date_and_no_deadline(approved):
    shared = row(approved, "法定代表人身份证")
    assert (Application.objects.get(pk=approved.pk).status, shared.status, shared.due_date) == (
        Status.APPROVED, MaterialStatus.SHARED, None)
    assert row(approved, "安全设施说明").due_date == dt.date(2024, 11, 11)
    assert [d.material for d in selectors.deadlines(approved) if d.material] == ["安全设施说明"]


def test_the_overdue_job_run_twice_never_revokes_for_a_shared_material(approved, enterprise, clerk):
    with at(2024, 11, 1):
        services.material_submit(application=approved, material_id=row(approved, "安全设施说明").material_id,
                                 upload=pdf_file(), actor=clerk)
    with at(2025, 3, 3, 2):
        assert not selectors.materials_overdue().exists()
        assert tasks.revoke_for_overdue_materials.apply().result == []
        assert tasks.revoke_for_overdue_materials.apply().result == []
    assert Application.objects.get(pk=approved.pk).status == Status.APPROVED
    assert row(approved, "法定代表人身份证").status == MaterialStatus.SHARED


def test_the_desk_s_materials_due_queue_lists_only_what_is_owed(approved, officer):
    queue = selectors.officer_queues(officer, section="materials_due").materials_due
    assert [s.material.name for s in queue.page] == ["安全设施说明"]


# --- an upload to it is refused, and changes nothing --------------------------------------------

def unchanged(application):
    shared = row(application, "营业执照")
    return (shared.status, shared.obtained_from, shared.obtained_at, shared.submitted_at, shared.files.count(),
            ApplicationEvent.objects.filter(application=application).count())


def test_uploading_the_shared_licence_on_the_page_is_refused_in_chinese_and_changes_nothing(
        login, applicant_user, enterprise, item):
    application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user)
    before = unchanged(application)
    url = reverse("web-application-material-upload", args=[application.number, licence_of(item).pk])

    response = login(applicant_user).post(url, {"file": pdf_file()})
    assert response.status_code == 409
    assert f"材料“营业执照”已通过信息共享获取（{LICENCE_SOURCE}），无需提交，不能上传。" in response.content.decode()
    assert unchanged(application) == before and stored_files() == []


def test_uploading_the_shared_licence_through_the_api_is_refused_in_chinese_and_changes_nothing(
        applicant_user, enterprise, item):
    application = services.application_submit(item=item, applicant=enterprise, actor=applicant_user)
    before = unchanged(application)
    client = APIClient()
    client.force_authenticate(applicant_user)

    response = client.post(f"/api/v1/applications/{application.number}/materials/{licence_of(item).pk}/",
                           {"file": pdf_file()}, format="multipart")
    assert response.status_code == 409
    assert "已通过信息共享获取" in response.json()["detail"]
    assert unchanged(application) == before and stored_files() == []


def test_the_service_refuses_the_upload_after_the_decision_too(approved, clerk):
    with at(2024, 10, 15), pytest.raises(Conflict):
        services.material_submit(application=approved, material_id=row(approved, "法定代表人身份证").material_id,
                                 upload=pdf_file(), actor=clerk)
    assert row(approved, "法定代表人身份证").files.count() == 0


# --- what the pages and the API show ------------------------------------------------------------

def test_the_guide_says_the_licence_need_not_be_submitted_and_where_it_comes_from(client, item):
    html = client.get(reverse("item-guide", args=[item.code])).content.decode()
    assert f"营业执照（无需提交：通过信息共享获取（{LICENCE_SOURCE}））" in html
    assert "申请书（申请时提交）" in html


@pytest.mark.parametrize("persona", ["applicant_user", "officer", "regulator"])
def test_the_application_page_shows_the_licence_as_obtained_by_sharing_with_source_and_time(
        request, login, approved, persona):
    html = login(request.getfixturevalue(persona)).get(
        reverse("web-application-detail", args=[approved.number])).content.decode()
    assert "已通过信息共享获取（2024-10-14 10:00）" in html
    assert f"来源：{LICENCE_SOURCE}" in html


def test_the_applicant_s_page_offers_no_upload_for_a_shared_material(login, applicant_user, approved):
    html = login(applicant_user).get(reverse("web-application-detail", args=[approved.number])).content.decode()
    later = row(approved, "安全设施说明").material_id
    assert reverse("web-application-material-upload", args=[approved.number, later]) in html
    for name in ("营业执照", "法定代表人身份证"):
        shared = row(approved, name).material_id
        assert reverse("web-application-material-upload", args=[approved.number, shared]) not in html


def test_the_api_shows_the_status_source_and_time(applicant_user, approved):
    client = APIClient()
    client.force_authenticate(applicant_user)
    materials = client.get(f"/api/v1/applications/{approved.number}/").json()["materials"]
    shared = next(m for m in materials if m["name"] == "营业执照")
    assert (shared["status"], shared["obtained_from"]) == ("shared", LICENCE_SOURCE)
    assert shared["obtained_at"].startswith("2024-10-14T10:00:00")
    uploaded = next(m for m in materials if m["name"] == "申请书")
    assert (uploaded["status"], uploaded["obtained_from"], uploaded["obtained_at"]) == ("submitted", "", None)


def test_the_notice_does_not_list_a_shared_material_as_one_to_hand_in_and_says_it_is_got_by_sharing(approved):
    from notices.constants import DocumentKind
    from notices.models import Document

    html = Document.objects.get(application=approved, kind=DocumentKind.NOTICE).html
    to_hand_in = html.split("三、需要申请单位（人）提交申请材料", 1)[1].split("</table>", 1)[0]
    assert "申请书" in to_hand_in
    assert "营业执照" not in to_hand_in
    assert f"以下材料由本机关通过信息共享获取，无需提交：营业执照（{LICENCE_SOURCE}）" in html
