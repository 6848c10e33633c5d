"""Issue 16 in a real browser, in 简体中文 and in English: 双告知 and 归集.

The business registry tells the portal of a hotel's registration (through the real intake service, as the API
does, with the event as its serializer validates it): the enterprise reads the 登记告知 on its start page and in its account (/my/registrations/), the regulator
of item 13 finds the 告知 in its inbox and signs for it (接收反馈), and an admin reads the 归集 SLA page
(/records/publicity/). Each person signs in through the real pages (staff with a second factor), after switching
the language on the first page they visit, as in tests/e2e/test_role_journeys.py. The Browser
(tests/e2e/conftest.py) runs axe-core on every page it reaches and, on English pages, fails on Chinese left
outside the parts marked lang="zh-Hans". Each journey keeps a screenshot of its last page under var/e2e/.
"""
import datetime as dt

import pytest
from django.urls import reverse

from licensing.constants import ReformMode
from licensing.models import Registration
from licensing.selectors.registrations_account import MODE_MEANINGS
from licensing.services.registrations import registration_receive, registration_sender_create
from notices.constants import RecordKind
from supervision.models import InboxRecord
from tests.e2e.test_narrow_screens import NARROW, overflowing, page_width, viewport_width
from tests.e2e.test_role_journeys import arrive, on_start_page, reads, sign_in
from tests.factories import ApplicationFactory
from tests.supervision.inbox_world import deliver_all

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["zh-hans", "en"]
ITEM_NAME = "旅馆业特种行业许可证核发"
# A hotel's 经营范围 as its business licence prints it: 住宿服务 leads to item 13 (告知承诺).
SCOPE = "许可项目：住宿服务；餐饮服务。一般项目：会议及展览服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）"


def told(enterprise) -> Registration:
    """The registry's 设立登记 of `enterprise`, received as the API receives it (the registry is authoritative
    for the name, so it sends the one the enterprise already has)."""
    sender, _token = registration_sender_create(name="钦州市市场监督管理局登记系统")
    event = {"event_id": "REG-2024-0001", "change": "new", "uscc": enterprise.identifier, "name": enterprise.name,
             "scope": SCOPE, "address": "钦州市钦南区扬帆大道1号", "legal_representative": "陈一",
             "registered_on": dt.date(2024, 10, 14)}  # as the API's serializer hands it over
    registration, created = registration_receive(sender=sender, event=event)
    assert created and registration.applicant_id == enterprise.pk
    return registration


# --- the enterprise: the 登记告知 on its start page, and in its account ---------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_an_enterprise_told_by_the_registry_reads_which_items_its_scope_needs(
        browser, language, applicant_user, enterprise, commitment_item):
    registration = told(enterprise)
    arrive(browser, reverse("login"), language)
    browser.sign_in(applicant_user)
    on_start_page(browser)

    # 我的首页: the registration, unseen, naming item 13.
    section = browser.find("#registrations")
    assert browser.find("h2", within=section).text.startswith(browser.t("登记告知：您的经营范围涉及以下许可事项"))
    row = browser.row("registrations", enterprise.name)
    assert ITEM_NAME in row.text and browser.t("未查看") in row.text

    # Its page: item 13, its reform mode and what that means, the words matched, and where to start.
    browser.click(enterprise.name, within=row)
    assert browser.path == reverse("my-registration", args=[registration.pk])
    assert browser.heading().startswith(browser.t("登记告知"))
    item_row = browser.row("items", ITEM_NAME)
    assert reads(browser, ReformMode.COMMITMENT.label) in item_row.text
    assert reads(browser, MODE_MEANINGS[ReformMode.COMMITMENT]) in item_row.text
    assert "住宿服务" in browser.find("mark", within=item_row).text
    assert browser.find(f'a[href="{reverse("apply", args=[commitment_item.code])}"]', within=item_row)
    assert enterprise.identifier in browser.text("#registration")
    assert Registration.objects.get(pk=registration.pk).seen_at is not None  # a verified member opened it

    # 登记告知's list, through the page's own link: now seen.
    browser.click("返回登记告知")
    assert browser.path == reverse("my-registrations")
    listed = browser.row("registrations-list", enterprise.name)
    assert ITEM_NAME in listed.text and browser.t("已查看") in listed.text
    browser.keep_screenshot(f"registration-applicant-{language}")


# --- the regulator of item 13: the 告知 in its inbox, signed for (接收反馈) --------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_regulator_of_item_13_signs_for_the_registration_notice_in_its_inbox(
        browser, language, regulator, enterprise, commitment_item):
    assert commitment_item.seq_no == 13 and commitment_item.regulator_routes.get().regulator == regulator.organisation
    registration = told(enterprise)
    assert deliver_all() >= 1  # the 告知 reaches the regulator's inbox, as the worker does
    record = InboxRecord.objects.get(organisation=regulator.organisation, registration=registration)
    assert record.kind == RecordKind.REGISTRATION_NOTICE

    arrive(browser, reverse("login"), language)
    sign_in_staff(browser, regulator)
    assert enterprise.name in browser.text("#inbox")

    browser.click("收件箱")
    assert browser.path == reverse("supervision-inbox")
    row = browser.row("inbox-records", enterprise.identifier)
    assert reads(browser, RecordKind.REGISTRATION_NOTICE.label) in row.text and commitment_item.code in row.text
    browser.click("查看", within=row)
    assert browser.path == reverse("supervision-inbox-record", args=[record.pk])
    assert enterprise.name in browser.heading()
    assert ITEM_NAME in browser.text() and enterprise.identifier in browser.text()

    browser.click("签收", within=browser.find(".action-panel"))
    record.refresh_from_db()
    assert record.acknowledged_at is not None and record.acknowledged_by == regulator
    assert enterprise.name in browser.messages()
    assert browser.find(".summary .status").text == browser.t("已签收")
    browser.keep_screenshot(f"registration-regulator-{language}")


def sign_in_staff(browser, user):
    sign_in(browser, user)
    on_start_page(browser)


# --- the admin: 信用信息归集时效 ------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_reads_the_publicity_deadlines_with_a_decision_counted(
        browser, language, admin_user, officer, enterprise, applicant_user, commitment_item):
    ApplicationFactory(decided=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                       officer=officer)
    arrive(browser, reverse("login"), language)
    sign_in_staff(browser, admin_user)

    browser.visit(reverse("publicity-sla"))
    assert browser.heading() == browser.t("信用信息归集时效")
    permits = browser.find(f'#by-kind tr[data-kind="{RecordKind.PERMIT_PUBLICITY}"]')
    assert reads(browser, RecordKind.PERMIT_PUBLICITY.label) in permits.text
    assert int(browser.find('td[data-count="total"]', within=permits).text) >= 1
    browser.keep_screenshot(f"registration-publicity-{language}")


# --- 320 px: the 登记告知 pages reflow (WCAG 2.1 1.4.10) ---------------------------------------------------

def test_the_registration_pages_reflow_at_320_px(browser, applicant_user, enterprise, commitment_item):
    registration = told(enterprise)
    browser.driver.set_window_size(NARROW, 800)
    browser.visit(reverse("login"))
    browser.sign_in(applicant_user)
    too_wide = {}
    for path in (reverse("my-registrations"), reverse("my-registration", args=[registration.pk])):
        browser.visit(path)
        if page_width(browser) > viewport_width(browser):
            too_wide[path] = (page_width(browser), overflowing(browser))
    assert not too_wide, f"pages wider than {viewport_width(browser)} px: {too_wide}"
