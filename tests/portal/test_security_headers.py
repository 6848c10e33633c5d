"""Headers and input (issue 4): a CSP without inline scripts on every page, the usual
security headers, HSTS and secure cookies in production, bounded request bodies, and no
route that serves the uploads directory."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def policy(response):
    """The CSP as {directive: [sources]}."""
    parts = (part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_pages_carry_a_csp_that_allows_no_inline_script(client):
    csp = policy(client.get(reverse("home")))
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["style-src"] and "'unsafe-eval'" not in csp["script-src"]


def test_the_usual_security_headers_are_sent(client):
    response = client.get(reverse("home"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


PUBLIC_PAGES = ["home", "catalogue", "login", "verify", "progress", "commitments", "api-docs", "admin:login"]
STAFF_PAGES = {"clerk": ["window-desk"], "officer": ["officer-desk"],
               "admin_user": ["admin:index", "admin:portal_auditevent_changelist", "admin:portal_user_changelist"]}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script(client, name):
    html = client.get(reverse(name)).content.decode()
    assert not INLINE_SCRIPT.findall(html) and not INLINE_HANDLER.findall(html)


@pytest.mark.parametrize("persona,name", [(p, n) for p, names in STAFF_PAGES.items() for n in names])
def test_staff_pages_and_the_admin_have_no_inline_script(request, login, persona, name):
    response = login(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html) and not INLINE_HANDLER.findall(html)


def test_the_second_factor_pages_have_no_inline_script(login, applicant_user):
    client = login(applicant_user)
    client.post(reverse("otp-setup"), {"password": TEST_PASSWORD})  # binding asks for the password again
    html = client.get(reverse("otp-setup")).content.decode()
    assert "<svg" in html and not INLINE_SCRIPT.findall(html) and ' style="' not in html


def test_swagger_ui_loads_its_init_script_from_our_own_origin(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert '<script src="/api/docs/?script="></script>' in html and "<style" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client):
    response = client.post(reverse("login"), data=b"x", content_type="application/octet-stream",
                           CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413 and "过大" in response.content.decode()


def test_uploads_are_not_served_by_any_route(client):
    stored = Path(settings.MEDIA_ROOT) / "materials" / "2025" / "01" / "营业执照.pdf"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.4 private")
    try:
        for prefix in ("/media/", "/static/", "/"):
            assert client.get(f"{prefix}materials/2025/01/营业执照.pdf").status_code == 404
    finally:
        stored.unlink()


def production_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return {**env, "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "a-production-like-secret-key-" + "k7Rz!p2Qw9" * 5,
            "ALLOWED_HOSTS": "zzfl.qinzhou.example.gov.cn", "SITE_URL": "https://zzfl.qinzhou.example.gov.cn",
            **extra}


def test_manage_py_check_deploy_is_clean_under_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_and_secure_cookies():
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    hsts, session_secure, csrf_secure, redirect = result.stdout.split()
    assert int(hsts) >= 31536000 and session_secure == csrf_secure == redirect == "True"


def test_production_refuses_to_start_without_its_public_address():
    """Issue 12: documents' QR codes point at SITE_URL, never at a request's Host, so production has no
    default to fall back on (a QR code to localhost would be printed on every licence)."""
    env = production_env()
    env.pop("SITE_URL")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr
