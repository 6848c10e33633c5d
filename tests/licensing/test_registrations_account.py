"""双告知, the enterprise's side (issue 16): the registry's registration tells the enterprise which items its 经营范围
needs, by mail (once, in each account's language) and in its account (/my/registrations/), and fills in what the
applicant would otherwise type again: name, address, legal representative.

The registrations are made here as the intake stores them (licensing.services.registrations.registration_receive:
the Applicant created from the registry, a Registration and its items), without going through the API.
"""
import datetime as dt
import itertools
import socket

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing import tasks
from licensing.constants import ApplicantKind, ClaimStatus
from licensing.models import Applicant, ApplicantMembership, Item, Registration, RegistrationItem, RegistrationSender
from licensing.services.registration_notify import TellNotSent, registration_tell, registration_tell_after_commit
from licensing.web.common import LIST_PAGE
from portal.constants import Role
from tests.factories import ApplicantFactory, commitment_application, valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db

SCOPE = "一般项目：餐饮管理；酒店管理。许可项目：住宿服务；公共场所卫生。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
HOTEL, COSMETICS, AGENCY = 13, 3, 1  # 告知承诺, 审批改为备案, 直接取消审批
_events = itertools.count(1)


def sender():
    return RegistrationSender.objects.get_or_create(token_sha256="a" * 64, defaults={
        "name": "钦州市市场主体登记系统", "secret": "whsec_dGVzdC1zZWNyZXQ="})[0]


def item(seq_no):
    return Item.objects.filter(seq_no=seq_no).order_by("code").first()


def registered(applicant, *, needs=((HOTEL, ["住宿服务"]),), email="", received_at=None):
    """A registration of `applicant` as the intake stores it, needing the items `needs` ((序号, words matched))."""
    registration = Registration.objects.create(
        sender=sender(), event_id=f"EV-{next(_events):06d}", uscc=applicant.identifier, name=applicant.name,
        scope=SCOPE, address="钦州市钦南区扬帆大道1号", legal_representative="赵六", registered_on=dt.date(2024, 10, 8),
        email=email, applicant=applicant, received_at=received_at or timezone.now())
    for seq_no, words in needs:
        RegistrationItem.objects.create(registration=registration, item=item(seq_no),
                                        reform_mode=item(seq_no).reform_mode, words=words)
    return registration


def registry_enterprise(**fields):
    """An enterprise the registry created (name, address, legal representative from the registration)."""
    applicant = ApplicantFactory(name="钦州市海湾旅馆有限公司", address="钦州市钦南区扬帆大道1号", legal_representative="赵六",
                                 **fields)
    registered(applicant)
    return applicant


@pytest.fixture
def addressed(applicant_user, colleague):
    applicant_user.email, applicant_user.language = "zhang@example.com", "zh-hans"
    colleague.email, colleague.language = "li@example.com", "en"
    for user in (applicant_user, colleague):
        user.save()
    return applicant_user, colleague


def tell_twice(registration) -> list:
    results = []
    for _ in range(2):
        result = tasks.registration_tell.apply(args=[registration.pk])
        assert result.successful(), result.traceback
        results.append(result.result)
    return results


# --- the mail -------------------------------------------------------------------------------------

def test_the_task_run_twice_mails_each_recipient_once(enterprise, addressed):
    registration = registered(enterprise, email="contact@haiwan.example.com")
    assert tell_twice(registration) == [True, False]
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@haiwan.example.com", "li@example.com", "zhang@example.com"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # one message each: nobody sees another's address
    assert Registration.objects.get(pk=registration.pk).told_at is not None


def test_a_pending_claim_and_an_account_without_an_address_are_not_mailed(enterprise, applicant_user, outsider):
    outsider.email = "stranger@example.com"
    outsider.save()
    ApplicantMembership.objects.create(applicant=enterprise, user=outsider)  # pending: anybody who typed the code
    applicant_user.email = "zhang@example.com"
    applicant_user.save()
    tell_twice(registered(enterprise))
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]


def test_the_mail_lists_each_item_its_mode_what_that_means_the_words_and_the_links(enterprise, addressed):
    registration = registered(enterprise, needs=((HOTEL, ["住宿服务"]), (COSMETICS, ["化妆品进口"]), (AGENCY, ["出入境中介"])))
    tell_twice(registration)
    message = next(m for m in mail.outbox if m.to == ["zhang@example.com"])
    assert "登记告知" in message.subject and enterprise.name in message.subject
    for shown in ["旅馆业特种行业许可证核发", "实行告知承诺", "可当场办理", "住宿服务", "审批改为备案", "开展经营前在线备案",
                  "直接取消审批", "无需申领许可证", "登记经营信息", "2024年10月8日", "设立登记",
                  f"{settings.SITE_URL}/items/{item(HOTEL).code}/",
                  settings.SITE_URL + reverse("my-registration", args=[registration.pk])]:
        assert shown in message.body, shown


def test_each_account_is_mailed_in_the_language_it_chose(enterprise, addressed):
    tell_twice(registered(enterprise))
    chinese = next(m for m in mail.outbox if m.to == ["zhang@example.com"])
    english = next(m for m in mail.outbox if m.to == ["li@example.com"])
    gloss = item(HOTEL).name_en
    assert gloss and f"({gloss})" in english.body and f"({gloss})" not in chinese.body
    assert "Notify and commit" in english.body and "实行告知承诺" in chinese.body  # the catalogue's label, translated


def test_nothing_is_mailed_when_no_item_is_needed_or_nobody_has_an_address(enterprise, addressed, colleague):
    assert tell_twice(registered(enterprise, needs=())) == [False, False]
    ApplicantMembership.objects.filter(applicant=enterprise).delete()
    assert tell_twice(registered(enterprise)) == [False, False]
    assert mail.outbox == []


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_gives_the_claim_back_and_the_retry_sends(enterprise, addressed, settings):
    registration = registered(enterprise)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    with pytest.raises(TellNotSent):
        registration_tell(registration_id=registration.pk)
    assert Registration.objects.get(pk=registration.pk).told_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert registration_tell(registration_id=registration.pk) is True
    assert len(mail.outbox) == 2


def test_the_intake_queues_the_task_after_its_commit(enterprise, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        registration = registered(enterprise)
        registration_tell_after_commit(registration)
        assert queue.messages() == []  # nothing before the commit
    assert len(callbacks) == 1
    assert queue.messages() == [("licensing.tasks.registration_tell", [registration.pk])]


def test_a_broker_that_is_down_fails_no_intake(enterprise, queue, django_capture_on_commit_callbacks):
    """robust: the queueing's error is logged by Django, and the registration stays, to be seen in the account."""
    queue.point_at_a_broker_that_is_down()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        registration = registered(enterprise)
        registration_tell_after_commit(registration)
    assert len(callbacks) == 1 and Registration.objects.filter(pk=registration.pk).exists()


# --- in the account -------------------------------------------------------------------------------

def page(client, name, *args, **query):
    return client.get(reverse(name, args=args), query)


def test_the_list_shows_the_enterprises_registrations_newest_first_and_nobody_elses(login, applicant_user, enterprise):
    older = registered(enterprise, received_at=timezone.now() - dt.timedelta(days=3))
    newer = registered(enterprise)
    registered(ApplicantFactory(name="别家公司"))
    shown = list(page(login(applicant_user), "my-registrations").context["registrations"])
    assert shown == [newer, older]


def test_the_list_is_paged(login, applicant_user, enterprise):
    for _ in range(LIST_PAGE + 1):
        registered(enterprise)
    client = login(applicant_user)
    assert len(page(client, "my-registrations").context["registrations"]) == LIST_PAGE
    assert len(page(client, "my-registrations", page="2").context["registrations"]) == 1


def test_the_list_reads_50_rows_in_as_many_queries_as_5(login, applicant_user, enterprise):
    client = login(applicant_user)

    def queries_for(n):
        Registration.objects.all().delete()
        for _ in range(n):
            registered(enterprise, needs=((HOTEL, ["住宿服务"]), (COSMETICS, ["化妆品"])))
        with CaptureQueriesContext(connection) as captured:
            assert page(client, "my-registrations", page="1").status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(50)


def test_the_page_shows_each_item_with_its_mode_meaning_words_guide_and_start(login, applicant_user, enterprise):
    registration = registered(enterprise, needs=((HOTEL, ["住宿服务"]), (AGENCY, ["出入境中介"])))
    html = page(login(applicant_user), "my-registration", registration.pk).content.decode()
    for shown in ["旅馆业特种行业许可证核发", "实行告知承诺", "可当场办理", "住宿服务", "直接取消审批", "登记经营信息",
                  reverse("item-guide", args=[item(HOTEL).code]), reverse("apply", args=[item(HOTEL).code]),
                  reverse("apply", args=[item(AGENCY).code]), "钦州市钦南区扬帆大道1号", "赵六", "餐饮管理"]:
        assert shown in html, shown


def test_chinese_data_is_marked_as_chinese_on_the_english_page(client, login, applicant_user, enterprise):
    registration = registered(enterprise)
    client = login(applicant_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, "my-registration", registration.pk).content.decode()
    for text in [registration.address, registration.scope[:10], "住宿服务", enterprise.name]:
        assert f'<span lang="zh-Hans">{text}' in html, text


def test_opening_it_marks_it_seen_once_by_the_first_verified_account(login, client, applicant_user, colleague,
                                                                     enterprise):
    registration = registered(enterprise)
    page(login(applicant_user), "my-registration", registration.pk)
    first = Registration.objects.get(pk=registration.pk)
    assert first.seen_by == applicant_user and first.seen_at is not None
    client.logout()
    page(login(colleague), "my-registration", registration.pk)
    again = Registration.objects.get(pk=registration.pk)
    assert (again.seen_by, again.seen_at) == (applicant_user, first.seen_at)


def test_a_pending_claim_sees_it_but_does_not_mark_it_seen(login, outsider, enterprise):
    ApplicantMembership.objects.create(applicant=enterprise, user=outsider, status=ClaimStatus.PENDING)
    registration = registered(enterprise, email="contact@haiwan.example.com")
    html = page(login(outsider), "my-registration", registration.pk).content.decode()
    assert "旅馆业特种行业许可证核发" in html and "contact@haiwan.example.com" not in html
    assert Registration.objects.get(pk=registration.pk).seen_at is None


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("clerk", 403), ("officer", 403),
                                                 ("admin_user", 403)])
def test_who_is_not_the_enterprise_is_refused(request, login, enterprise, persona, status):
    registration = registered(enterprise)
    assert page(login(request.getfixturevalue(persona)), "my-registration", registration.pk).status_code == status
    assert Registration.objects.get(pk=registration.pk).seen_at is None


def test_a_registration_that_does_not_exist_or_a_huge_number_is_not_found(login, applicant_user):
    client = login(applicant_user)
    assert page(client, "my-registration", 999_999_999).status_code == 404
    assert client.get("/my/registrations/" + "9" * 25 + "/").status_code == 404


def test_the_start_page_lists_the_unseen_first(login, applicant_user, enterprise):
    seen = registered(enterprise)
    seen.seen_at = timezone.now()
    seen.save()
    unseen = registered(enterprise, received_at=timezone.now() - dt.timedelta(days=5))
    response = page(login(applicant_user), "start")
    assert list(response.context["sections"]["registrations"]) == [unseen, seen]
    assert "登记告知：您的经营范围涉及以下许可事项" in response.content.decode()


def test_the_start_page_has_no_section_for_an_account_without_registrations(login, applicant_user, enterprise):
    assert "登记告知：您的经营范围涉及以下许可事项" not in page(login(applicant_user), "start").content.decode()


# --- what is not typed again ------------------------------------------------------------------------

def test_claiming_a_registry_enterprise_asks_only_its_code(login, outsider):
    enterprise = registry_enterprise()
    response = login(outsider).post(reverse("my-applicants"), {"kind": ApplicantKind.ENTERPRISE,
                                                               "identifier": enterprise.identifier})
    assert response.status_code == 302
    claim = ApplicantMembership.objects.get(user=outsider)
    assert claim.applicant == enterprise and claim.status == ClaimStatus.PENDING
    assert Applicant.objects.get(pk=enterprise.pk).name == "钦州市海湾旅馆有限公司"


def test_looking_the_code_up_fills_in_the_registrys_name_address_and_legal_representative(login, outsider):
    enterprise = registry_enterprise()
    response = login(outsider).post(reverse("my-applicants"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": enterprise.identifier.lower(), "lookup": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    for value in ["钦州市海湾旅馆有限公司", "钦州市钦南区扬帆大道1号", "赵六", enterprise.identifier]:
        assert f'value="{value}"' in html, value
    assert not ApplicantMembership.objects.filter(user=outsider).exists()  # a look-up saves nothing


@pytest.mark.parametrize("code", ["person", "unknown", "known not by the registry", "\x00bad"])
def test_a_look_up_fills_in_nothing_but_a_registry_enterprise(login, outsider, code):
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number(7), name="钱七", address="私人住址")
    typed = ApplicantFactory(name="某人自填的公司", address="自填地址")
    identifier = {"person": person.identifier, "unknown": valid_uscc(99), "known not by the registry": typed.identifier,
                  "\x00bad": "\x00bad"}[code]
    html = login(outsider).post(reverse("my-applicants"), {"kind": ApplicantKind.ENTERPRISE, "identifier": identifier,
                                                           "lookup": "1"}).content.decode()
    for private in ["钱七", "私人住址", "某人自填的公司", "自填地址"]:
        assert f'value="{private}"' not in html


def test_a_new_applicant_must_still_be_named(login, outsider):
    response = login(outsider).post(reverse("my-applicants"), {"kind": ApplicantKind.ENTERPRISE,
                                                               "identifier": valid_uscc(98)})
    assert response.status_code == 400 and "请填写申请人名称或姓名" in response.content.decode()
    assert not Applicant.objects.filter(identifier=valid_uscc(98)).exists()


def test_at_the_window_the_registry_enterprises_code_opens_its_page_with_what_the_registry_sent(login, clerk):
    enterprise = registry_enterprise()
    client = login(clerk)
    response = client.get(reverse("window-desk"), {"identifier": enterprise.identifier})
    assert response.status_code == 302 and response.url == reverse("window-applicant", args=[enterprise.pk])
    html = client.get(response.url).content.decode()
    for shown in ["钦州市海湾旅馆有限公司", "钦州市钦南区扬帆大道1号", "赵六"]:
        assert shown in html, shown


def test_the_commitment_is_offered_for_the_registered_legal_representative_to_sign(
        login, commitment_item, officer, applicant_user):
    enterprise = registry_enterprise(members=[applicant_user])
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, until="notice_issued", channel="online")
    html = login(applicant_user).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert 'name="signatory" value="赵六"' in html


def test_the_staff_have_no_registrations_of_their_own(clerk):
    from licensing.selectors.registrations_account import registrations_of_user

    assert clerk.role == Role.CLERK and not registrations_of_user(clerk).exists()


def test_a_registration_whose_task_was_lost_is_mailed_by_the_beat_job_once(enterprise, addressed, queue):
    lost = registered(enterprise, received_at=timezone.now() - dt.timedelta(hours=1))
    registered(enterprise, received_at=timezone.now() - dt.timedelta(days=4))  # left to the account page
    registered(enterprise)  # just received: its own task comes first
    assert tasks.tell_pending_registrations.apply().result == [lost.pk]
    assert queue.messages() == [("licensing.tasks.registration_tell", [lost.pk])]
    assert tell_twice(lost) == [True, False]
    assert tasks.tell_pending_registrations.apply().result == []
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "zhang@example.com"]


def test_a_worker_killed_while_sending_leaves_it_untold_and_the_beat_job_mails_it(enterprise, addressed, queue,
                                                                                 monkeypatch):
    """Nothing lost: a run that dies between taking the registration and the mail going out (here a
    SystemExit, as a worker stopped mid-send raises) marks nothing, so the beat job queues it again."""
    from licensing.services import registration_notify

    lost = registered(enterprise, received_at=timezone.now() - dt.timedelta(hours=1))

    def killed(*args):
        raise SystemExit("worker stopped")

    with monkeypatch.context() as patched:
        patched.setattr(registration_notify, "_send", killed)
        with pytest.raises(SystemExit):
            registration_tell(registration_id=lost.pk)
    assert Registration.objects.get(pk=lost.pk).told_at is None and not mail.outbox
    assert tasks.tell_pending_registrations.apply().result == [lost.pk]
    assert tell_twice(lost) == [True, False]
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "zhang@example.com"]
