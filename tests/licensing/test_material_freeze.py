"""A material's file is frozen once it is relied on (issue 8): after the decision, after the signed
承诺书, after the officer's 受理 (until a correction request). Before that a replacement is an event
and the earlier file is kept, listed on the application page and downloadable with an audit row."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing import services
from licensing.constants import Action, MaterialDue, Status
from licensing.models import ApplicationEvent, MaterialFile
from portal.exceptions import Conflict
from portal.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory, commitment_application

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(marker: str, name="材料.pdf"):
    return SimpleUploadedFile(name, f"%PDF-1.4\n% {marker}\n".encode(), content_type="application/pdf")


def material(application, due):
    return application.item.materials.get(due=due)


def hand_in(application, due, upload, actor):
    return services.material_submit(application=application, material_id=material(application, due).pk,
                                    upload=upload, actor=actor)


def current_bytes(client, application, due) -> bytes:
    response = client.get(reverse("web-application-material-file", args=[application.number,
                                                                          material(application, due).pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def replacements(application):
    return ApplicationEvent.objects.filter(application=application, action=Action.REPLACE_MATERIAL).count()


# --- after the decision ------------------------------------------------------------------------

def test_after_the_decision_a_material_cannot_be_replaced_and_the_officer_reads_what_was_decided_on(
        login, enterprise, commitment_item, applicant_user, officer):
    decided = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, until="approved")
    before = current_bytes(login(officer), decided, MaterialDue.AT_COMMITMENT)
    url = f"{API}/applications/{decided.number}/materials/{material(decided, MaterialDue.AT_COMMITMENT).pk}/"

    response = login(applicant_user).post(url, {"file": pdf("换过的文件")})

    assert response.status_code == 409, response.content
    assert response.json()["detail"] == "办件已作出决定，材料“承诺书附件”不能再更换。"
    page = login(applicant_user).post(reverse("web-application-material-upload", args=[
        decided.number, material(decided, MaterialDue.AT_COMMITMENT).pk]), {"file": pdf("换过的文件")})
    assert page.status_code == 409 and "办件已作出决定，材料“承诺书附件”不能再更换。" in page.content.decode()
    assert current_bytes(login(officer), decided, MaterialDue.AT_COMMITMENT) == before
    assert replacements(decided) == 0
    assert MaterialFile.objects.filter(submission__application=decided).count() == 2  # 申请书, 承诺书附件


def test_a_material_owed_after_the_decision_is_handed_in_once_and_frozen_at_once(
        login, enterprise, commitment_item, applicant_user, officer):
    decided = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, until="approved")
    hand_in(decided, MaterialDue.AFTER_DECISION, pdf("第一次"), applicant_user)

    with pytest.raises(Conflict) as refused:
        hand_in(decided, MaterialDue.AFTER_DECISION, pdf("第二次"), applicant_user)

    assert refused.value.message == "材料“安全设施说明”已在许可决定后提交，提交后即不能更换。"
    assert "第一次" in current_bytes(login(officer), decided, MaterialDue.AFTER_DECISION).decode()
    page = login(applicant_user).get(reverse("web-application-detail", args=[decided.number])).content.decode()
    upload_url = reverse("web-application-material-upload",
                         args=[decided.number, material(decided, MaterialDue.AFTER_DECISION).pk])
    assert f'action="{upload_url}"' not in page


def test_a_rejected_application_keeps_its_materials_as_they_were(enterprise, commitment_item, applicant_user,
                                                                 officer):
    application = ApplicationFactory(ordinary=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("原件"), applicant_user)
    services.application_accept(application=application, actor=officer)
    services.application_reject(application=application, actor=officer, reason="不符合许可条件。")

    with pytest.raises(Conflict) as refused:
        hand_in(application, MaterialDue.AT_APPLICATION, pdf("替换"), applicant_user)
    assert "不能再更换" in refused.value.message


# --- relied on before the decision: the 承诺书, the officer's 受理 ----------------------------------

def test_materials_handed_in_with_the_commitment_are_frozen_while_the_officer_decides(
        login, enterprise, commitment_item, applicant_user, officer):
    committed = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                       officer=officer, until="committed")
    with pytest.raises(Conflict) as refused:
        hand_in(committed, MaterialDue.AT_COMMITMENT, pdf("签署后换的"), applicant_user)
    assert refused.value.message == "材料“承诺书附件”已随承诺书递交，不能再更换。"
    assert "签署后换的" not in current_bytes(login(officer), committed, MaterialDue.AT_COMMITMENT).decode()


def test_the_officer_s_acceptance_freezes_the_materials_until_a_correction_request_opens_them(
        login, enterprise, commitment_item, applicant_user, officer):
    application = ApplicationFactory(ordinary=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer)
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("原件"), applicant_user)
    services.application_accept(application=application, actor=officer)
    with pytest.raises(Conflict) as refused:
        hand_in(application, MaterialDue.AT_APPLICATION, pdf("受理后"), applicant_user)
    assert refused.value.message == "材料“申请书”已受理，不能再更换；审批部门要求补正时可以重新上传。"

    services.application_request_correction(application=application, actor=officer, reason="请补正申请书。")
    page = login(applicant_user).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert "已提交，可更换" in page  # the page offers the replacement a correction needs
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("补正件"), applicant_user)
    services.application_resubmit(application=application, actor=applicant_user)

    with pytest.raises(Conflict):
        hand_in(application, MaterialDue.AT_APPLICATION, pdf("重新受理后"), applicant_user)
    assert "补正件" in current_bytes(login(officer), application, MaterialDue.AT_APPLICATION).decode()
    assert replacements(application) == 1


# --- before: a replacement is an event and the earlier file is kept ---------------------------------

def test_a_replacement_keeps_the_earlier_file_listed_and_downloadable_with_an_audit_row(
        client, login, enterprise, commitment_item, applicant_user, colleague, officer, outsider):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("第一版", "申请书-初稿.pdf"), applicant_user)
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("第二版", "申请书-定稿.pdf"), colleague)

    officer_client = login(officer)
    assert "第二版" in current_bytes(officer_client, application, MaterialDue.AT_APPLICATION).decode()
    earlier = MaterialFile.objects.get(submission__application=application, replaced_at__isnull=False)
    earlier_url = reverse("web-application-material-file-version",
                          args=[application.number, material(application, MaterialDue.AT_APPLICATION).pk, earlier.pk])
    page = officer_client.get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert "申请书-定稿.pdf" in page and "申请书-初稿.pdf" in page and earlier_url in page

    response = officer_client.get(earlier_url)
    assert response.status_code == 200
    assert "第一版" in b"".join(response.streaming_content).decode()
    row = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, actor=officer).latest("id")
    assert (row.details["version"], row.details["sha256"]) == ("earlier", earlier.sha256)
    assert replacements(application) == 1

    client.logout()
    assert login(outsider).get(earlier_url).status_code == 404


def test_before_the_decision_the_page_offers_to_replace_a_handed_in_material(
        login, enterprise, commitment_item, applicant_user, officer):
    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer)
    hand_in(application, MaterialDue.AT_APPLICATION, pdf("原件"), applicant_user)
    page = login(applicant_user).get(reverse("web-application-detail", args=[application.number])).content.decode()
    upload_url = reverse("web-application-material-upload",
                         args=[application.number, material(application, MaterialDue.AT_APPLICATION).pk])
    assert f'action="{upload_url}"' in page
    assert "已提交，可更换" in page
    assert application.status == Status.SUBMITTED
