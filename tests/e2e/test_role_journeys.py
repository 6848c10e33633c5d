"""Issue 15: every role's day in a real browser, in 简体中文 and in English.

One journey per role, each signing in through the real pages (staff with a backup code as their second
factor) and landing on its own start page: the applicant finds item 13 (旅馆业特种行业许可证核发) by its
business scope, applies, commits and rates; the clerk accepts item 13 at the window, hands over the notice,
records the signed commitment and prints; the officer issues a notice, decides and answers a poor rating;
the regulator records an inspection with a rectification and its deadline; the admin edits item 13 and
routes it to a regulator, and the public guide shows it. What other people do meanwhile (the officer's
notice and decision for the applicant, the applications the officer and the regulator find) is done by the
services, as those people would through their own pages.

Each journey runs twice: in Chinese (the browser asks for zh-CN), and in English, switched with the header's
language switch on the first page the person visits, before signing in. The Browser (tests/e2e/conftest.py)
finds labels and buttons by their Chinese msgids translated into the reader's language, runs axe-core on
every page it reaches and, on English pages, fails on Chinese left outside the parts marked lang="zh-Hans".
Each journey keeps a screenshot of its last page under var/e2e/<role>-<language>.png.
"""
import io
import urllib.request

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext_lazy
from pypdf import PdfReader

from licensing import services
from licensing.constants import ReformMode, Status
from licensing.services.ratings import rating_submit
from licensing.models import Application, Item, Rating, RegulatorRoute
from notices.services import document_prepare_pdf
from portal.constants import OrgKind, Role
from supervision.constants import InspectionOutcome, InspectionStatus
from supervision.forms_inspections import person_choice
from supervision.i18n import local_date
from supervision.models import Inspection, InspectionResult
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, second_factor_code
from tests.supervision.inbox_world import deliver_all

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select
except ImportError:  # the `browser` fixture reports it (tests/e2e/conftest.py)
    By = Keys = Select = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["zh-hans", "en"]
ITEM_NAME = "旅馆业特种行业许可证核发"
# A business scope as a hotel's licence prints it: 住宿服务 leads to item 13.
SCOPE = ("许可项目：住宿服务；餐饮服务；烟草制品零售。一般项目：停车场服务；会议及展览服务；洗染服务。"
         "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")
POOR_COMMENT = "网上申请后三天才收到告知书，材料清单也没有一次说清楚。"
ANSWER = "已核实：告知书出具晚了一天。已调整值班安排，网上申请当天出具告知书，材料清单一次告知。"
FINDING = "现场核查：消防通道堆放杂物，应急照明两处损坏，与承诺的安全条件不符。"
REGULATOR_NAME = "钦州市公安局治安管理支队"
REMARK = "自2019年12月1日起实行告知承诺制，申请人可在网上或政务服务中心窗口申请。"


# --- what every journey does ------------------------------------------------------------------------

def reads(browser, text) -> str:
    """A label the portal keeps as a lazy translation (a status, a choice), as this reader reads it."""
    with translation.override(browser.language):
        return str(text)


def arrive(browser, path: str, language: str):
    """The first page of the day. An English reader switches the language there, before signing in; the
    switch comes back to the same page."""
    browser.visit(path)
    if language != "zh-hans":
        browser.speak(language)
        assert browser.path == path, browser.path
    assert browser.find("html").get_attribute("lang") == {"zh-hans": "zh-Hans", "en": "en"}[language]


def sign_in(browser, user):
    """From the first page visited: 登录 in the header, then the password (and the code for staff)."""
    browser.click("登录", within=browser.find(".main-nav"))
    code = second_factor_code(user) if user.role != Role.APPLICANT else None
    browser.sign_in(user, code=code)


def on_start_page(browser):
    """Signing in lands on the person's own start page (我的首页), not on the public home page."""
    assert browser.path == reverse("start"), browser.path
    assert browser.heading().startswith(browser.t("我的首页")), browser.heading()


def go_to(browser, text: str):
    """A link of the header's navigation."""
    browser.click(text, within=browser.find(".main-nav"))


def tick_confirmations(browser, form):
    """The 承诺书's 7 confirmations (the gazette's words, kept in Chinese), each ticked by its label."""
    boxes = browser.finds("fieldset.confirmations input[type=checkbox]", within=form)
    assert len(boxes) == 7
    for box in boxes:
        browser.find(f'label[for="{box.get_attribute("id")}"]', within=form).click()
        assert box.is_selected()


def sign_commitment(browser, *, signatory, files):
    """The 承诺书 form on the application's page: the kind, the confirmations, the signatory, the files."""
    form = browser.find("#commit form")
    browser.choose("已具备许可条件", within=form)
    tick_confirmations(browser, form)
    browser.fill("签署人（法定代表人、负责人或本人）", signatory, within=form)
    for label, path in files.items():
        browser.attach(label, path, within=form)
    browser.click("签署并递交承诺书", within=form)


def status(browser) -> str:
    return browser.text(".summary .status")


def number_on_page(browser) -> str:
    return browser.text(".summary .code")


def printed(browser, link) -> bytes:
    """What a print link opens in its new tab, fetched with this browser's session: the PDF the browser's
    viewer would show and print (not navigated to: a PDF has no page for axe-core to read)."""
    assert link.get_attribute("target") == "_blank"
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.driver.get_cookies())
    request = urllib.request.Request(link.get_attribute("href"), headers={"Cookie": cookies})
    with urllib.request.urlopen(request) as response:  # noqa: S310 (the live server)
        assert response.status == 200, response.status  # 202 would be "being prepared"
        assert response.headers["Content-Type"] == "application/pdf", response.headers["Content-Type"]
        data = response.read()
    assert data.startswith(b"%PDF")
    return data


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def pdfs_kept(application):
    """The worker's turn: the application's documents rendered to PDF, as after issue (notices.tasks)."""
    for document in application.documents.all():
        document_prepare_pdf(document.pk)


# --- the applicant: finds, applies, commits, rates ---------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_an_applicant_finds_item_13_by_its_business_scope_applies_commits_and_rates(
        browser, language, applicant_user, enterprise, commitment_item, officer, pdf_file):
    arrive(browser, reverse("login"), language)
    browser.sign_in(applicant_user)
    on_start_page(browser)
    assert browser.find("#commitments h2") and browser.find("#to-rate h2")

    # 经营范围查事项: the scope as on the business licence; item 13 comes with its reform mode and a link to apply.
    go_to(browser, "经营范围查事项")
    assert browser.heading() == browser.t("经营范围查事项")
    browser.fill("经营范围或关键词", SCOPE)
    browser.click("查找事项", within=browser.find("form.finder-form"))
    assert "scope=" in browser.path
    row = browser.wait.until(lambda d: d.find_element(
        By.XPATH, '//section[contains(@class, "finder-results")]//tbody/tr[td[1][normalize-space()="13"]]'))
    assert ITEM_NAME in row.text and "住宿服务" in browser.find("mark", within=row).text
    assert reads(browser, ReformMode(commitment_item.reform_mode).label) in row.text
    apply_link = browser.find(f'a[href="{reverse("apply", args=[commitment_item.code])}"]', within=row)
    assert apply_link.text.startswith(browser.t("在线申请"))
    browser._navigating(apply_link.click)

    # 在线申请, wanting to commit (告知承诺).
    assert browser.path == reverse("apply", args=[commitment_item.code])
    assert ITEM_NAME in browser.heading()
    browser.choose(enterprise.name)
    browser.choose("愿意作出承诺（告知承诺）")
    browser.fill("申请事项说明", "钦州港区旅馆一家，客房20间。")
    browser.attach("申请书", pdf_file("申请书.pdf"))
    browser.click(reads(browser, pgettext_lazy("action", "提交申请")))  # the button says it as an action
    number = number_on_page(browser)
    assert status(browser) == reads(browser, Status.SUBMITTED.label)

    # The officer issues the notice (on the officer's desk: here through the service).
    application = Application.objects.get(number=number)
    services.application_issue_notice(application=application, actor=officer)

    # The start page now says what the applicant owes: the commitment, by its date.
    go_to(browser, "我的首页")
    owed = browser.row("commitments", number)
    assert ITEM_NAME in owed.text
    browser.click(number, within=owed)
    assert status(browser) == reads(browser, Status.NOTICE_ISSUED.label)
    sign_commitment(browser, signatory="张三", files={"承诺书附件": pdf_file("承诺书附件.pdf")})
    assert browser.t("承诺书已递交。审批部门将于今日作出许可决定。") in browser.messages()
    assert status(browser) == reads(browser, Status.COMMITTED.label)

    # The officer decides the same day (through the service); the applicant reloads its page.
    services.application_decide(application=Application.objects.get(number=number), actor=officer)
    browser.visit(reverse("web-application-detail", args=[number]))
    assert status(browser) == reads(browser, Status.APPROVED.label)

    # 好差评: five levels; 不满意 with a comment opens a follow-up the authority answers within 15 working days.
    browser.click("评价本次办理", within=browser.find("#rating"))
    assert browser.heading() == browser.t("评价本次办理（好差评）")
    levels = browser.finds("fieldset.rating-levels input[type=radio]")
    assert len(levels) == 5
    browser.choose("不满意")
    browser.fill("评价内容（可不填）", POOR_COMMENT)
    browser.click("提交评价")
    rating = Rating.objects.get(application__number=number)
    assert rating.level == 2 and rating.comment == POOR_COMMENT and rating.follow_up_due is not None
    thanks = browser.t("感谢您的评价。审批机关将在 %(day)s 前核实并反馈，反馈将显示在办件页面并通过邮件发给您。")
    assert thanks % {"day": rating.follow_up_due.isoformat()} in browser.messages()
    assert browser.path.endswith("#rating")
    assert browser.text("#rating .rating-level") == browser.t("不满意")
    assert POOR_COMMENT in browser.text("#rating")
    assert not browser.finds(f'#rating a[href="{reverse("web-application-rate", args=[number])}"]')  # rated once
    browser.keep_screenshot(f"applicant-{language}")


# --- the clerk: accepts at the window, hands over the notice, records the commitment, prints ---------

@pytest.mark.parametrize("language", LANGUAGES)
def test_a_clerk_accepts_item_13_at_the_window_records_the_commitment_and_prints(
        browser, language, clerk, enterprise, commitment_item, officer, pdf_file):
    arrive(browser, reverse("login"), language)
    browser.sign_in(clerk, code=second_factor_code(clerk))
    on_start_page(browser)
    for section in ("accepted-today", "awaiting-commitment", "results-today", "claims"):
        assert browser.find(f"#{section} h2")

    # The enterprise present, found by its 统一社会信用代码.
    browser.click("窗口受理台：查找或登记申请人")
    browser.fill("统一社会信用代码或居民身份证号码", enterprise.identifier)
    browser.click("查找申请人")
    assert browser.heading() == enterprise.name

    # 一窗受理: item 13, handed in person, wanting to commit; the notice is issued on the spot.
    browser.fill("按名称筛选事项", "旅馆")
    browser.click("筛选事项")
    items = Select(browser.field("申请事项"))
    items.select_by_value(str(commitment_item.pk))
    assert items.first_selected_option.text.startswith("13. ")
    browser.choose("申请人当面递交")
    browser.choose("愿意作出承诺（告知承诺）")
    browser.click("受理")
    number = number_on_page(browser)
    assert browser.t("已受理，办件编号 %(number)s。") % {"number": number} in browser.messages()
    assert status(browser) == reads(browser, Status.NOTICE_ISSUED.label)

    # Handing over the notice: printed on the spot, two labelled copies in one PDF (附件3 第二条).
    handover = browser.find(".alert.handover")
    assert browser.t("请当场向申请人交付告知书。") in handover.text
    application = Application.objects.get(number=number)
    pdfs_kept(application)
    notice_only = printed(browser, browser._clickable("打印告知书（一式两份）", handover))
    assert pdf_pages(notice_only) >= 2

    # The commitment the applicant signed on paper, recorded with the scanned materials.
    commit_panel = browser.jump("录入申请人签署的承诺书")
    assert browser.find("h2", within=commit_panel).text == browser.t("录入申请人签署的承诺书")
    sign_commitment(browser, signatory="赵六", files={"申请书": pdf_file("申请书.pdf"),
                                                     "承诺书附件": pdf_file("承诺书附件.pdf")})
    assert browser.t("承诺书已递交。审批部门将于今日作出许可决定。") in browser.messages()
    assert status(browser) == reads(browser, Status.COMMITTED.label)

    # Printing the notice and the commitment, two copies each, for both sides to keep.
    pdfs_kept(application)
    both = printed(browser, browser._clickable("打印告知书和承诺书（一式两份）", browser.find(".window-print")))
    assert pdf_pages(both) >= 4 and pdf_pages(both) > pdf_pages(notice_only)

    # Back on the start page, the day's queue holds it.
    go_to(browser, "我的首页")
    assert ITEM_NAME in browser.row("accepted-today", number).text
    browser.keep_screenshot(f"clerk-{language}")


# --- the officer: the desk, a notice, a decision, and a poor rating answered -------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_an_officer_issues_a_notice_decides_and_answers_a_poor_rating(
        browser, language, officer, enterprise, applicant_user, commitment_item):
    made = {"item": commitment_item, "applicant": enterprise, "actor": applicant_user, "officer": officer}
    to_notify = ApplicationFactory(**made).number
    to_decide = ApplicationFactory(committed=True, **made).number
    rated = ApplicationFactory(decided=True, **made)
    rating_submit(application=rated, actor=applicant_user, level=2, comment=POOR_COMMENT)

    arrive(browser, reverse("login"), language)
    browser.sign_in(officer, code=second_factor_code(officer))
    on_start_page(browser)
    assert ITEM_NAME in browser.row("decide-today", to_decide).text
    assert rated.number in browser.text("#decided-today")
    assert browser.find("#running h2")

    browser.click("审批工作台")
    assert browser.heading().startswith(browser.t("审批工作台"))

    # 出具告知书 for the online application.
    browser.click("出具告知书", within=browser.row("notices-due", to_notify))
    assert browser.t("办件 {number} 已出具告知书。").format(number=to_notify) in browser.messages()
    assert to_notify not in browser.text("#notices-due")
    assert Application.objects.get(number=to_notify).status == Status.NOTICE_ISSUED

    # 作出准予许可决定 for the commitment received today (附件3 第五条).
    browser.click("作出准予许可决定", within=browser.row("to-decide", to_decide))
    assert browser.t("办件 {number} 已作出准予许可决定，许可证已生成。").format(number=to_decide) in browser.messages()
    assert Application.objects.get(number=to_decide).status == Status.APPROVED

    # 差评整改反馈: the poor rating, answered; the answer goes back to the rater.
    browser.click("差评整改反馈")
    assert browser.path == reverse("rating-follow-ups")
    rating = rated.rating
    row = browser.find(f"#rating-{rating.pk}")
    assert rated.number in row.text and POOR_COMMENT in row.text and browser.t("不满意") in row.text
    browser.fill("整改反馈", ANSWER, within=row)
    browser.click("提交反馈", within=row)
    assert browser.t("已反馈办件 %(number)s 的差评，反馈已发给评价人。") % {"number": rated.number} in browser.messages()
    assert browser.t("没有待反馈的差评。") in browser.text()
    rating.refresh_from_db()
    assert rating.answer == ANSWER and rating.answered_at is not None

    # The rated application's page shows the answer beside the rating.
    browser.visit(reverse("web-application-detail", args=[rated.number]))
    assert ANSWER in browser.text("#rating .rating-answer")
    browser.keep_screenshot(f"officer-{language}")


# --- the regulator: an inspection with a rectification and its deadline ------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_a_regulator_records_an_inspection_with_a_rectification_and_its_deadline(
        browser, language, regulator, officer, enterprise, applicant_user, commitment_item):
    regulator.full_name = "监管员陈一"
    regulator.save(update_fields=["full_name"])
    colleague = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="监管员林二")
    number = ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                officer=officer).number
    assert deliver_all() >= 1  # the approval record reaches the regulator's inbox, as the worker does

    arrive(browser, reverse("login"), language)
    browser.sign_in(regulator, code=second_factor_code(regulator))
    on_start_page(browser)
    assert number in browser.text("#inbox")
    assert ITEM_NAME in browser.row("inspections", number).text

    # 核查工作台 → the inspection of the approved application.
    browser.click("核查工作台")
    browser.click(number, within=browser.row("inspection-queue", number))
    inspection = Inspection.objects.get(application__number=number)
    assert browser.path == reverse("regulator-inspection", args=[inspection.pk])
    assert ITEM_NAME in browser.heading()

    # Two inspectors go on site (两名以上执法人员).
    with translation.override(browser.language):
        names = [person_choice(regulator), person_choice(colleague)]
    for name in names:
        browser.select("核查人员", name)
    browser.click("指派", within=browser.find("#inspectors"))
    assert number in browser.messages()
    assert {u.pk for u in Inspection.objects.get(pk=inspection.pk).inspectors.all()} == {regulator.pk, colleague.pk}

    # The result: 不符合，责令限期整改, within 10 working days.
    result = browser.find("#result form")
    browser.choose("不符合，责令限期整改", within=result)
    browser.fill("整改期限（工作日）", "10", within=result)
    browser.fill("核查情况", FINDING, within=result)
    browser.click("记录结果", within=result)
    recorded = InspectionResult.objects.get(inspection=inspection)
    assert recorded.outcome == InspectionOutcome.RECTIFY and recorded.rectify_due is not None
    with translation.override(browser.language):
        said = browser.t("已责令限期整改，整改期限至%(due)s，整改通知书已出具；期满后请复查。") % {
            "due": local_date(recorded.rectify_due, padded=True)}
    assert said in browser.messages()
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.RECTIFY
    assert FINDING in browser.text("#results")
    assert browser.finds("#documents ul.documents li")
    browser.keep_screenshot(f"regulator-{language}")


# --- the admin: item 13 edited and routed to a regulator; the public guide shows it ------------------

def admin_save(browser):
    """The change form's 保存 (an <input>, not a <button>)."""
    browser._navigating(browser.find('input[type="submit"][name="_save"]').click)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_edits_item_13_routes_it_to_a_regulator_and_the_guide_shows_it(
        browser, language, admin_user):
    item = Item.objects.get(seq_no=13)
    regulator = OrganisationFactory(kind=OrgKind.REGULATOR, name=REGULATOR_NAME)
    level = item.authorities.order_by("order").first().organisation.level
    guide = reverse("item-guide", args=[item.code])

    # The public guide before: no remark, checked by "the industry regulator", unnamed.
    arrive(browser, guide, language)
    assert REGULATOR_NAME not in browser.text() and REMARK not in browser.text()
    sign_in(browser, admin_user)
    on_start_page(browser)
    assert browser.find("#volumes h2")

    # 后台管理 → 事项目录 → item 13.
    browser.click("后台管理")
    assert browser.path == reverse("admin:index")
    browser.click("事项目录")
    assert browser.path == reverse("admin:licensing_item_changelist")
    searchbar = browser.find("#searchbar")
    searchbar.send_keys("旅馆")
    browser._navigating(lambda: searchbar.send_keys(Keys.ENTER))
    browser.click(ITEM_NAME)
    assert browser.path.startswith(reverse("admin:licensing_item_change", args=[item.pk]))

    # Its remark, and a route: its approval records (at its authority's level) go to the regulator.
    remark = browser.find("#id_remark")
    remark.clear()
    remark.send_keys(REMARK)
    routes = browser.find("#regulator_routes-group")
    browser.find(".add-row a", within=routes).click()
    level_select = browser.wait.until(lambda d: d.find_element(By.ID, "id_regulator_routes-0-level"))
    Select(level_select).select_by_value(level)
    Select(browser.find("#id_regulator_routes-0-regulator")).select_by_value(str(regulator.pk))
    admin_save(browser)
    assert browser.path.startswith(reverse("admin:licensing_item_changelist"))  # with the search kept
    assert browser.finds("ul.messagelist li.success")
    item.refresh_from_db()
    assert item.remark == REMARK
    assert RegulatorRoute.objects.get(item=item, level=level, authority=None).regulator == regulator

    # The public guide now shows both.
    browser.visit(guide)
    assert REMARK in browser.text()
    assert REGULATOR_NAME in browser.text()
    browser.keep_screenshot(f"admin-{language}")
