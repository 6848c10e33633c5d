"""The test suite: same services as configured by the environment, fast hashing."""
from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Demonstration seals made once per run, in a directory of the run's own (tests/conftest.py).
DOCUMENT_SEAL_DIR = VAR_DIR / "test-seals"  # noqa: F405
SITE_URL = "https://zzfl.qinzhou.example.gov.cn"  # the documents' QR codes point here, whatever the request

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Between transactional tests the runner empties every table with one TRUNCATE; the audit
    # table refuses TRUNCATE unless the session allows it (portal/migrations/0005_audit_no_truncate).
    # Only the test runner's connections do; tests of the refusal turn it off again.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    # Appended: base.py's statement timeout stays in force, as in production.
    _options["options"] = f'{_options.get("options", "")} -c portal.allow_truncate=on'.strip()
WEBHOOK_ALLOW_HTTP = True  # the tests' stand-in regulator is a plain http:// server on 127.0.0.1
