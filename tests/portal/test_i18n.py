"""English as a second language (issue 15): the catalogues, the language switch, and the API by Accept-Language.

- Every catalogue (each app's and the root's, for templates/) translates every msgid it has, with nothing fuzzy,
  and its committed .mo says what its .po says (the portal speaks English without gettext installed).
- makemessages over a copy of the repository finds no string the catalogues lack: a new untranslated string
  fails here, named with its catalogue. Both are marked `catalogues` (`-m catalogues` runs just them).
- The public pages of the portal app read in English leave no Chinese outside parts marked lang="zh…".
- The switch: the cookie, the account's saved language, the language applied at sign-in, and the password
  reset mail in the account's language.
- The API answers in the language of Accept-Language, Chinese by default; the cookie does not change it.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal import services_accounts
from portal.exceptions import InvalidInput, NotAllowed
from portal.management.commands.update_catalogues import APPS, ROOT, catalogue_folder
from portal.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.i18n_checks import english_leftovers

BASE = Path(settings.BASE_DIR)
CATALOGUES = (*APPS, ROOT)
PO = Path("locale/en/LC_MESSAGES/django.po")
COOKIE = settings.LANGUAGE_COOKIE_NAME
CHINESE = re.compile(r"[\u4e00-\u9fff]")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib", "msgfmt")


def po_path(catalogue: str, base: Path = BASE) -> Path:
    return catalogue_folder(catalogue, base) / PO


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def _text(entry):
    return tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)) if entry.msgid_plural else entry.msgstr


def not_translated(po) -> list[str]:
    """The msgids a reader would still meet in Chinese: empty (one form of a plural too) or fuzzy."""
    return [entry.msgid for entry in po if not entry.obsolete and (
        "fuzzy" in entry.flags or not all(_text(entry) if entry.msgid_plural else [entry.msgstr]))]


def report(problems: dict) -> str:
    return "\n".join(f"{name} ({len(msgids)}):\n" + "\n".join(f"    {msgid!r}" for msgid in msgids)
                     for name, msgids in problems.items())


def needs_gettext():
    """makemessages needs GNU gettext: a failure in CI (scripts/install-system-deps installs it), a skip elsewhere."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is not installed ({', '.join(missing)}); run scripts/install-system-deps as root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


# --- the catalogues -----------------------------------------------------------------------------------------

# django_db: the suite's session fixtures (tests/conftest.py, the demonstration seals) need the test database
# made, which pytest-django does only for a session with a database test in it (`-m catalogues` alone).
@pytest.mark.catalogues
@pytest.mark.django_db
@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_each_catalogue_translates_every_msgid_and_its_mo_says_the_same(catalogue):
    path = po_path(catalogue)
    assert path.is_file(), f"{catalogue}: no English catalogue yet at {path.relative_to(BASE)}"
    po = polib.pofile(str(path))
    assert not po.metadata_is_fuzzy, f"{path.relative_to(BASE)}: its header is marked fuzzy"
    assert not_translated(po) == [], report({str(path.relative_to(BASE)): not_translated(po)})
    mo_path = path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path.relative_to(BASE)} is missing: run manage.py update_catalogues --compile"
    compiled = {_key(entry): _text(entry) for entry in polib.mofile(str(mo_path)) if entry.msgid}
    written = {_key(entry): _text(entry) for entry in po if not entry.obsolete and "fuzzy" not in entry.flags}
    stale = sorted({key[1] for key in compiled.keys() ^ written.keys()}
                   | {key[1] for key in compiled.keys() & written.keys() if compiled[key] != written[key]})
    assert stale == [], f"{mo_path.relative_to(BASE)} is not the compiled {path.name} (run manage.py " \
                        f"update_catalogues --compile):\n" + report({str(mo_path.relative_to(BASE)): stale})


@pytest.mark.catalogues
@pytest.mark.django_db
def test_makemessages_finds_no_string_the_catalogues_lack(tmp_path):
    """The same command a developer runs (manage.py update_catalogues), over a copy of the repository: whatever
    it adds untranslated or fuzzy is a string someone wrapped and nobody translated."""
    needs_gettext()
    copy = tmp_path / "repo"
    for name in (*APPS, "templates", "locale"):
        if (BASE / name).exists():
            shutil.copytree(BASE / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy2(BASE / "manage.py", copy / "manage.py")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PORTAL_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run([sys.executable, "manage.py", "update_catalogues"], cwd=copy, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    missing = {}
    for catalogue in CATALOGUES:
        found = not_translated(polib.pofile(str(po_path(catalogue, copy))))
        if found:
            missing[str(po_path(catalogue).relative_to(BASE))] = found
    assert missing == {}, "msgids the catalogues lack (fill them in, then manage.py update_catalogues " \
                          "--compile):\n" + report(missing)


# --- pages in English -----------------------------------------------------------------------------------------

@pytest.fixture
def in_english(client):
    client.cookies[COOKIE] = "en"
    return client


def page(response) -> str:
    return response.content.decode()


PUBLIC_PAGES = ("home", "login", "register", "password-reset", "password-reset-done")


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_the_portals_public_pages_read_in_english(in_english, name):
    response = in_english.get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="en">' in page(response)
    assert english_leftovers(page(response)) == []


@pytest.mark.django_db
def test_a_missing_page_reads_in_english(in_english):
    response = in_english.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in page(response)
    assert english_leftovers(page(response)) == []


@pytest.mark.django_db
def test_the_switch_and_its_refusals_read_in_english(in_english):
    home = page(in_english.get(reverse("login")))
    assert 'name="language"' in home and '<option value="en" lang="en" selected>English</option>' in home
    assert '<option value="zh-hans" lang="zh-Hans">简体中文</option>' in home  # each language named in itself
    refused = in_english.post(reverse("set-language"), {"language": "fr", "next": "/"})
    opened = in_english.get(reverse("set-language"))
    assert (refused.status_code, opened.status_code) == (400, 405)
    assert english_leftovers(page(refused)) == [] and english_leftovers(page(opened)) == []


@pytest.mark.django_db
def test_without_a_choice_the_pages_are_chinese(client):
    response = client.get(reverse("login"))
    assert '<html lang="zh-Hans">' in page(response) and "登录" in page(response)
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_the_browsers_language_is_followed_until_the_switch_says_otherwise(client):
    assert "Sign in" in page(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    client.cookies[COOKIE] = "zh-hans"
    assert '<html lang="zh-Hans">' in page(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"))


# --- the switch -----------------------------------------------------------------------------------------------

def switch(client, language, next_url="/accounts/login/"):
    return client.post(reverse("set-language"), {"language": language, "next": next_url})


@pytest.mark.django_db
def test_a_visitor_switches_to_english_and_back(client):
    switched = switch(client, "en")
    assert switched.status_code == 302 and switched["Location"] == "/accounts/login/"
    assert client.cookies[COOKIE].value == "en" and client.cookies[COOKIE]["samesite"] == "Lax"
    assert '<html lang="en">' in page(client.get(switched["Location"]))

    switch(client, "zh-hans")
    assert client.cookies[COOKIE].value == "zh-hans"
    assert '<html lang="zh-Hans">' in page(client.get("/accounts/login/"))


@pytest.mark.django_db
def test_a_signed_in_user_who_switches_keeps_the_choice_on_the_account(client, applicant_user):
    client.force_login(applicant_user)
    assert switch(client, "en", "/").status_code == 302
    applicant_user.refresh_from_db()
    assert applicant_user.language == "en" and client.cookies[COOKIE].value == "en"

    switch(client, "zh-hans", "/")
    applicant_user.refresh_from_db()
    assert applicant_user.language == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"language": "fr"}, {"language": ""}, {}, {"language": "EN"}],
                         ids=["unknown", "blank", "missing", "wrong-case"])
def test_a_language_the_portal_does_not_offer_is_refused_and_changes_nothing(client, applicant_user, data):
    client.force_login(applicant_user)
    response = client.post(reverse("set-language"), {**data, "next": "/"})
    assert response.status_code == 400 and "不支持所选的界面语言" in page(response)
    applicant_user.refresh_from_db()
    assert applicant_user.language == "" and COOKIE not in client.cookies


@pytest.mark.django_db
def test_a_visitors_page_carries_no_csrf_token_and_the_switch_needs_none():
    """The catalogue's pages are kept whole for every visitor (portal.httpcache): no token of one visitor's in them."""
    visitor = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" not in page(visitor.get(reverse("home")))
    assert switch(visitor, "en").status_code == 302 and visitor.cookies[COOKIE].value == "en"


@pytest.mark.django_db
def test_a_signed_in_users_switch_needs_the_csrf_token(applicant_user):
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(applicant_user)
    forged = switch(signed_in, "en")
    applicant_user.refresh_from_db()
    assert forged.status_code == 403 and applicant_user.language == "" and COOKIE not in signed_in.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(signed_in.get(reverse("home")))).group(1)
    sent = signed_in.post(reverse("set-language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    applicant_user.refresh_from_db()
    assert sent.status_code == 302 and applicant_user.language == "en"


@pytest.mark.django_db
def test_staff_owing_the_second_factor_switch_the_code_page_but_not_the_account(client, officer):
    client.force_login(officer)  # the password step done, the code not yet given
    switched = switch(client, "en", reverse("otp-verify"))
    officer.refresh_from_db()
    assert switched.status_code == 302 and switched["Location"] == reverse("otp-verify")
    assert client.cookies[COOKIE].value == "en" and officer.language == ""


@pytest.mark.django_db
def test_the_switch_goes_back_only_to_a_page_of_this_site(client):
    assert switch(client, "en", "https://evil.example.com/").headers["Location"] == "/"


@pytest.mark.django_db
def test_the_service_keeps_only_ones_own_choice_of_an_offered_language(applicant_user, colleague):
    with pytest.raises(NotAllowed):
        services_accounts.account_set_language(user=colleague, language="en", actor=applicant_user)
    with pytest.raises(InvalidInput):
        services_accounts.account_set_language(user=applicant_user, language="fr", actor=applicant_user)
    colleague.refresh_from_db()
    applicant_user.refresh_from_db()
    assert (colleague.language, applicant_user.language) == ("", "")
    services_accounts.account_set_language(user=applicant_user, language="en", actor=applicant_user)
    assert User.objects.get(pk=applicant_user.pk).language == "en"


@pytest.mark.django_db
def test_signing_in_applies_the_language_the_account_saved(client):
    UserFactory(username="liqiang", language="en")
    signed_in = client.post(reverse("login"), {"username": "liqiang", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and client.cookies[COOKIE].value == "en"
    assert '<html lang="en">' in page(client.get(signed_in["Location"]))


@pytest.mark.django_db
def test_signing_in_without_a_saved_language_leaves_the_visitors_choice(client):
    UserFactory(username="wangwu")
    client.cookies[COOKIE] = "en"
    client.post(reverse("login"), {"username": "wangwu", "password": TEST_PASSWORD})
    assert client.cookies[COOKIE].value == "en"


def register(client, username):
    password = "Qinzhou-Zhaoliu-2026"
    client.post(reverse("register"), {"username": username, "full_name": "Zhao Liu", "email": "zl@example.com",
                                      "new_password1": password, "new_password2": password})
    return User.objects.get(username=username)


@pytest.mark.django_db
def test_an_account_registered_in_english_keeps_english(in_english):
    assert register(in_english, "zhaoliu").language == "en"


@pytest.mark.django_db
def test_an_account_registered_in_chinese_has_chosen_nothing(client):
    """Blank, as the model says for the default: the pages' language still decides its mails."""
    assert register(client, "zhaoliu").language == ""


# --- mail in the account's language ---------------------------------------------------------------------------

@pytest.fixture
def ask_for_reset(client, django_capture_on_commit_callbacks):
    def ask(email, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password-reset"), {"email": email}, **headers)
    return ask


@pytest.mark.django_db
def test_the_password_reset_mail_is_in_the_language_the_account_saved(client, ask_for_reset, mailoutbox):
    UserFactory(username="liqiang", full_name="Li Qiang", email="li@example.com", language="en")
    switch(client, "zh-hans")  # asked from a Chinese page: the account's language still wins
    ask_for_reset("li@example.com")
    [message] = mailoutbox
    assert message.subject == "Qinzhou 'Separating Permits from Licences' Service Portal: reset your password"
    assert "liqiang" in message.body and "Open the link below" in message.body
    assert not CHINESE.search(message.subject + message.body)


@pytest.mark.django_db
def test_an_account_without_a_saved_language_gets_the_mail_in_the_pages_language(client, ask_for_reset, mailoutbox):
    UserFactory(username="wangwu", email="wang@example.com")
    switch(client, "en")
    ask_for_reset("wang@example.com")
    assert mailoutbox[0].subject.endswith("reset your password")
    mailoutbox.clear()
    switch(client, "zh-hans")
    ask_for_reset("wang@example.com")
    assert mailoutbox[0].subject == "钦州市“证照分离”政务服务平台：重新设置密码"


@pytest.mark.django_db
def test_the_switch_the_account_and_the_mail_round_trip(client, ask_for_reset, mailoutbox):
    """Sign in, switch to English on a page, sign out; the reset mail asked later from a Chinese page is English."""
    user = UserFactory(username="zhouqi", email="zhou@example.com")
    client.post(reverse("login"), {"username": "zhouqi", "password": TEST_PASSWORD})
    switch(client, "en", "/")
    client.post(reverse("logout"))
    client.cookies.pop(COOKIE)
    user.refresh_from_db()
    assert user.language == "en"
    ask_for_reset("zhou@example.com")
    assert "reset your password" in mailoutbox[0].subject


# --- the API by Accept-Language -------------------------------------------------------------------------------

CALENDAR = "/api/v1/calendar/add-working-days/"


@pytest.mark.django_db
def test_the_api_answers_in_chinese_by_default(client):
    assert "缺少参数 start" in client.get(CALENDAR, {"days": "3"}).json()["detail"]
    assert CHINESE.search(client.get("/api/v1/applications/").json()["detail"])


@pytest.mark.django_db
def test_the_api_answers_in_english_to_accept_language_en(client):
    missing = client.get(CALENDAR, {"days": "3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400 and missing.json()["detail"].startswith("Parameter start is missing")
    assert missing["Content-Language"] == "en"
    # DRF's own messages and the services' (a refused token request) too
    assert client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == \
        "Authentication credentials were not provided."
    refused = client.post(reverse("auth-token"), {"username": "nobody", "password": "wrong-password-1"},
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert refused.status_code == 400 and refused.json()["detail"].startswith("The user name, password")


@pytest.mark.django_db
def test_the_api_follows_accept_language_whatever_the_cookie(client, applicant_user):
    """A token client that also carries the portal's cookie gets the language it asks for, not the cookie's."""
    token = client.post(reverse("auth-token"), {"username": applicant_user.username, "password": TEST_PASSWORD},
                        content_type="application/json").json()["token"]
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    client.cookies[COOKIE] = "en"
    chinese = client.get(CALENDAR, {"days": "3"}, **headers)
    client.cookies[COOKIE] = "zh-hans"
    english = client.get(CALENDAR, {"days": "3"}, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert CHINESE.search(chinese.json()["detail"]) and not CHINESE.search(english.json()["detail"])


@pytest.mark.django_db
def test_an_answer_leaves_no_language_behind_on_the_thread(client):
    """The next thing run on the thread (a job, a mail) starts from the default, not the last request's."""
    from django.utils import translation

    client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert translation.get_language() == settings.LANGUAGE_CODE
