"""The whole notify-and-commit journey for item 13 (旅馆业特种行业许可证核发), through the pages only.

Online across National Day 2024 and at the window across Spring Festival 2025, with the decision
on the day of the commitment (附件3 第五条) and every deadline counted in working days.
"""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.constants import ApplicantKind, Channel, MaterialDue, MaterialStatus, Status
from licensing.models import Applicant, Application
from notices.services import document_prepare_pdf
from tests.conftest import pdf_upload
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def commit_form(application, signatory):
    owed = application.materials.filter(status=MaterialStatus.OWED,
                                        material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT])
    return {"kind": "already_meets", "signatory": signatory, **{f"confirm_{n}": "on" for n in range(1, 8)},
            **{f"material_{s.material_id}": pdf_upload(f"{s.material.name}.pdf") for s in owed}}


def section(html, anchor):
    start = html.index(f'<section id="{anchor}">')
    return html[start:html.index("</section>", start)]


def test_online_journey_across_national_day(login, applicant_user, enterprise, commitment_item,
                                            officer, at):
    applicant_client = login(applicant_user)
    with at(2024, 9, 27):  # Friday; 9-28 off, 9-29 (Sunday) a make-up working day, 10-01..07 off
        guide = text(applicant_client.get(reverse("item-guide", args=[commitment_item.code])))
        assert reverse("apply", args=[commitment_item.code]) in guide
        applied = applicant_client.post(reverse("apply", args=[commitment_item.code]),
                                        {"applicant": enterprise.pk, "wants_commitment": "yes"}, follow=True)
        assert "审批部门将在 2024年10月8日 前送达告知书" in text(applied)
    application = Application.objects.get(applicant=enterprise)

    with at(2024, 9, 30):
        officer_client = login(officer)
        assert application.number in section(text(officer_client.get(reverse("officer-desk"))), "notices-due")
        officer_client.post(reverse("web-application-issue-notice", args=[application.number]),
                            {"next": reverse("officer-desk")})

    with at(2024, 10, 10, 9):  # the third working day after the notice
        page = text(login(applicant_user).get(reverse("web-application-detail", args=[application.number])))
        assert "2024年10月10日" in page and "签署并递交承诺书" in page
        application.refresh_from_db()
        committed = login(applicant_user).post(reverse("web-application-commit", args=[application.number]),
                                               commit_form(application, "张三"), follow=True)
        assert "承诺书已递交" in text(committed)

    with at(2024, 10, 10, 15):  # the same day
        officer_client = login(officer)
        to_decide = section(text(officer_client.get(reverse("officer-desk"))), "to-decide")
        assert application.number in to_decide and "已逾期" not in to_decide
        officer_client.post(reverse("web-application-decide", args=[application.number]), {"next": reverse("officer-desk")})
        application.refresh_from_db()
        assert application.status == Status.APPROVED
        assert timezone.localdate(application.decided_at) == dt.date(2024, 10, 10)  # decided the day of the commitment

        final = text(login(applicant_user).get(reverse("web-application-detail", args=[application.number])))
    assert "准予许可" in final and application.licence.number in final
    assert "2024年11月6日前提交" in final  # 20 working days after the decision, 10-12 (Saturday) worked
    assert "2024年12月10日" in final  # inspection: 2 calendar months (附件3 第七条)
    decision = application.documents.get(kind="decision")
    assert reverse("document-pdf", args=[decision.verification_code]) in final


def test_window_journey_across_spring_festival(login, clerk, officer, commitment_item, at):
    code = valid_uscc("journey-window")
    clerk_client = login(clerk)
    with at(2025, 1, 24):  # Friday; 1-26 (Sunday) worked, 1-28..2-04 off
        searched = clerk_client.get(reverse("window-desk"), {"identifier": code})
        assert "未找到证件号码为" in text(searched)
        registered = clerk_client.post(reverse("window-desk"), {
            "kind": ApplicantKind.ENTERPRISE, "identifier": code, "name": "钦州市春节旅馆有限公司",
            "legal_representative": "李经理"}, follow=True)
        applicant = Applicant.objects.get(identifier=code)
        assert "钦州市春节旅馆有限公司" in text(registered)

        accepted = clerk_client.post(reverse("window-applicant", args=[applicant.pk]),
                                     {"item": commitment_item.pk, "wants_commitment": "yes"}, follow=True)
        page = text(accepted)
        application = Application.objects.get(applicant=applicant)
        assert application.channel == Channel.WINDOW and application.status == Status.NOTICE_ISSUED
        assert "请当场向申请人交付告知书" in page
        assert application.commitment_due == dt.date(2025, 2, 5) and "2025年2月5日" in page

    with at(2025, 2, 5, 9):
        clerk_client = login(clerk)
        clerk_client.post(reverse("web-application-commit", args=[application.number]), commit_form(application, "李经理"))
        assert Application.objects.get(pk=application.pk).status == Status.COMMITTED

    with at(2025, 2, 5, 16):
        login(officer).post(reverse("web-application-decide", args=[application.number]))
        application.refresh_from_db()
        assert application.status == Status.APPROVED

        handout = text(login(clerk).get(reverse("window-applicant", args=[applicant.pk])))
    decision = application.documents.get(kind="decision")
    assert reverse("document-pdf", args=[decision.verification_code]) in handout
    later = application.materials.get(material__due=MaterialDue.AFTER_DECISION)
    assert later.due_date == dt.date(2025, 3, 4)  # 2-08 (Saturday) a make-up working day


def test_the_decision_pdf_downloads_from_the_application_page_link(login, applicant_user, enterprise, commitment_item,
                                                                   officer):
    from tests.factories import commitment_application

    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, channel=Channel.ONLINE)
    client = login(applicant_user)
    page = text(client.get(reverse("web-application-detail", args=[application.number])))
    decision = application.documents.get(kind="decision")
    link = reverse("document-pdf", args=[decision.verification_code])
    assert link in page

    # Issue 12: the worker renders the PDFs after issue (the job's own function here); the link serves them.
    document_prepare_pdf(decision.pk)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
