"""Item 13 (旅馆业特种行业许可证核发) in a real browser, online and at the window (issue 3).

People sign in through the real pages (staff with a backup code as their second factor), click
what they see and read what the pages say; the officer decides on the day of the commitment
(告知承诺指引第五条) and the applicant finds the licence, the decision and the date of the
material promised for later (第四条).
"""
import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.constants import COMMITMENT_CONFIRMATIONS
from licensing.models import Application
from portal import calendar
from tests.factories import second_factor_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ITEM_NAME = "旅馆业特种行业许可证核发"


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sign_commitment(browser, *, signatory, files):
    """The 承诺书 form: the kind, all 7 confirmations by their wording, the signatory, the files."""
    form = browser.find("#commit form")
    browser.choose("已具备许可条件", within=form)
    for n, wording in enumerate(COMMITMENT_CONFIRMATIONS, start=1):
        browser.choose(f"{n}. {wording}", within=form)
    browser.fill("签署人（法定代表人、负责人或本人）", signatory, within=form)
    for label, path in files.items():
        browser.attach(label, path, within=form)
    browser.click("签署并递交承诺书", within=form)


def open_application(browser, number):
    """From 我的办件, as the applicant finds it again."""
    browser.click("我的办件", within=browser.find(".main-nav"))
    browser.click(number, within=browser.find("main"))
    assert browser.text(".summary").startswith(f"办件编号 {number}")


def status(browser) -> str:
    return browser.text(".summary .status")


def test_an_enterprise_applies_online_commits_and_is_licensed_the_same_day(
        browser, applicant_user, enterprise, commitment_item, officer, pdf_file, tmp_path):
    # (1) The applicant reads item 13's guide, clicks 在线申请, signs in and applies, wanting to commit.
    browser.visit(reverse("item-guide", args=[commitment_item.code]))
    assert browser.heading() == ITEM_NAME and "本事项实行告知承诺制" in browser.text()
    browser.click("在线申请")
    browser.sign_in(applicant_user)
    assert browser.heading() == f"在线申请：{ITEM_NAME}"
    browser.choose(enterprise.name)
    browser.choose("愿意作出承诺（告知承诺）")
    browser.fill("申请事项说明", "钦州港区旅馆一家，客房20间。")
    browser.attach("申请书", pdf_file("申请书.pdf"))
    browser.click("提交申请")
    assert "申请已提交。审批部门将在" in browser.messages() and "前送达告知书" in browser.messages()
    assert status(browser) == "已提交"
    number = browser.text(".summary .code")
    browser.sign_out()

    # (2) The officer of the item's authority signs in (with the second factor) and issues the notice.
    browser.visit(reverse("officer-desk"))
    browser.sign_in(officer, code=second_factor_code(officer))
    assert browser.heading().startswith("审批工作台")
    browser.click("出具告知书", within=browser.row("notices-due", number))
    assert f"办件 {number} 已出具告知书。" in browser.messages()
    assert number not in browser.text("#notices-due")
    browser.sign_out()

    # (3) The applicant reads the page, signs the commitment and hands in what is due with it.
    browser.visit(reverse("login"))
    browser.sign_in(applicant_user)
    open_application(browser, number)
    assert status(browser) == "已告知，待承诺"
    assert "告知书" in browser.text("#commit") and "递交承诺书" in browser.text("#commit h2")
    sign_commitment(browser, signatory="张三", files={"承诺书附件": pdf_file("承诺书附件.pdf")})
    assert "承诺书已递交。审批部门将于今日作出许可决定。" in browser.messages()
    assert status(browser) == "已承诺，待决定"
    browser.sign_out()

    # (4) The officer finds it among today's commitments to decide (第五条) and grants the licence.
    browser.visit(reverse("officer-desk"))
    browser.sign_in(officer, code=second_factor_code(officer))
    to_decide = browser.jump("今日待决定（1）")
    assert number in to_decide.text
    browser.click("作出准予许可决定", within=browser.row("to-decide", number))
    assert f"办件 {number} 已作出准予许可决定，许可证已生成。" in browser.messages()
    assert "没有待决定的承诺件。" in browser.text("#to-decide")
    browser.sign_out()

    # (5) The applicant sees the grant, the licence, the decision, and when the later material is due.
    browser.visit(reverse("login"))
    browser.sign_in(applicant_user)
    open_application(browser, number)
    application = Application.objects.select_related("licence").get(number=number)
    assert status(browser) == "准予许可"
    assert application.licence.number in browser.text("main")
    decided = timezone.localdate(application.decided_at)
    later_due = calendar.add_working_days(decided, 20).date  # ready_commitment_item: 20 working days after
    assert f"安全设施说明（许可决定后限期提交，{cn_date(later_due)}前提交）" in browser.text("#upload")
    documents = browser.text("ul.documents")
    assert "准予行政许可决定书" in documents and "告知书" in documents
    decision = browser.find("ul.documents li:last-child")
    assert "准予行政许可决定书" in decision.text
    browser.click("查看", within=decision)
    assert browser.heading() == "准予行政许可决定书" and number in browser.text(".document-facts")
    browser.back()
    browser.screenshot(tmp_path / "online-journey.png")


def test_a_clerk_accepts_at_the_window_and_the_officer_decides(
        browser, clerk, enterprise, commitment_item, officer, pdf_file, tmp_path):
    # The clerk finds the enterprise present by its 统一社会信用代码.
    browser.visit(reverse("window-desk"))
    browser.sign_in(clerk, code=second_factor_code(clerk))
    browser.fill("统一社会信用代码或居民身份证号码", enterprise.identifier)
    browser.click("查找申请人")
    assert browser.heading() == enterprise.name

    # 一窗受理: item 13, handed in person; the notice is issued on the spot (附件3 第三条).
    browser.fill("按名称筛选事项", "旅馆")
    browser.click("筛选事项")
    browser.select("申请事项", f"13. {ITEM_NAME}（实行告知承诺）")
    browser.choose("申请人当面递交")
    browser.choose("愿意作出承诺（告知承诺）")
    browser.click("受理")
    assert "已受理，办件编号" in browser.messages()
    number = browser.text(".summary .code")
    assert "请当场向申请人交付告知书。" in browser.text(".alert.handover")
    assert status(browser) == "已告知，待承诺"

    # The clerk records the commitment the applicant signed on paper, with the scanned materials.
    commit_panel = browser.jump("录入申请人签署的承诺书")
    assert browser.find("h2", within=commit_panel).text == "录入申请人签署的承诺书"
    sign_commitment(browser, signatory="赵六", files={"申请书": pdf_file("申请书.pdf"),
                                                     "承诺书附件": pdf_file("承诺书附件.pdf")})
    assert "承诺书已递交" in browser.messages() and status(browser) == "已承诺，待决定"
    browser.sign_out()

    # The officer opens it from today's list and decides on the spot.
    browser.visit(reverse("officer-desk"))
    browser.sign_in(officer, code=second_factor_code(officer))
    browser.click(number, within=browser.row("to-decide", number))
    browser.click("作出准予许可决定", within=browser.find("#officer"))
    assert f"办件 {number} 已作出准予许可决定，许可证已生成。" in browser.messages()
    assert status(browser) == "准予许可"
    licence = Application.objects.select_related("licence").get(number=number).licence
    assert licence.number in browser.text("main") and "赵六" in browser.text("main")
    assert not browser.field("撤销理由").is_displayed()  # folded under 撤销许可 until the officer opens it
    browser.screenshot(tmp_path / "window-journey.png")
