"""Commitments to meet the conditions by a date (issue 11). 钦政发〔2019〕20号: "对企业尚不具备经营许可条件但承诺
领证后一定期限内具备的，企业达到经营许可条件并按要求提交材料后，方可开展经营".

The licence is issued on the spot but says the holder may not operate yet; the holder declares the
conditions met once everything owed is handed in; the deciding authority confirms, and the licence
says from when the holder may operate. A reminder goes out before the date; a date passed with
nothing declared follows the path of late materials (附件3 第六、九条): revoked, credit record.
"""
import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from licensing import services, tasks
from licensing.constants import Action, Channel, CommitmentKind, Status
from licensing.models import Application, ApplicationEvent, Licence
from licensing.selectors import NOT_YET_OPERATING, conditions_due_soon, deadlines
from notices.constants import DocumentKind
from portal.exceptions import Conflict
from supervision.constants import CreditReason
from supervision.models import CreditRecord
from tests.factories import ApplicationFactory, pdf_file

pytestmark = pytest.mark.django_db

MEET_BY = dt.date(2024, 11, 29)  # a Friday; the reminder window opens five working days before


def fresh(application):
    return Application.objects.get(pk=application.pk)


def licence_of(application):
    return Licence.objects.get(application=application)


def run(task):
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


@pytest.fixture
def will_meet(commitment_item, enterprise, officer, applicant_user, colleague, outsider, at):
    """Licensed at the window on 2024-10-14 on the promise to meet the conditions by 2024-11-29; the
    after-decision material (安全设施说明) is owed by 2024-11-11. Two verified accounts act for the
    enterprise, and one account has only claimed it."""
    applicant_user.email, colleague.email, outsider.email = "zhang@example.com", "li@example.com", "wang@example.com"
    for user in (applicant_user, colleague, outsider):
        user.save()
    enterprise.members.add(outsider)  # a pending claim: anybody may type a 统一社会信用代码
    with at(2024, 10, 14):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.WINDOW,
                                  decided=True, kind=CommitmentKind.WILL_MEET, meet_by=MEET_BY)


def hand_in_owed(application, actor):
    for submission in application.materials.filter(status="owed"):
        services.material_submit(application=application, material_id=submission.material_id,
                                 upload=pdf_file(), actor=actor)


def progress_page(client, application):
    response = client.post(reverse("progress"), {"number": application.number, "code": application.query_code})
    assert response.status_code == 200
    return response.content.decode()


def verify_page(client, application):
    code = application.documents.get(kind=DocumentKind.DECISION).verification_code
    return client.get(reverse("verify"), {"code": code}).content.decode()


def test_a_licence_on_a_promise_to_meet_the_conditions_does_not_let_the_holder_operate(will_meet, client):
    """20号: "企业达到经营许可条件并按要求提交材料后，方可开展经营" — until then the public pages say so."""
    application = fresh(will_meet)
    assert application.status == Status.APPROVED and application.conditions_due == MEET_BY
    assert licence_of(will_meet).may_operate_from is None
    assert NOT_YET_OPERATING == "未达到经营条件，不得开展经营"
    page = progress_page(client, will_meet)
    assert NOT_YET_OPERATING in page and "持证人承诺于2024年11月29日前达到经营许可条件" in page
    assert "承诺达到经营许可条件期限" in page and "2024年11月29日" in page
    assert NOT_YET_OPERATING in verify_page(client, will_meet)
    progress = client.get(f"/api/v1/progress/{will_meet.number}/", {"code": will_meet.query_code})
    assert progress.status_code == 200
    assert progress.json()["operating"] == {"may_operate": False, "may_operate_from": None, "label": NOT_YET_OPERATING,
                                            "note": "持证人承诺于2024年11月29日前达到经营许可条件"}


def test_a_licence_on_conditions_already_met_lets_the_holder_operate_at_once(commitment_item, enterprise, officer,
                                                                             client, at):
    """20号: "对企业承诺已具备经营许可条件的，企业领证后即可开展经营"."""
    with at(2024, 10, 14):
        application = ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer,
                                         channel=Channel.WINDOW, decided=True)
    assert licence_of(application).may_operate_from == dt.date(2024, 10, 14)
    for page in (progress_page(client, application), verify_page(client, application)):
        assert "可开展经营日期：2024年10月14日" in page and NOT_YET_OPERATING not in page


def test_the_holder_declares_only_once_everything_owed_is_handed_in(will_meet, applicant_user, at):
    """20号: "达到经营许可条件并按要求提交材料后" — the materials first, then the declaration."""
    with at(2024, 10, 21):
        with pytest.raises(Conflict, match="安全设施说明"):
            services.application_declare_conditions(application=will_meet, actor=applicant_user)
        assert fresh(will_meet).conditions_declared_at is None
        hand_in_owed(will_meet, applicant_user)
        services.application_declare_conditions(application=will_meet, actor=applicant_user)
    application = fresh(will_meet)
    assert application.conditions_declared_at is not None and application.conditions_met_at is None
    assert licence_of(will_meet).may_operate_from is None  # declaring is not yet confirming
    event = ApplicationEvent.objects.get(application=will_meet, action=Action.DECLARE_CONDITIONS)
    assert event.actor == applicant_user


def test_the_authority_confirms_and_from_that_day_the_holder_may_operate(will_meet, applicant_user, officer,
                                                                        client, at):
    """20号: "方可开展经营" — the licence says from when, and the public pages follow."""
    with at(2024, 10, 21):
        hand_in_owed(will_meet, applicant_user)
        services.application_declare_conditions(application=will_meet, actor=applicant_user)
        assert "持证人已申报达到经营许可条件，待审批机关确认" in progress_page(client, will_meet)
    with at(2024, 10, 23):
        services.application_confirm_conditions(application=will_meet, actor=officer)
    assert licence_of(will_meet).may_operate_from == dt.date(2024, 10, 23)
    assert fresh(will_meet).conditions_met_at is not None
    for page in (progress_page(client, will_meet), verify_page(client, will_meet)):
        assert "可开展经营日期：2024年10月23日" in page and NOT_YET_OPERATING not in page


def test_the_authority_cannot_confirm_what_was_not_declared(will_meet, officer, at):
    """20号: the holder declares the conditions met first (按要求提交材料后); nothing changes otherwise."""
    with at(2024, 10, 21):
        with pytest.raises(Conflict):
            services.application_confirm_conditions(application=will_meet, actor=officer)
    assert licence_of(will_meet).may_operate_from is None


def test_a_declaration_after_the_date_is_refused_as_late_materials_are(will_meet, applicant_user, at):
    """附件3 第六条 applied to the promised date (the issue: "the same path as late materials follows")."""
    with at(2024, 10, 21):
        hand_in_owed(will_meet, applicant_user)
    with at(2024, 12, 2):
        with pytest.raises(Conflict, match="已过"):
            services.application_declare_conditions(application=will_meet, actor=applicant_user)
    assert fresh(will_meet).conditions_declared_at is None


# --- the reminder ---------------------------------------------------------------------------


def test_the_holder_is_reminded_once_before_the_date_even_when_the_job_runs_twice(
        will_meet, django_capture_on_commit_callbacks, at):
    """20号 via the issue: "Remind the applicant before the date" — by mail to the verified accounts."""
    with at(2024, 11, 22, 8, 30), django_capture_on_commit_callbacks(execute=True):
        assert run(tasks.remind_conditions) == [will_meet.number]
        assert run(tasks.remind_conditions) == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["li@example.com", "zhang@example.com"]  # not the pending claim
    for shown in [will_meet.number, "2024年11月29日", "安全设施说明", "申报已具备经营许可条件", "方可开展经营",
                  "撤销行政许可决定", "诚信档案", reverse("web-application-detail", args=[will_meet.number])]:
        assert shown in message.body, shown
    assert "经营许可条件到期提醒" in message.subject
    assert fresh(will_meet).conditions_reminded_at is not None


def test_no_reminder_before_the_window_opens(will_meet, django_capture_on_commit_callbacks, at):
    """The reminder goes within five working days of the date (CONDITIONS_REMINDER_WORKING_DAYS), not earlier."""
    with at(2024, 11, 21, 8, 30), django_capture_on_commit_callbacks(execute=True):
        assert list(conditions_due_soon()) == []
        assert run(tasks.remind_conditions) == []
    assert mail.outbox == []


def test_no_reminder_once_the_holder_has_declared(will_meet, applicant_user, django_capture_on_commit_callbacks, at):
    """Nothing to remind of: the holder has done its part (20号: 达到条件并提交材料)."""
    with at(2024, 10, 21):
        hand_in_owed(will_meet, applicant_user)
        services.application_declare_conditions(application=will_meet, actor=applicant_user)
    with at(2024, 11, 22, 8, 30), django_capture_on_commit_callbacks(execute=True):
        assert run(tasks.remind_conditions) == []
    assert mail.outbox == []


def test_a_reminder_that_cannot_be_sent_is_tried_again_next_run(will_meet, django_capture_on_commit_callbacks,
                                                               monkeypatch, at):
    """A mail server that is down must not lose the reminder: the claim is given back."""
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")
    monkeypatch.setattr(EmailMessage, "send", down)
    with at(2024, 11, 22, 8, 30), django_capture_on_commit_callbacks(execute=True):
        run(tasks.remind_conditions)
    assert fresh(will_meet).conditions_reminded_at is None
    monkeypatch.setattr(EmailMessage, "send", real_send)
    with at(2024, 11, 25, 8, 30), django_capture_on_commit_callbacks(execute=True):
        assert run(tasks.remind_conditions) == [will_meet.number]
    assert len(mail.outbox) == 1


def test_a_worker_killed_while_sending_the_reminder_leaves_it_to_the_next_run(will_meet, monkeypatch, at):
    """Nothing lost: the claim and the mail are one transaction, so a run that dies mid-send (here a
    SystemExit, as a worker stopped while sending raises) marks nothing, and the next run reminds."""
    from django.core.mail import EmailMessage

    from licensing.services.conditions import applications_remind_conditions

    real_send = EmailMessage.send

    def killed(self, *args, **kwargs):
        raise SystemExit("worker stopped")
    monkeypatch.setattr(EmailMessage, "send", killed)
    with at(2024, 11, 22, 8, 30), pytest.raises(SystemExit):
        applications_remind_conditions()
    assert fresh(will_meet).conditions_reminded_at is None and mail.outbox == []
    monkeypatch.setattr(EmailMessage, "send", real_send)
    with at(2024, 11, 25, 8, 30):
        assert run(tasks.remind_conditions) == [will_meet.number]
        assert run(tasks.remind_conditions) == []
    assert len(mail.outbox) == 1


# --- the date passes --------------------------------------------------------------------------


def test_the_date_passed_unmet_revokes_with_a_credit_record_once_however_often_the_job_runs(
        will_meet, applicant_user, at):
    """附件3 第六条 (撤销) and 第九条 (记入诚信档案), the path of late materials, for the promised date."""
    with at(2024, 10, 21):
        hand_in_owed(will_meet, applicant_user)  # only the conditions are missing
    with at(2024, 11, 29, 23):
        assert run(tasks.revoke_for_unmet_conditions) == []  # the date itself is still in time
    with at(2024, 11, 30, 0, 15):
        assert run(tasks.revoke_for_unmet_conditions) == [will_meet.number]
        assert run(tasks.revoke_for_unmet_conditions) == []
    application = fresh(will_meet)
    assert application.status == Status.REVOKED
    assert licence_of(will_meet).revoked_at is not None
    records = CreditRecord.objects.filter(application=will_meet)
    assert [r.reason for r in records] == [CreditReason.CONDITIONS_UNMET]
    assert ApplicationEvent.objects.filter(application=will_meet, action=Action.REVOKE).count() == 1
    assert application.documents.filter(kind=DocumentKind.REVOCATION).count() == 1


def test_a_declaration_waiting_for_the_authority_is_not_revoked(will_meet, applicant_user, at):
    """The holder did its part by the date; the authority's confirmation is not the holder's delay."""
    with at(2024, 10, 21):
        hand_in_owed(will_meet, applicant_user)
        services.application_declare_conditions(application=will_meet, actor=applicant_user)
    with at(2024, 12, 2, 0, 15):
        assert run(tasks.revoke_for_unmet_conditions) == []
    assert fresh(will_meet).status == Status.APPROVED
    assert not CreditRecord.objects.filter(application=will_meet).exists()


def test_the_beat_schedule_runs_the_reminder_and_the_revocation(settings):
    """Both jobs are scheduled (portal/settings/base.py) and registered with Celery."""
    from portal.celery import app as celery_app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"licensing.tasks.remind_conditions", "licensing.tasks.revoke_for_unmet_conditions"} <= scheduled
    assert {tasks.remind_conditions.name, tasks.revoke_for_unmet_conditions.name} <= set(celery_app.tasks)


def test_the_conditions_deadline_is_listed_with_the_others(will_meet, at):
    """One place for deadlines: the promised date shows beside the materials' and the inspection's."""
    with at(2024, 10, 21):
        rows = {d.label: d for d in deadlines(fresh(will_meet))}
    assert rows["承诺达到经营许可条件期限"].date == MEET_BY and rows["承诺达到经营许可条件期限"].state == "进行中"
