"""The licence itself (许可证 / 电子证照, issue 12): issued with every approval, whichever the procedure, and
issued anew as a new version on each change and on its revocation.

Issue 12: "The licence for every approval, whether by the notify-and-commit or the ordinary procedure: its
own number, the holder and its identifier, the item, the scope and conditions, the validity dates, the
issuing authority, and (for a commitment to meet conditions by a date) the date from which the holder may
operate. A revocation or a change issues a new version." Its face follows the data items of GB/T 36901.

Real WeasyPrint and pyHanko: the PDFs are read back with pypdf, as a reader of the paper would.
"""
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from licensing import services
from licensing.constants import Channel, CommitmentKind
from licensing.models import Licence
from licensing.services.licences import licence_issue, licence_title, licence_valid_until
from notices import services as notice_services
from notices.constants import DocumentKind
from notices.models import Document
from portal.exceptions import Conflict
from portal.masking import mask_identifier
from tests.factories import ApplicantFactory, ApplicationFactory, catalogue_item, pdf_file, valid_id_number

pytestmark = pytest.mark.django_db

MEET_BY = dt.date(2024, 11, 29)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace: line breaks fall anywhere in Chinese text."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def licences(application) -> list[Document]:
    return list(Document.objects.filter(application=application, kind=DocumentKind.LICENCE).order_by("version"))


def rendered(document) -> str:
    data = notice_services.document_pdf(document)
    assert data.startswith(b"%PDF")
    return pdf_text(data)


def issuer_name(application) -> str:
    return application.item.authorities.order_by("order").first().organisation.name


@pytest.fixture
def decided(commitment_item, enterprise, officer, at):
    """Item 13 decided on the spot at the window on Wednesday 12 March 2025, the conditions already met."""
    with at(2025, 3, 12):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.WINDOW,
                                  decided=True)


@pytest.fixture
def will_meet(commitment_item, enterprise, officer, at):
    """Licensed on 14 October 2024 on the promise to meet the conditions by 29 November 2024."""
    with at(2024, 10, 14):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.WINDOW,
                                  decided=True, kind=CommitmentKind.WILL_MEET, meet_by=MEET_BY)


def confirm_conditions(application, applicant_user, officer, at, day=(2024, 11, 4)):
    """The holder hands in what it owes and declares the conditions met on 1 November; the authority
    confirms them on `day`."""
    with at(2024, 11, 1):
        for submission in application.materials.filter(status="owed"):
            services.material_submit(application=application, material_id=submission.material_id, upload=pdf_file(),
                                     actor=applicant_user)
        services.application_declare_conditions(application=application, actor=applicant_user)
    with at(*day):
        return services.application_confirm_conditions(application=application, actor=officer)


def approved(at, day, *, years=None, applicant=None, details=""):
    """An ordinary-procedure approval (the first optimised item, 外商投资旅行社业务许可) on `day`."""
    item = catalogue_item("optimise")
    item.licence_valid_years = years
    item.save()
    with at(*day):
        return ApplicationFactory(item=item, applicant=applicant, approved=True, details=details)


# --- version 1, with the approval ------------------------------------------------------------

def test_a_decision_on_the_spot_issues_the_licence_with_the_data_items_of_an_electronic_licence(decided, enterprise):
    """Issue 12: its own number, the holder and its identifier, the item, the scope, the conditions, the
    validity, the issuing authority (GB/T 36901's 证照名称, 证照编号, 持证主体, 持证主体代码 …)."""
    licence = Licence.objects.get(application=decided)
    [document] = licences(decided)
    assert (document.version, licence.version) == (1, 1)
    text = rendered(document)
    for phrase in [
        "旅馆业特种行业许可证",  # 证照名称, from the item's name (…许可证核发)
        f"证照编号{licence.number}", f"证照标识{licence.number}-01", "非GB/T36904证照标识编码",
        f"持证主体{enterprise.name}", "持证主体代码类型统一社会信用代码", f"持证主体代码{enterprise.identifier}",
        "许可事项旅馆业特种行业许可证核发", "许可范围旅馆业特种行业许可证核发",
        "自2025年3月12日起可以开展经营", "本许可以告知承诺方式取得",
        "有效期起始日期2025年3月12日", "有效期截止日期长期",
        f"颁发机构{issuer_name(decided)}", "颁证日期2025年3月12日", "证照状态有效", "版本第1版",
        document.number, f"验证码：{document.verification_code}",
    ]:
        assert phrase in text, phrase
    assert "变更事项" not in text and "替代版本" not in text


def test_the_decision_names_the_licence_issued_with_it(decided):
    """The decision keeps its licence table and names the licence and the document that carries it."""
    [licence] = licences(decided)
    decision = Document.objects.get(application=decided, kind=DocumentKind.DECISION)
    assert decided.licence.number in decision.html and licence.number in decision.html
    assert licence.issued_at <= decision.issued_at and licence.pk < decision.pk


def test_an_ordinary_approval_issues_the_licence_for_the_scope_applied_for(applicant_user, at):
    """Issue 12: "The licence for every approval, whether by the notify-and-commit or the ordinary
    procedure"; a person holds it by 居民身份证号码, masked in the copy others read (issue 8)."""
    person = ApplicantFactory(kind="person", name="赵小六", identifier=valid_id_number(7), members=[applicant_user])
    application = approved(at, (2025, 3, 12), applicant=person, details="  入境旅游业务、国内旅游业务  ")
    [document] = licences(application)
    text = rendered(document)
    for phrase in ["外商投资旅行社业务许可证", "持证主体赵小六", "持证主体代码类型居民身份证号码",
                   f"持证主体代码{person.identifier}", "许可范围入境旅游业务、国内旅游业务",
                   "自2025年3月12日起可以开展经营", "经审查", "有效期截止日期长期", "证照状态有效"]:
        assert phrase in text, phrase
    assert "告知承诺" not in text
    assert person.identifier not in document.masked_html
    assert mask_identifier(person.identifier) in document.masked_html


# --- validity: Item.licence_valid_years ------------------------------------------------------

def test_the_licence_is_valid_for_the_items_years_from_the_day_of_issue(at):
    """Item.licence_valid_years (admins fill it: the gazette sets none): from the day of issue, to the
    day before the same date that many years on."""
    application = approved(at, (2025, 3, 12), years=3)
    licence = Licence.objects.get(application=application)
    assert (licence.valid_from, licence.valid_until) == (dt.date(2025, 3, 12), dt.date(2028, 3, 11))
    [document] = licences(application)
    assert "2028年3月11日" in document.html and "长期" not in document.html.split("有效期截止日期")[1][:80]


@pytest.mark.parametrize("years, until", [(1, dt.date(2025, 2, 28)), (4, dt.date(2028, 2, 28)),
                                          (5, dt.date(2029, 2, 28))])
def test_a_licence_issued_on_29_february_runs_its_full_years(at, years, until):
    """A start on 29 February: its anniversary in a common year is 1 March, so the licence runs to
    28 February (not a day short); in a leap year the anniversary is 29 February itself."""
    application = approved(at, (2024, 2, 29), years=years)
    licence = Licence.objects.get(application=application)
    assert (licence.valid_from, licence.valid_until) == (dt.date(2024, 2, 29), until)
    assert f"{until.year}年{until.month}月{until.day}日" in licences(application)[0].html


def test_the_validity_rule_at_the_edges_of_february():
    """The day before the same date N years on: a year from 1 March 2027 ends on 29 February 2028."""
    assert licence_valid_until(dt.date(2027, 3, 1), 1) == dt.date(2028, 2, 29)
    assert licence_valid_until(dt.date(2024, 3, 1), 1) == dt.date(2025, 2, 28)
    assert licence_valid_until(dt.date(2025, 1, 1), 5) == dt.date(2029, 12, 31)
    assert licence_valid_until(dt.date(2025, 1, 1), None) is None


def test_without_years_the_licence_is_valid_long_term(decided):
    """No validity set for the item: 长期 (Item.licence_valid_years empty)."""
    licence = Licence.objects.get(application=decided)
    assert licence.valid_until is None
    assert "有效期截止日期</th><td>长期" in licences(decided)[0].html


def test_the_licence_is_named_after_the_item():
    """证照名称 from the item's name; a name that names no licence gives 许可证."""
    class Item:
        def __init__(self, name):
            self.name = name
    assert licence_title(Item("食品相关产品生产许可证核发")) == "食品相关产品生产许可证"
    assert licence_title(Item("公共场所卫生许可")) == "公共场所卫生许可证"
    assert licence_title(Item("动物防疫条件合格证核发")) == "动物防疫条件合格证"
    assert licence_title(Item("电影放映单位设立审批")) == "许可证"


# --- a change: the conditions confirmed ------------------------------------------------------

def test_a_licence_on_a_promise_says_no_business_until_the_conditions_are_confirmed(will_meet):
    """钦政发〔2019〕20号: "达到经营许可条件并按要求提交材料后，方可开展经营"."""
    [document] = licences(will_meet)
    assert "持证主体承诺于2024年11月29日前具备许可条件" in document.html
    assert "具备条件并提交材料前不得从事相关经营活动，经" in document.html
    assert "起可以开展经营" not in document.html


def test_confirming_the_conditions_issues_version_2_with_the_day_the_holder_may_operate(
        will_meet, applicant_user, officer, at):
    """Issue 12: "A revocation or a change issues a new version"; the licence says from when the holder
    may operate, what changed, and which version it replaces."""
    confirm_conditions(will_meet, applicant_user, officer, at)
    first, second = licences(will_meet)
    assert Licence.objects.get(application=will_meet).version == 2
    assert second.version == 2 and second.number != first.number
    text = rendered(second)
    for phrase in ["版本第2版", "证照标识QZXK", "-02",
                   "经县区人民政府公安部门确认已具备许可条件，自2024年11月4日起可以开展经营",
                   "变更事项经审批机关确认已具备经营许可条件，自2024年11月4日起可以开展经营",
                   f"本版（2024年11月4日出具）取代第1版（{first.number}，验证码{first.verification_code}）",
                   "证照状态有效", "颁证日期2024年10月14日", "有效期起始日期2024年10月14日"]:
        assert phrase in text, phrase
    assert "具备条件并提交材料前不得从事相关经营活动，经" in first.html  # the first version stays as it was issued


def test_the_application_page_lists_every_version_and_marks_the_older_ones(will_meet, applicant_user, officer, at,
                                                                           login):
    confirm_conditions(will_meet, applicant_user, officer, at)
    page = login(applicant_user).get(f"/applications/{will_meet.number}/").content.decode()
    first, second = licences(will_meet)
    assert "许可证（第1版）" in page and "许可证（第2版）" in page
    items = re.findall(r"<li.*?</li>", page, re.S)
    older, newer = (next(li for li in items if d.number in li) for d in (first, second))
    assert "许可证（第1版）" in older and "已被取代" in older
    assert "许可证（第2版）" in newer and "已被取代" not in newer


def test_the_window_marks_a_superseded_licence_so_the_clerk_hands_out_the_current_one(
        will_meet, applicant_user, officer, clerk, enterprise, at, login):
    """The clerk hands out results at the window: an older version of the licence is marked 已被取代，勿交付,
    the current one is not."""
    confirm_conditions(will_meet, applicant_user, officer, at)
    page = login(clerk).get(f"/desk/window/applicants/{enterprise.pk}/").content.decode()
    assert "许可证（第1版）（PDF）</a> <span class=\"muted\">已被取代，勿交付</span>" in page
    assert "许可证（第2版）（PDF）</a> <span" not in page
    assert page.count("已被取代，勿交付") == 1


# --- revocation --------------------------------------------------------------------------------

def test_revocation_issues_a_version_that_says_revoked_since_when_and_by_which_decision(decided, officer, at):
    """附件3 第六、七条: the revoked licence ends; its new version says 已撤销, since when, and names the
    revocation decision and its reason."""
    with at(2025, 4, 1):
        services.application_revoke(application=decided, actor=officer, reason="检查发现承诺内容不实。")
    first, revoked = licences(decided)
    revocation = Document.objects.get(application=decided, kind=DocumentKind.REVOCATION)
    text = rendered(revoked)
    for phrase in ["本许可证已于2025年4月1日撤销", "证照状态已撤销（自2025年4月1日起）",
                   f"撤销决定撤销行政许可决定书{revocation.number}（2025年4月1日）", "撤销理由检查发现承诺内容不实。",
                   f"变更事项撤销许可（{revocation.number}）", f"取代第1版（{first.number}", "版本第2版"]:
        assert phrase in text, phrase
    assert "许可证编号" in revocation.html and decided.licence.number in revocation.html
    assert "2025年4月1日起失效" in revocation.html
    assert "证照状态</th><td class=\"status\">有效" in first.html  # as issued


def test_revoking_or_confirming_twice_yields_one_version(will_meet, applicant_user, officer, at):
    """One effect: a second confirmation or revocation is refused and issues nothing; a version issued
    twice is the first (notices.services.document_issue)."""
    confirm_conditions(will_meet, applicant_user, officer, at)
    with pytest.raises(Conflict), at(2024, 11, 5):
        services.application_confirm_conditions(application=will_meet, actor=officer)
    assert [d.version for d in licences(will_meet)] == [1, 2]
    with at(2024, 11, 6):
        services.application_revoke(application=will_meet, actor=officer, reason="检查发现承诺内容不实。")
        with pytest.raises(Conflict):
            services.application_revoke(application=will_meet, actor=officer, reason="再次撤销。")
    assert [d.version for d in licences(will_meet)] == [1, 2, 3]
    licence = Licence.objects.get(application=will_meet)
    assert licence.version == 3 and licence.revocation_reason == "检查发现承诺内容不实。"
    assert licence_issue(will_meet, licence).pk == licences(will_meet)[2].pk
    assert Document.objects.filter(application=will_meet, kind=DocumentKind.REVOCATION).count() == 1


# --- the API -----------------------------------------------------------------------------------

def test_the_api_lists_each_version_with_its_seal_pdf_and_verification_url(will_meet, applicant_user, officer, at,
                                                                           login, settings):
    """The detail's documents: version, whether superseded, the seal, whether the PDF is ready to take,
    and the public verification URL (on SITE_URL, the address the QR code carries)."""
    confirm_conditions(will_meet, applicant_user, officer, at)
    first, second = licences(will_meet)
    client = login(applicant_user)

    def listed():
        body = client.get(f"/api/v1/applications/{will_meet.number}/").json()
        return {(d["kind"], d["version"]): d for d in body["documents"]}

    documents = listed()
    assert {key for key in documents if key[0] == "licence"} == {("licence", 1), ("licence", 2)}
    old, new = documents[("licence", 1)], documents[("licence", 2)]
    assert (old["superseded"], new["superseded"]) == (True, False)
    assert new["number"] == second.number and new["kind_display"] == "许可证"
    assert new["verify_url"] == f"{settings.SITE_URL.rstrip('/')}/verify/?code={second.verification_code}"
    assert (new["seal"], new["seal_display"]) == ("demo", "演示签章（非法定电子印章）")
    assert new["pdf_ready"] is False  # the worker has not rendered it yet
    assert documents[("decision", 1)]["version"] == 1 and documents[("decision", 1)]["superseded"] is False
    notice_services.document_prepare_pdf(second.pk)
    assert listed()[("licence", 2)]["pdf_ready"] is True
    assert listed()[("licence", 1)]["pdf_ready"] is False
