"""窗口受理台 (一窗受理): find or register the applicant present, accept any item, hand over documents."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.constants import ApplicantKind, Channel, MaterialDue, MaterialStatus, Route, Status
from licensing.models import Applicant, Application, Item
from supervision.constants import CreditReason
from supervision.services import credit_record_create
from tests.conftest import pdf_upload
from tests.factories import ApplicantFactory, valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db


def desk(client, identifier):
    return client.get(reverse("window-desk"), {"identifier": identifier})


def accept(client, applicant, item, wants="yes", **extra):
    return client.post(reverse("window-applicant", args=[applicant.pk]),
                       {"item": item.pk, "wants_commitment": wants, **extra}, follow=True)


def commit_form(application):
    owed = application.materials.filter(status=MaterialStatus.OWED,
                                        material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT])
    return {"kind": "already_meets", "signatory": "李经理", **{f"confirm_{n}": "on" for n in range(1, 8)},
            **{f"material_{s.material_id}": pdf_upload() for s in owed}}


def test_only_window_clerks_use_the_window_desk(client, login, applicant_user, officer, regulator, clerk):
    assert client.get(reverse("window-desk")).status_code == 302
    for user in (applicant_user, officer, regulator):
        assert login(user).get(reverse("window-desk")).status_code == 403
    assert login(clerk).get(reverse("window-desk")).status_code == 200


def test_the_clerk_finds_an_applicant_by_its_code_typed_with_spaces_and_lower_case(login, clerk, enterprise):
    typed = " ".join([enterprise.identifier[:6].lower(), enterprise.identifier[6:]])
    response = desk(login(clerk), typed)

    assert response.status_code == 302 and response.url == reverse("window-applicant", args=[enterprise.pk])


def test_an_unknown_code_offers_to_register_the_applicant_on_the_spot(login, clerk):
    code = valid_id_number("window-1")
    html = desk(login(clerk), code).content.decode()

    assert "未找到证件号码为" in html and code in html
    assert re.search(r'value="person"[^>]*checked', html)  # a person, guessed from the 17 digits
    assert "登记并继续受理" in html


def test_a_code_with_a_wrong_check_character_shows_the_validators_message(login, clerk):
    code = valid_uscc("window-2")
    bad = code[:17] + ("1" if code[17] != "1" else "2")
    html = desk(login(clerk), bad).content.decode()

    assert f"统一社会信用代码校验位错误：第18位应为 {code[17]}" in html
    assert "登记并继续受理" not in html


def test_the_clerk_registers_the_applicant_present_and_goes_on_to_accept(login, clerk):
    code = valid_uscc("window-3")
    response = login(clerk).post(reverse("window-desk"), {
        "kind": ApplicantKind.ENTERPRISE, "identifier": code, "name": "钦州市窗口登记有限公司"}, follow=True)

    applicant = Applicant.objects.get(identifier=code)
    assert response.redirect_chain[-1][0] == reverse("window-applicant", args=[applicant.pk])
    assert "已登记申请人：钦州市窗口登记有限公司" in response.content.decode()
    assert not applicant.members.exists()  # the clerk does not become one of its accounts


def test_registering_with_a_wrong_check_character_changes_nothing(login, clerk):
    code = valid_id_number("window-4")
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = login(clerk).post(reverse("window-desk"), {"kind": ApplicantKind.PERSON, "identifier": bad, "name": "赵六"})

    assert response.status_code == 400
    assert "居民身份证号码校验位错误" in response.content.decode()
    assert not Applicant.objects.filter(name="赵六").exists()


def test_accepting_a_commitment_item_issues_the_notice_on_the_spot_and_tells_the_clerk_to_hand_it_over(
        login, clerk, enterprise, commitment_item):
    response = accept(login(clerk), enterprise, commitment_item)

    application = Application.objects.get(applicant=enterprise)
    assert (application.channel, application.status) == (Channel.WINDOW, Status.NOTICE_ISSUED)
    html = response.content.decode()
    assert "请当场向申请人交付告知书" in html
    notice = application.documents.get(kind="notice")
    assert reverse("document-pdf", args=[notice.verification_code]) in html
    assert application.submitted_by == clerk


def test_an_item_whose_notice_content_is_incomplete_says_what_the_admin_must_fill_in(login, clerk, enterprise):
    incomplete = Item.objects.get(seq_no=14)
    response = login(clerk).post(reverse("window-applicant", args=[enterprise.pk]),
                                 {"item": incomplete.pk, "wants_commitment": "yes"})

    assert response.status_code == 409
    html = response.content.decode()
    assert f"事项“{incomplete.name}”的告知内容不完整，请管理员先在事项目录中补充" in html
    assert "法律依据（法律、法规、规章名称及具体条款）" in html and "许可条件（条件、标准和技术要求）" in html
    assert not Application.objects.exists()


def test_the_clerk_records_the_signed_commitment_for_the_applicant_present(login, clerk, enterprise, commitment_item):
    client = login(clerk)
    accept(client, enterprise, commitment_item)
    application = Application.objects.get(applicant=enterprise)

    response = client.post(reverse("web-application-commit", args=[application.number]), commit_form(application),
                           follow=True)

    application.refresh_from_db()
    assert application.status == Status.COMMITTED
    assert application.commitment.recorded_by == clerk and application.commitment.signatory == "李经理"
    assert "承诺书已递交" in response.content.decode()


def test_a_barred_applicant_is_accepted_the_ordinary_way_and_the_clerk_sees_why(login, clerk, enterprise, commitment_item):
    credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.MISSING_MATERIALS)
    client = login(clerk)
    assert "不再适用告知承诺" in client.get(reverse("window-applicant", args=[enterprise.pk])).content.decode()

    response = accept(client, enterprise, commitment_item)

    assert Application.objects.get(applicant=enterprise).route == Route.ORDINARY
    assert "依据告知承诺指引第九条不再适用告知承诺" in response.content.decode()


def test_the_clerk_accepts_any_item_for_the_applicant_and_hands_out_the_results(login, clerk, enterprise):
    filing = Item.objects.filter(reform_mode="filing").first()
    client = login(clerk)
    accept(client, enterprise, filing, wants="no")

    html = client.get(reverse("window-applicant", args=[enterprise.pk])).content.decode()
    application = Application.objects.get(applicant=enterprise)
    receipt = application.documents.get()
    assert application.number in html and "已备案" in html
    assert reverse("document-pdf", args=[receipt.verification_code]) in html


def test_the_item_list_can_be_narrowed_by_name(login, clerk, enterprise, commitment_item):
    html = login(clerk).get(reverse("window-applicant", args=[enterprise.pk]), {"q": "旅馆"}).content.decode()
    assert commitment_item.name in html and "食品小作坊登记" not in html


def test_the_clerk_sees_the_full_identifier_of_the_applicant_present(login, clerk):
    person = ApplicantFactory(kind=ApplicantKind.PERSON, identifier=valid_id_number("window-5"), name="钱七")
    html = login(clerk).get(reverse("window-applicant", args=[person.pk])).content.decode()
    assert person.identifier in html


def test_the_clerk_lets_an_applicants_account_act_online_once_its_papers_are_checked(login, clerk, enterprise, outsider):
    response = login(clerk).post(reverse("window-bind-account", args=[enterprise.pk]),
                                 {"username": outsider.username}, follow=True)

    assert enterprise.members.filter(pk=outsider.pk).exists()
    assert f"账号 {outsider.username} 今后可在网上代 {enterprise.name} 办理" in response.content.decode()


def test_binding_an_unknown_or_staff_account_is_refused_beside_the_field(login, clerk, enterprise, officer):
    client = login(clerk)
    for username in ("nobody-here", officer.username):
        response = client.post(reverse("window-bind-account", args=[enterprise.pk]), {"username": username})
        assert response.status_code == 400
        assert "没有这个网上办事账号，请核对申请人注册时使用的用户名" in response.content.decode()
    assert not enterprise.members.filter(pk=officer.pk).exists()


def test_only_clerks_bind_accounts(login, applicant_user, enterprise, outsider):
    response = login(applicant_user).post(reverse("window-bind-account", args=[enterprise.pk]),
                                          {"username": outsider.username})
    assert response.status_code == 403 and not enterprise.members.filter(pk=outsider.pk).exists()


def test_the_applicant_page_has_a_plain_title_and_one_accounts_panel(login, clerk, enterprise):
    html = login(clerk).get(reverse("window-applicant", args=[enterprise.pk])).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.startswith("窗口受理：" + enterprise.name) and "<" not in title
    assert html.count('id="accounts"') == 1


def test_an_application_that_came_by_mail_gets_its_notice_within_three_working_days(login, clerk, enterprise,
                                                                                   commitment_item):
    client = login(clerk)
    response = client.post(reverse("window-applicant", args=[enterprise.pk]),
                           {"item": commitment_item.pk, "channel": Channel.MAIL, "wants_commitment": "yes"})
    assert response.status_code == 302
    application = Application.objects.get(applicant=enterprise)
    assert (application.channel, application.status) == (Channel.MAIL, Status.SUBMITTED)
    assert application.notice_due is not None and application.notice_issued_at is None


# --- the item list is the catalogue's, from the shared cache (issue 13) ------------------------------

def _options(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def test_the_item_list_is_read_from_the_cache_after_the_first_page(login, clerk, enterprise):
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url).content.decode()
    assert _options(second, "item") == _options(first, "item")
    assert _options(second, "authority") == _options(first, "authority")
    assert Item.objects.count() == _options(second, "item").count("<option") - 1  # the empty choice first
    # neither the items nor the deciders of the items that name several are read again
    assert not [q for q in queries if 'FROM "licensing_item"' in q["sql"]
                and 'FROM "licensing_application"' not in q["sql"]]


def test_an_item_renamed_by_an_admin_shows_in_the_window_list_at_once(login, clerk, enterprise,
                                                                      django_capture_on_commit_callbacks):
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    item = Item.objects.order_by("seq_no").first()
    assert item.name in _options(client.get(url).content.decode(), "item")
    with django_capture_on_commit_callbacks(execute=True):
        item.name = "改名后的事项"
        item.save()
    assert "改名后的事项" in _options(client.get(url).content.decode(), "item")


def test_an_organisation_renamed_shows_among_the_deciders_at_once(login, clerk, enterprise,
                                                                 django_capture_on_commit_callbacks):
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    deciders = _options(client.get(url).content.decode(), "authority")
    item = next(i for i in Item.objects.order_by("seq_no") if f"{i.seq_no}. {i.name}" in deciders)
    organisation = item.authorities.first().organisation
    assert organisation.name in deciders
    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "更名后的审批机关"
        organisation.save()
    assert "更名后的审批机关" in _options(client.get(url).content.decode(), "authority")


def test_the_list_from_the_cache_still_refuses_an_item_that_is_not_in_the_catalogue(login, clerk, enterprise):
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    client.get(url)  # the list is cached
    missing = Item.objects.order_by("-pk").first().pk + 1000
    response = client.post(url, {"item": missing, "wants_commitment": "yes"})
    assert response.status_code == 400 and "请选择目录中的事项。" in response.content.decode()
    assert not Application.objects.filter(applicant=enterprise).exists()


def test_the_list_is_in_the_reader_s_language_from_the_cache_too(login, clerk, enterprise):
    client = login(clerk)
    url = reverse("window-applicant", args=[enterprise.pk])
    chinese = _options(client.get(url).content.decode(), "item")
    item = Item.objects.exclude(name_en="").order_by("seq_no").first()
    english = _options(client.get(url, headers={"Accept-Language": "en"}).content.decode(), "item")
    assert item.name_en in english and item.name_en not in chinese
    assert _options(client.get(url).content.decode(), "item") == chinese  # each language kept apart
