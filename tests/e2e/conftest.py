"""Browser tests: Debian's Chromium, driven by Selenium, against pytest-django's live server.

Selenium is given /usr/bin/chromium and /usr/bin/chromedriver (scripts/install-system-deps puts
them there) so that Selenium Manager never tries to download a browser or a driver: CI has no
network. Without them the tests fail under CI=true, where a silently skipped journey would pass
for a working one, and are skipped with the reason elsewhere.

`Browser` does what a person does: opens pages, finds fields by their visible labels and buttons
by their text, and waits (explicitly, never by sleeping) for the next page to arrive.
"""
import base64
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from django.utils import translation

from tests.factories import TEST_PASSWORD
from tests.i18n_checks import english_leftovers

try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        JavascriptException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported by the `browser` fixture: a failure under CI=true, a skip elsewhere
    webdriver = None

CHROMIUM = "/usr/bin/chromium"
# axe-core from the npm registry (package.json; scripts/install-js puts it here), run on every page visited.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA (GB/T 37668-2019 follows WCAG 2.0 AA), plus axe's best practices that a person notices.
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                   resultTypes: ["violations"]})
   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))))
   .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""
FAILING_IMPACTS = ("serious", "critical")
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900", "--lang=zh-CN")
WAIT_SECONDS = 15
# Where each journey keeps a screenshot of its last page (issue 15), kept by CI as an artefact.
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


def _unavailable(reason: str):
    """Fail in CI (a skipped browser test hides a broken journey), skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run with CI=true: {reason}; run scripts/install-system-deps as root",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; run scripts/install-system-deps as root")


def _check_browser():
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            _unavailable(f"{path} is missing (Debian package {package})")
    if webdriver is None:
        _unavailable("the selenium package is missing (pip install -e '.[test]')")
    if not AXE.is_file():
        _unavailable(f"{AXE} is missing (scripts/install-js installs axe-core from npm)")


def _is_stale(element) -> bool:
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    return False


def _asking_again(condition):
    """`condition`, read as "not yet" while the browser is between two pages: chromedriver then
    answers some questions with a bare error (e.g. "Node with given id does not belong to the
    document") instead of a stale element."""
    def check(driver):
        try:
            return condition(driver)
        except WebDriverException as exc:
            if type(exc) in (WebDriverException, JavascriptException):
                return False
            raise
    return check


def _xpath_literal(text: str) -> str:
    assert '"' not in text, text
    return f'"{text}"'


class Browser:
    """One person's browser on the live server."""
    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url
        self.wait = WebDriverWait(driver, WAIT_SECONDS)
        self.checked = []  # the pages axe-core has checked, in order
        self.language = "zh-hans"  # the interface language this person reads (switched with `speak`)

    # --- language ---------------------------------------------------------------------------
    def t(self, text: str) -> str:
        """`text` (a Chinese msgid) as this person reads it: the portal's own catalogue, so a test written
        once with the Chinese labels finds the English ones too."""
        with translation.override(self.language):
            return translation.gettext(text)

    def speak(self, language: str):
        """Switch the interface with the language switch in the page's header, as a person does."""
        switch = self.find("form.language-switch")
        Select(self.find("select", within=switch)).select_by_value(language)
        self.language = language
        self._navigating(self.find("button", within=switch).click)

    def check_language(self):
        """On an English page, no interface text is left in Chinese (the gazette's texts and Chinese data are
        marked lang="zh-Hans", and allowed)."""
        if self.language.startswith("zh") or self.path.startswith("/admin/"):
            # Django's admin shows the data it edits (item names, measures, organisations) as it is, unmarked:
            # its own interface is Django's English and the models' names are checked by the catalogues.
            return
        leftovers = english_leftovers(self.driver.page_source)
        assert not leftovers, f"Chinese left on the English page {self.path}: {leftovers[:20]}"

    # --- accessibility ----------------------------------------------------------------------
    def check_accessibility(self):
        """axe-core on the page as it is now: a serious or critical WCAG 2.1 A/AA violation fails the test."""
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        violations = self.driver.execute_async_script(AXE_RUN)
        self.checked.append(self.path)
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"axe-core on {self.path}: " + "; ".join(
            f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in failing)

    # --- pages ------------------------------------------------------------------------------
    def visit(self, path: str):
        self._navigating(lambda: self.driver.get(self.base_url + path))

    def back(self):
        self._navigating(self.driver.back)

    def _navigating(self, action):
        """Run `action` and wait until the page it leads to has replaced the current one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        self.wait.until(_asking_again(lambda d: _is_stale(old)))
        self.wait.until(_asking_again(lambda d: d.execute_script("return document.readyState") == "complete"))
        self.check_accessibility()
        self.check_language()

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def heading(self) -> str:
        return self.find("h1").text

    def messages(self) -> str:
        """The green (or red) lines the portal shows above the page after a step."""
        return " ".join(e.text for e in self.finds(".messages li"))

    def text(self, css="main") -> str:
        return self.find(css).text

    def find(self, css, within=None):
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def finds(self, css, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    # --- clicking and typing ----------------------------------------------------------------
    def _clickable(self, text, within=None):
        """The link or button showing `text` (in the reader's language), in `within` or else in the page's main
        part (not the nav)."""
        literal = _xpath_literal(self.t(text))
        xpath = f".//*[self::a or self::button][normalize-space()={literal}]"
        return self.wait.until(lambda d: (within or self.find("main")).find_element(By.XPATH, xpath))

    def click(self, text: str, *, within=None):
        """Click the link or button showing `text`, and wait for the page it opens."""
        element = self._clickable(text, within)
        self._navigating(element.click)

    def jump(self, text: str):
        """Click an in-page link (e.g. the desk's index); the page stays, the URL gains its #anchor."""
        element = self._clickable(text)
        anchor = element.get_attribute("href").split("#", 1)[1]
        element.click()
        self.wait.until(lambda d: d.current_url.endswith(f"#{anchor}"))
        return self.find(f"#{anchor}")

    def field(self, label: str, within=None):
        """The input that the <label> with this visible text (in the reader's language) names, as a screen
        reader finds it."""
        label_element = (within or self.driver).find_element(
            By.XPATH, f".//label[normalize-space()={_xpath_literal(self.t(label))}]")
        return self.driver.find_element(By.ID, label_element.get_attribute("for"))

    def fill(self, label: str, value: str, within=None):
        element = self.field(label, within)
        element.clear()
        element.send_keys(value)

    def choose(self, label: str, within=None):
        """Tick a checkbox or pick a radio button by clicking its label, as a person does."""
        element = self.field(label, within)
        (within or self.driver).find_element(By.XPATH, f".//label[normalize-space()={_xpath_literal(self.t(label))}]").click()
        self.wait.until(lambda d: element.is_selected())

    def attach(self, label: str, path: Path, within=None):
        self.field(label, within).send_keys(str(path))

    def select(self, label: str, option: str):
        Select(self.field(label)).select_by_visible_text(self.t(option))

    def row(self, section_id: str, text: str):
        """The table row in section #section_id that mentions `text` (e.g. an application number)."""
        xpath = f'//section[@id="{section_id}"]//tbody/tr[contains(normalize-space(), {_xpath_literal(text)})]'
        return self.wait.until(lambda d: d.find_element(By.XPATH, xpath))

    # --- signing in and out -----------------------------------------------------------------
    def sign_in(self, user, *, code: str | None = None):
        """On the login page: the password, then the second factor's code for staff (issue 4)."""
        assert self.heading() == self.t("登录"), self.heading()
        self.fill("用户名", user.username)
        self.fill("密码", TEST_PASSWORD)
        self.click("登录")
        if code is not None:
            assert self.heading() == self.t("输入动态验证码"), self.heading()
            self.fill("动态验证码", code)
            self.click("验证")
        with translation.override(self.language):
            assert str(user) in self.text(".main-nav") and str(user.get_role_display()) in self.text(".main-nav")

    def sign_out(self):
        self.click("退出", within=self.find(".main-nav"))
        assert self.t("登录") in self.text(".main-nav")

    def keep_screenshot(self, name: str) -> Path:
        """The page as it is now, kept under var/e2e/ as the test's artefact."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        return self.screenshot(ARTEFACTS / f"{name}.png")

    def screenshot(self, path: Path) -> Path:
        """The whole page, beyond the window (Chromium's DevTools capture: stretching the window
        would also stretch what is sized by the viewport, like the document frame's 80vh).
        The sandboxed document frame runs in a process of its own and comes out blank here; the
        page itself shows it."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 10000), "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot",
                                           {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture
def browser(live_server, tmp_path):
    _check_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # Headless Chromium asks for English whatever --lang says; a person in Qinzhou's browser asks for Chinese.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(WAIT_SECONDS)
    try:
        driver.get("about:blank")
        yield Browser(driver, live_server.url)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Uploads go to this test's folder (the live server runs in this process, so it sees it too)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pdf_file(tmp_path):
    """A small real PDF on disk, for a file input to upload."""
    def make(name: str) -> Path:
        path = tmp_path / "uploads" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        return path
    return make
