"""Issue 15, accessibility: the pages reflow at 320 CSS px (WCAG 2.1 1.4.10; a phone held upright), in both
languages: the page itself never scrolls sideways (a wide table scrolls inside itself), and axe-core still
finds nothing serious on each page (tests/e2e/conftest.py runs it on every page reached)."""
import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC = [reverse("home"), reverse("catalogue"), reverse("item-guide", args=["QZ-013"]), reverse("finder") + "?scope=住宿服务",
          reverse("progress"), reverse("verify"), reverse("login")]
NARROW = 320


def page_width(browser) -> int:
    return browser.driver.execute_script("return document.documentElement.scrollWidth")


WIDEST = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest("table"))
  .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")
                      + " " + Math.round(e.getBoundingClientRect().right) + "px");
"""


def overflowing(browser) -> list:
    """The last elements (the innermost) that reach past the window's right edge, for the failure message."""
    return browser.driver.execute_script(WIDEST)


def viewport_width(browser) -> int:
    return browser.driver.execute_script("return document.documentElement.clientWidth")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_pages_reflow_at_320_px_in_either_language(browser, language):
    browser.driver.set_window_size(NARROW, 800)
    browser.visit(reverse("home"))
    if language != "zh-hans":
        browser.speak(language)
    assert viewport_width(browser) <= NARROW  # the window really is a phone's width
    too_wide = {}
    for path in PUBLIC:
        browser.visit(path)
        if page_width(browser) > viewport_width(browser):
            too_wide[path] = (page_width(browser), overflowing(browser))
    assert not too_wide, f"pages wider than {viewport_width(browser)} px: {too_wide}"


def test_an_applicant_s_pages_reflow_at_320_px(browser, applicant_user, enterprise):
    application = ApplicationFactory(applicant=enterprise, actor=applicant_user)
    browser.driver.set_window_size(NARROW, 800)
    browser.visit(reverse("login"))
    browser.sign_in(applicant_user)
    too_wide = {}
    for path in (reverse("start"), reverse("my-applications"),
                 reverse("web-application-detail", args=[application.number])):
        browser.visit(path)
        if page_width(browser) > viewport_width(browser):
            too_wide[path] = (page_width(browser), overflowing(browser))
    assert not too_wide, f"pages wider than {viewport_width(browser)} px: {too_wide}"
