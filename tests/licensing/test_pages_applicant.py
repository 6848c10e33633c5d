"""The applicant's pages: 我的办件, 办理主体, 在线申请, and the applicant's steps on the application page."""
import datetime as dt

import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import ApplicantKind, Channel, MaterialDue, MaterialStatus, Route, Status
from licensing.models import Applicant, Application, Item
from supervision.constants import CreditReason
from supervision.services import credit_record_create
from tests.conftest import pdf_upload
from tests.factories import ApplicantFactory, commitment_application, valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def detail_url(application):
    return reverse("web-application-detail", args=[application.number])


def online(commitment_item, enterprise, applicant_user, officer, until="notice_issued"):
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  until=until, channel=Channel.ONLINE)


def wrong_check_character(code):
    return code[:17] + ("1" if code[17] != "1" else "2")


def commit_form(application, **overrides):
    """What the browser sends when every box is ticked and the materials due now are attached."""
    owed = application.materials.filter(status=MaterialStatus.OWED,
                                        material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT])
    data = {"kind": "already_meets", "signatory": "张三", "meet_by": "",
            **{f"confirm_{n}": "on" for n in range(1, 8)},
            **{f"material_{s.material_id}": pdf_upload(f"{s.material.name}.pdf") for s in owed.select_related("material")}}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- 我的办件 ------------------------------------------------------------------------------

def test_my_applications_lists_every_application_of_the_applicants_the_account_acts_for(
        login, applicant_user, colleague, enterprise, commitment_item, officer, outsider):
    mine = online(commitment_item, enterprise, colleague, officer)
    someone_elses = online(commitment_item, ApplicantFactory(members=[outsider]), outsider, officer)

    html = page(login(applicant_user), reverse("my-applications"))

    assert mine.number in html and someone_elses.number not in html
    assert "已告知，待承诺" in html
    assert f"承诺书递交期限：{mine.commitment_due.year}年{mine.commitment_due.month}月{mine.commitment_due.day}日" in html


def test_staff_are_refused_the_applicants_pages_and_anonymous_users_are_sent_to_sign_in(
        client, login, clerk, officer, commitment_item):
    anonymous = client.get(reverse("my-applications"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url
    for user in (clerk, officer):
        c = login(user)
        assert c.get(reverse("my-applications")).status_code == 403
        assert c.get(reverse("apply", args=[commitment_item.code])).status_code == 403


# --- 办理主体 ------------------------------------------------------------------------------

def test_an_account_registers_an_enterprise_it_acts_for(login, outsider):
    code = valid_uscc("pages-1")
    response = login(outsider).post(reverse("my-applicants"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": code.lower(), "name": "钦州市新开张有限公司"}, follow=True)

    assert "已添加办理主体：钦州市新开张有限公司" in response.content.decode()
    assert Applicant.objects.get(identifier=code).members.filter(pk=outsider.pk).exists()


def test_an_account_registers_a_person_by_id_number(login, outsider):
    code = valid_id_number("pages-person")
    login(outsider).post(reverse("my-applicants"), {"kind": ApplicantKind.PERSON, "identifier": code, "name": "王五"})

    assert Applicant.objects.get(identifier=code).kind == ApplicantKind.PERSON


def test_a_wrong_check_character_is_refused_next_to_the_field_and_nothing_is_registered(login, outsider):
    code = valid_uscc("pages-2")
    bad = wrong_check_character(code)
    response = login(outsider).post(reverse("my-applicants"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": bad, "name": "钦州市错码有限公司"})

    assert response.status_code == 400
    assert f"统一社会信用代码校验位错误：第18位应为 {code[17]}" in response.content.decode()
    assert not Applicant.objects.filter(name="钦州市错码有限公司").exists()


def test_knowing_an_enterprises_code_makes_only_a_pending_claim_that_signs_nothing(login, outsider, enterprise):
    response = login(outsider).post(reverse("my-applicants"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": enterprise.identifier, "name": "随便写的名称"}, follow=True)

    html = response.content.decode()
    assert "已添加办理主体" in html and "待核验" in html and "不能签署承诺书" in html
    assert enterprise.applicantmembership_set.get(user=outsider).status == "pending"
    assert not outsider.has_perm("licensing.sign_commitment", enterprise)


# --- 在线申请 ------------------------------------------------------------------------------

def test_the_guide_of_an_item_has_an_apply_button(client, commitment_item):
    html = page(client, reverse("item-guide", args=[commitment_item.code]))
    assert reverse("apply", args=[commitment_item.code]) in html and "在线申请" in html


def test_the_apply_page_offers_commitment_or_the_ordinary_procedure_for_a_commitment_item(
        login, applicant_user, enterprise, commitment_item):
    html = page(login(applicant_user), reverse("apply", args=[commitment_item.code]))

    assert "愿意作出承诺（告知承诺）" in html and "不愿承诺，按一般程序办理" in html
    assert enterprise.name in html


def test_an_account_without_applicants_is_asked_to_register_one_first(login, outsider, commitment_item):
    html = page(login(outsider), reverse("apply", args=[commitment_item.code]))
    assert "申请前请先登记以哪个企业或个人的名义办理" in html


def test_applying_online_files_the_application_and_says_when_the_notice_is_due(
        login, applicant_user, enterprise, commitment_item, at):
    with at(2024, 9, 27):  # Friday before National Day; 9-29 (Sunday) is a make-up working day
        response = login(applicant_user).post(reverse("apply", args=[commitment_item.code]), {
            "applicant": enterprise.pk, "wants_commitment": "yes", "details": "客房30间"}, follow=True)

    application = Application.objects.get(applicant=enterprise)
    assert (application.channel, application.route, application.status) == (Channel.ONLINE, Route.COMMITMENT, Status.SUBMITTED)
    assert application.notice_due == dt.date(2024, 10, 8)
    assert "审批部门将在 2024年10月8日 前送达告知书" in response.content.decode()


def test_declining_to_commit_goes_the_ordinary_way(login, applicant_user, enterprise, commitment_item):
    login(applicant_user).post(reverse("apply", args=[commitment_item.code]),
                               {"applicant": enterprise.pk, "wants_commitment": "no"})
    assert Application.objects.get(applicant=enterprise).route == Route.ORDINARY


def test_an_applicant_with_a_credit_record_is_told_before_submitting_that_the_ordinary_procedure_applies(
        login, applicant_user, enterprise, commitment_item):
    credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.FALSE_COMMITMENT)
    client = login(applicant_user)

    html = page(client, reverse("apply", args=[commitment_item.code]))
    assert f"{enterprise.name}</strong> 因“作出不实承诺”" in html
    assert "不再适用告知承诺，以其名义申请的按一般程序办理" in html

    client.post(reverse("apply", args=[commitment_item.code]), {"applicant": enterprise.pk, "wants_commitment": "yes"})
    assert Application.objects.get(applicant=enterprise).route == Route.ORDINARY


def test_an_account_cannot_apply_for_an_applicant_it_does_not_act_for(login, outsider, enterprise, commitment_item):
    ApplicantFactory(members=[outsider])
    response = login(outsider).post(reverse("apply", args=[commitment_item.code]),
                                    {"applicant": enterprise.pk, "wants_commitment": "yes"})

    assert response.status_code == 400
    assert "请选择您可代为办理的主体" in response.content.decode()
    assert not Application.objects.exists()


def test_a_material_uploaded_with_the_application_that_is_not_a_pdf_refuses_the_whole_application(
        login, applicant_user, enterprise, commitment_item, not_a_pdf):
    form = commitment_item.materials.get(due=MaterialDue.AT_APPLICATION)
    response = login(applicant_user).post(reverse("apply", args=[commitment_item.code]), {
        "applicant": enterprise.pk, "wants_commitment": "yes", f"material_{form.pk}": not_a_pdf})

    assert response.status_code == 400
    assert "不是PDF、JPG或PNG文件" in response.content.decode()
    assert not Application.objects.exists()


def test_a_filing_item_gives_its_receipt_at_once(login, applicant_user, enterprise):
    filing = Item.objects.filter(reform_mode="filing").first()
    response = login(applicant_user).post(reverse("apply", args=[filing.code]), {"applicant": enterprise.pk}, follow=True)

    html = response.content.decode()
    assert "已备案" in html and "备案回执" in html


# --- the application page ------------------------------------------------------------------

def test_the_application_page_shows_status_deadlines_documents_and_the_query_code(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    html = page(login(applicant_user), detail_url(application))

    assert "已告知，待承诺" in html
    assert "承诺书递交期限" in html and "告知书送达期限" in html
    assert application.query_code in html
    notice = application.documents.get(kind="notice")
    assert reverse("document-pdf", args=[notice.verification_code]) in html
    assert reverse("document-content", args=[notice.verification_code]) in html
    assert "出具告知书" in html  # the timeline


def test_the_commit_form_has_seven_separate_confirmations_with_their_full_text(
        login, applicant_user, enterprise, commitment_item, officer):
    from licensing.constants import COMMITMENT_CONFIRMATIONS

    html = page(login(applicant_user), detail_url(online(commitment_item, enterprise, applicant_user, officer)))

    assert all(f'name="confirm_{n}"' in html for n in range(1, 8))
    assert all(text in html for text in COMMITMENT_CONFIRMATIONS)
    assert "申请书" in html and "承诺书附件" in html  # the materials due now have file inputs


def test_a_deadline_in_a_year_whose_holidays_are_not_published_is_flagged(
        login, applicant_user, enterprise, commitment_item, at):
    with at(2026, 12, 29):  # 3 working days run into 2027, not yet published
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
        html = page(login(applicant_user), detail_url(application))

    assert "该期限涉及尚未公布的节假日安排，可能调整" in html


def test_committing_on_the_page_records_the_commitment_and_says_the_decision_is_today(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    response = login(applicant_user).post(reverse("web-application-commit", args=[application.number]),
                                          commit_form(application), follow=True)

    application.refresh_from_db()
    assert application.status == Status.COMMITTED
    assert "承诺书已递交。审批部门将于今日作出许可决定" in response.content.decode()


def test_a_missing_confirmation_is_refused_with_the_message_beside_the_confirmations_and_nothing_changes(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    response = login(applicant_user).post(reverse("web-application-commit", args=[application.number]),
                                          commit_form(application, confirm_4=None))

    assert response.status_code == 400
    assert "承诺书的7项确认内容须逐项确认后方可提交" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.NOTICE_ISSUED and application.events.count() == 2


def test_will_meet_without_a_date_asks_for_the_date(login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    response = login(applicant_user).post(reverse("web-application-commit", args=[application.number]),
                                          commit_form(application, kind="will_meet"))

    assert response.status_code == 400
    assert "承诺在约定期限内具备条件的，须填写今天以后的日期" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.NOTICE_ISSUED


def test_committing_without_the_materials_due_now_asks_for_each_beside_its_file_input(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    data = {k: v for k, v in commit_form(application).items() if not k.startswith("material_")}
    response = login(applicant_user).post(reverse("web-application-commit", args=[application.number]), data)

    assert response.status_code == 400
    html = response.content.decode()
    for material in commitment_item.materials.exclude(due=MaterialDue.AFTER_DECISION):
        field = html.index(f'name="material_{material.pk}"')
        assert html.index("递交承诺书时须一并提交此材料", field) < html.index("</div>", field + 200)
    assert Application.objects.get(pk=application.pk).status == Status.NOTICE_ISSUED


def test_an_empty_commitment_shows_every_missing_answer_at_once(login, applicant_user, enterprise, commitment_item,
                                                                officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    response = login(applicant_user).post(reverse("web-application-commit", args=[application.number]), {})

    html = response.content.decode()
    assert response.status_code == 400 and "操作未完成" in html
    for message in ("请选择承诺类型", "承诺书的7项确认内容须逐项确认后方可提交", "请填写签署人", "递交承诺书时须一并提交此材料"):
        assert message in html


def test_a_material_due_after_the_decision_shows_its_date_and_is_handed_in_on_the_page(
        login, applicant_user, enterprise, commitment_item, officer, a_pdf, at):
    with at(2024, 10, 10):
        application = online(commitment_item, enterprise, applicant_user, officer, until="approved")
        later = commitment_item.materials.get(due=MaterialDue.AFTER_DECISION)
        client = login(applicant_user)
        html = page(client, detail_url(application))
        assert "2024年11月6日前提交" in html  # 20 working days, the Saturday make-up day 10-12 counted

        response = client.post(reverse("web-application-material-upload", args=[application.number, later.pk]),
                               {"file": a_pdf("安全设施说明.pdf")}, follow=True)

    assert "材料已上传" in response.content.decode()
    assert application.materials.get(material=later).status == MaterialStatus.SUBMITTED


def test_an_upload_that_is_not_a_pdf_or_image_is_refused_beside_the_field(
        login, applicant_user, enterprise, commitment_item, officer, not_a_pdf):
    application = online(commitment_item, enterprise, applicant_user, officer, until="approved")
    later = commitment_item.materials.get(due=MaterialDue.AFTER_DECISION)
    response = login(applicant_user).post(
        reverse("web-application-material-upload", args=[application.number, later.pk]), {"file": not_a_pdf})

    assert response.status_code == 400
    assert "不是PDF、JPG或PNG文件，请上传扫描件或照片" in response.content.decode()
    assert application.materials.get(material=later).status == MaterialStatus.OWED


def test_the_applicant_may_decline_to_commit_after_the_notice(login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    login(applicant_user).post(reverse("web-application-choose-ordinary", args=[application.number]))

    application.refresh_from_db()
    assert (application.route, application.status) == (Route.ORDINARY, Status.SUBMITTED)


def test_withdrawing_closes_the_application(login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    login(applicant_user).post(reverse("web-application-withdraw", args=[application.number]))
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN


def test_a_step_from_the_wrong_state_shows_the_services_message_and_changes_nothing(
        login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer, until="approved")
    response = login(applicant_user).post(reverse("web-application-withdraw", args=[application.number]))

    assert response.status_code == 409
    html = response.content.decode()
    assert "办件当前状态为“准予许可”，不能进行此操作" in html and "办件未作任何改动" in html
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_steps_are_posts_only(login, applicant_user, enterprise, commitment_item, officer):
    application = online(commitment_item, enterprise, applicant_user, officer)
    assert login(applicant_user).get(reverse("web-application-withdraw", args=[application.number])).status_code == 405
