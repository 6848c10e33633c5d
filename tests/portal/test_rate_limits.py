"""Rate limits (issue 8): filing applications and uploading files, per account and per address;
the public progress and verification lookups, per address. Past a limit the answer is 429 with
Retry-After and a Chinese message (a page for people, {"detail": …} for the API), and nothing
changes; another account or address is not held back; the next window starts afresh.

The limits are small here (override_settings); the defaults are in portal/settings/base.py.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from licensing.constants import MaterialDue, MaterialStatus, Status
from licensing.models import Application
from notices.constants import DocumentKind
from tests.factories import ApplicationFactory, commitment_application, pdf_file

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
OFF = {"applications": {}, "uploads": {}, "progress": {}, "verify": {}}


def limits(**scopes):
    return override_settings(RATE_LIMITS={**OFF, **scopes})


def assert_told_to_wait(response, retry_after, *, api=False):
    assert response.status_code == 429, response.content[:300]
    assert response["Retry-After"] == str(retry_after)
    text = response.json()["detail"] if api else response.content.decode()
    assert "过于频繁" in text and CHINESE.search(text)
    return text


def apply_form(enterprise):
    return {"applicant": enterprise.pk, "wants_commitment": "yes", "details": "经营场所：钦州市钦南区"}


# --- applications -----------------------------------------------------------------------------------

@limits(applications={"account": "3/h", "ip": "100/h"})
def test_an_account_filing_too_many_applications_is_told_to_wait(at, login, client, applicant_user, colleague,
                                                                   enterprise, commitment_item):
    url = reverse("apply", args=[commitment_item.code])
    with at(2024, 10, 14, 9, 10):
        login(applicant_user)
        for _ in range(3):
            assert client.post(url, apply_form(enterprise)).status_code == 302
        text = assert_told_to_wait(client.post(url, apply_form(enterprise)), retry_after=50 * 60)
        assert "每小时最多3次" in text and "50分钟" in text
        assert Application.objects.count() == 3  # the refused one was never filed

        login(colleague)  # the same enterprise, the same address, another account
        assert client.post(url, apply_form(enterprise)).status_code == 302
    with at(2024, 10, 14, 10, 0):  # the next hour
        login(applicant_user)
        assert client.post(url, apply_form(enterprise)).status_code == 302
    assert Application.objects.count() == 5


@limits(applications={"account": "2/h"})
def test_the_api_counts_applications_with_the_pages_and_answers_with_detail(at, login, client, applicant_user,
                                                                             enterprise, commitment_item):
    token = Token.objects.create(user=applicant_user)
    body = {"item": commitment_item.code, "applicant": enterprise.identifier}
    with at(2024, 10, 14, 9, 59):
        login(applicant_user)
        assert client.post(reverse("apply", args=[commitment_item.code]), apply_form(enterprise)).status_code == 302
        client.logout()
        post = lambda: client.post("/api/v1/applications/", body, content_type="application/json",  # noqa: E731
                                   HTTP_AUTHORIZATION=f"Token {token.key}")
        assert post().status_code == 201
        assert_told_to_wait(post(), retry_after=60, api=True)
    assert Application.objects.count() == 2


@limits(applications={"ip": "2/h"})
def test_one_address_filing_for_several_accounts_is_limited_and_another_address_is_not(
        at, login, client, applicant_user, colleague, enterprise, commitment_item):
    url = reverse("apply", args=[commitment_item.code])
    with at(2024, 10, 14, 9):
        login(applicant_user)
        assert client.post(url, apply_form(enterprise)).status_code == 302
        login(colleague)
        assert client.post(url, apply_form(enterprise)).status_code == 302
        assert_told_to_wait(client.post(url, apply_form(enterprise)), retry_after=3600)
        assert client.post(url, apply_form(enterprise), REMOTE_ADDR="10.1.2.3").status_code == 302
    assert Application.objects.count() == 3


@limits(applications={"account": "1/h"})
def test_the_window_accepting_an_item_counts_as_filing(at, login, client, clerk, enterprise, commitment_item):
    url = reverse("window-applicant", args=[enterprise.pk])
    form = {"item": commitment_item.pk, "channel": "window", "wants_commitment": "yes", "details": "窗口受理"}
    with at(2024, 10, 14, 9):
        login(clerk)
        assert client.post(url, form).status_code == 302
        assert_told_to_wait(client.post(url, form), retry_after=3600)
    assert Application.objects.count() == 1


# --- uploads ---------------------------------------------------------------------------------------

@pytest.fixture
def two_applications(commitment_item, enterprise, applicant_user, officer):
    """An approved application owing its later material, and one whose notice was just issued."""
    approved = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                      officer=officer, until="approved", channel="online")
    waiting = ApplicationFactory(notice_issued=True, item=commitment_item, applicant=enterprise, actor=applicant_user,
                                 officer=officer)
    return approved, waiting


def owed(application, due):
    return application.materials.get(material__due=due)


@limits(uploads={"account": "1/h"})
def test_an_account_uploading_too_often_is_told_to_wait_and_the_file_is_not_kept(
        at, login, client, applicant_user, colleague, two_applications):
    approved, waiting = two_applications
    upload = lambda application, due: client.post(  # noqa: E731
        reverse("web-application-material-upload", args=[application.number, owed(application, due).material_id]),
        {"file": pdf_file()})
    with at(2024, 10, 14, 9, 30):
        login(applicant_user)
        assert upload(approved, MaterialDue.AFTER_DECISION).status_code == 302
        assert_told_to_wait(upload(waiting, MaterialDue.AT_COMMITMENT), retry_after=1800)
        assert owed(waiting, MaterialDue.AT_COMMITMENT).status == MaterialStatus.OWED
        login(colleague)
        assert upload(waiting, MaterialDue.AT_COMMITMENT).status_code == 302
    assert owed(waiting, MaterialDue.AT_COMMITMENT).status == MaterialStatus.SUBMITTED


@limits(uploads={"account": "1/h"})
def test_the_api_upload_and_a_commitment_with_files_count_as_uploads(at, login, client, applicant_user,
                                                                      two_applications):
    approved, waiting = two_applications
    token = Token.objects.create(user=applicant_user)
    later = owed(approved, MaterialDue.AFTER_DECISION)
    with at(2024, 10, 14, 9, 30):
        response = client.post(reverse("application-material-upload", args=[approved.number, later.material_id]),
                               {"file": pdf_file()}, HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200
        login(applicant_user)
        due_now = owed(waiting, MaterialDue.AT_COMMITMENT)
        commit = {"kind": "already_meets", "signatory": "张三", **{f"confirm_{n}": "on" for n in range(1, 8)},
                  f"material_{due_now.material_id}": pdf_file()}
        assert_told_to_wait(client.post(reverse("web-application-commit", args=[waiting.number]), commit),
                            retry_after=1800)
    waiting.refresh_from_db()
    assert waiting.status == Status.NOTICE_ISSUED


# --- the public lookups -----------------------------------------------------------------------------

@limits(progress={"ip": "3/m"})
def test_progress_lookups_are_limited_per_address_page_and_api_together(at, client, two_applications):
    application = two_applications[0]
    form = {"number": application.number, "code": application.query_code}
    api = f"/api/v1/progress/{application.number}/?code={application.query_code}"
    with at(2024, 10, 14, 9, 0):
        assert client.post(reverse("progress"), form).status_code == 200
        assert client.post(reverse("progress"), {"number": "QZ1999-000001", "code": "WRONG123"}).status_code == 404
        assert client.head(api).status_code == 200  # a HEAD answers 200 or 404 too: it counts
        assert_told_to_wait(client.get(api), retry_after=60, api=True)
        assert_told_to_wait(client.post(reverse("progress"), form), retry_after=60)
        assert client.get(reverse("progress")).status_code == 200  # the empty form is no lookup
        assert client.get(api, REMOTE_ADDR="10.1.2.3").status_code == 200
    with at(2024, 10, 14, 9, 1):
        assert client.post(reverse("progress"), form).status_code == 200


@limits(verify={"ip": "2/m"})
def test_verification_lookups_are_limited_per_address(at, client, two_applications):
    code = two_applications[0].documents.get(kind=DocumentKind.DECISION).verification_code
    with at(2024, 10, 14, 9):
        for _ in range(2):
            assert client.get(reverse("verify"), {"code": code}).status_code == 200
        assert_told_to_wait(client.get(reverse("verify"), {"code": code}), retry_after=60)
        assert client.get(reverse("verify")).status_code == 200  # the empty form is no lookup
        assert client.get(reverse("verify"), {"code": code}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_defaults_hold_back_a_flood_but_not_a_busy_day(client, at, two_applications):
    """20 progress lookups a minute from one address are answered; the 21st waits."""
    application = two_applications[0]
    api = f"/api/v1/progress/{application.number}/?code={application.query_code}"
    with at(2024, 10, 14, 9):
        assert all(client.get(api).status_code == 200 for _ in range(20))
        assert client.get(api).status_code == 429


# --- the shared cache ---------------------------------------------------------------------------------

def _cache_backend(**environment):
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION', ''))")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings.test", **environment}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True, timeout=60).stdout.split()


def test_counts_live_in_redis_when_configured_so_every_worker_sees_them():
    backend, location = _cache_backend(CACHE_URL="redis://127.0.0.1:6379/14")
    # Django's RedisCache, with one client reused per pool (portal/httpcache.py, issue 13).
    assert backend == "portal.httpcache.RedisCache" and location == "redis://127.0.0.1:6379/14"
    assert _cache_backend(REDIS_URL="redis://127.0.0.1:6379/13")[0].endswith("RedisCache")
    assert _cache_backend()[0] == "django.core.cache.backends.locmem.LocMemCache"  # make run: one process


@limits(progress={"ip": "1/m"})
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_an_unreachable_cache_does_not_stop_the_portal(client, two_applications):
    """Nothing is counted while Redis is down (logged): people keep being served."""
    application = two_applications[0]
    api = f"/api/v1/progress/{application.number}/?code={application.query_code}"
    assert [client.get(api).status_code for _ in range(3)] == [200, 200, 200]
