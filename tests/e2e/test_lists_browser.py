"""Issue 15 in a real browser: 我的办件 pages and sorts in place, and still works without JavaScript.

With JavaScript, the pager's "下一页" and the sort form swap the list's region alone: a marker set on the
window survives (no page was loaded), the address bar follows (the URL is pushed), the focus lands on the
list's heading and the live region reads the new count. With JavaScript turned off, the same link loads
page 2 as a whole page. axe-core checks every page visited, and the list after each swap.
"""
import pytest
from django.conf import settings
from django.urls import reverse

from licensing import services
from licensing.constants import Channel
from licensing.web.common import LIST_PAGE

try:
    from selenium.common.exceptions import StaleElementReferenceException
except ImportError:  # the `browser` fixture reports it (tests/e2e/conftest.py)
    StaleElementReferenceException = Exception

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MARKER = "window.__listsMarker"


@pytest.fixture
def many(commitment_item, enterprise, applicant_user):
    """More of the enterprise's applications than one page holds, oldest first."""
    return [services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                        channel=Channel.ONLINE, wants_commitment=True).number
            for _ in range(LIST_PAGE + 2)]


def signed_in(browser, user):
    """我的办件 in 简体中文 (the switch's cookie, whatever the browser's own languages), signed in."""
    browser.driver.get(browser.base_url + "/")
    browser.driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "path": "/"})
    browser.visit(reverse("my-applications"))
    browser.sign_in(user)
    assert browser.heading() == "我的办件"


def gone(element) -> bool:
    """Whether `element` has left the page (replaced by a swap, or with the whole page)."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    return False


def shown(browser) -> list[str]:
    """The application numbers the list shows, top to bottom."""
    return [row.text.split()[0] for row in browser.finds("#applications-list tbody tr")]


def swapped(browser, action, *, url_has: str):
    """Do `action` (a click in the list) and wait until the region was swapped in and the URL pushed."""
    old = browser.find("#applications-list")
    browser.driver.execute_script(f"{MARKER} = 'kept'")
    action()
    browser.wait.until(lambda d: url_has in d.current_url and gone(old))
    browser.wait.until(lambda d: d.execute_script("return document.activeElement.id") == "applications-list-title")
    assert browser.driver.execute_script(f"return {MARKER}") == "kept", "the whole page was loaded"
    browser.check_accessibility()


def test_paging_and_sorting_my_applications_swap_the_list_in_place(browser, applicant_user, many):
    signed_in(browser, applicant_user)
    assert shown(browser) == many[::-1][:LIST_PAGE]

    pager = browser.find("#applications-list .pager")
    swapped(browser, lambda: browser._clickable("下一页", pager).click(), url_has="page=2")
    assert browser.path == reverse("my-applications") + "?page=2"
    assert shown(browser) == many[::-1][LIST_PAGE:]
    assert "第 2 / 2 页" in browser.text("#applications-list .pager")
    browser.wait.until(lambda d: "第 2 页" in browser.find("#list-announcer").get_attribute("textContent"))
    assert browser.find("#list-announcer").get_attribute("role") == "status"

    browser.select("排列顺序", "最早提交的在前")
    swapped(browser, lambda: browser._clickable("排序", browser.find("#applications-list form")).click(),
            url_has="sort=oldest")
    assert shown(browser) == many[:LIST_PAGE]

    # Back: htmx keeps no copy of the page in the browser's storage, so the browser asks for it again.
    browser.back()
    assert browser.path == reverse("my-applications") + "?page=2" and shown(browser) == many[::-1][LIST_PAGE:]


def test_without_javascript_the_same_link_loads_the_next_page_whole(browser, applicant_user, many):
    signed_in(browser, applicant_user)
    browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.driver.get(browser.driver.current_url)  # the page again, its scripts not run
    browser.driver.execute_script(f"{MARKER} = 'kept'")

    old = browser.find("html")
    browser._clickable("下一页", browser.find("#applications-list .pager")).click()
    browser.wait.until(lambda d: "page=2" in d.current_url and gone(old))
    assert browser.driver.execute_script(f"return typeof {MARKER}") == "undefined"  # a whole new page
    assert shown(browser) == many[::-1][LIST_PAGE:] and browser.heading() == "我的办件"
    assert browser.driver.execute_script("return typeof window.htmx") == "undefined"


def _progress_text(browser) -> str:
    """The progress region's text, or "" while htmx is swapping it (the element just read is replaced)."""
    try:
        return browser.text("#work-progress")
    except StaleElementReferenceException:
        return ""


def test_a_pdf_being_prepared_shows_progress_then_downloads_without_reloading_the_page(
        browser, applicant_user, enterprise, commitment_item, officer, queue, tmp_path):
    from notices import tasks
    from notices.constants import DocumentKind
    from portal.models import AuditAction, AuditEvent
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                     officer=officer, notice_issued=True)
    notice = application.documents.get(kind=DocumentKind.NOTICE)
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
    browser.driver.get(browser.base_url + "/")
    browser.driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "path": "/"})
    browser.visit(reverse("document-pdf", args=[notice.verification_code]))
    browser.sign_in(applicant_user)
    status = browser.find("#work-progress")
    assert "正在生成" in status.text and browser.find("#work-progress progress").get_attribute("value") in (None, "0")
    assert browser.find(".preparing").get_attribute("role") == "status"
    browser.driver.execute_script(f"{MARKER} = 'kept'")

    assert tasks.document_prepare_pdf.run(notice.pk) is True  # the worker's turn comes
    browser.wait.until(lambda d: "文件已生成" in _progress_text(browser))
    browser.wait.until(lambda d: AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD).exists())
    assert browser.driver.execute_script(f"return {MARKER}") == "kept"  # the page stayed; the PDF downloaded
    browser.check_accessibility()
