"""Settings shared by every environment.

Every value comes from the environment with a safe default, so a fresh clone runs on
SQLite and an embedded Celery broker, and the same code runs on PostgreSQL and Redis
when DATABASE_URL and CELERY_BROKER_URL say so.
"""
import importlib.util
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "rules",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "portal",
    "licensing",
    "notices",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # issue 15: the request's language first (portal/i18n.py: the API by Accept-Language alone), so that
    # the middleware below that answer on their own answer in it too
    "portal.i18n.LocaleMiddleware",
    # issue 8: no answer to a signed-in user or of a lookup by secret code is cached (outermost,
    # so that it sees every answer, refusals included)
    "portal.middleware.PrivateNoStoreMiddleware",
    # issue 13: a statement past the database's timeout is a 503 with Retry-After, never a 500 (outside
    # the session and user middleware, whose lookups can be the ones canceled)
    "portal.middleware.QueryCanceledMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security.RequestSizeLimitMiddleware",
    # issue 8: NUL bytes / invalid UTF-8 in the address, NUL in form fields: 400 before anything reads them
    "portal.middleware.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # issue 13: renews the idle clock at most once a minute (inside the session middleware, which saves)
    "portal.security.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    # issue 15: request.htmx (a list's pager or filter asking for the list region alone, portal/lists.py)
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # issue 4: audit of refusals (sees the CSRF 403 too), 12-hour cap, staff second factor
    "portal.audit.middleware.AuditMiddleware",
    "portal.security.SessionLifetimeMiddleware",
    "portal.security.SecondFactorMiddleware",
    # issue 8: limits on applications, uploads and the public lookups (after the CSRF check)
    "portal.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.NotAllowedPageMiddleware",
    # last, as django-axes asks: turns a lockout into its answer (429, in Chinese)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "licensing.oidc.sign_in_context",  # issue 16: the login page's unified sign-in button
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The data is Chinese: the test database is UTF-8 whatever the cluster's default.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Issue 13: no statement runs longer than this (milliseconds; 0 = no limit). The first link of the
# timeout chain (portal/gunicorn_conf.py): 15 s < gunicorn's 30 s < the proxy's 60 s, so a slow query
# ends its request as a 503 (portal.middleware.QueryCanceledMiddleware) before anything kills the
# worker. Per process, from the environment: web 15 s (the default); Celery workers 300 s (scripts/serve,
# docker-compose: hourly jobs sweep whole tables, yet a runaway one must still end); migrate 0 (an index
# on a million rows may take minutes). PostgreSQL only: SQLite has no such setting.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=15_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_STATEMENT_TIMEOUT_MS > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # issue 4: lockout first (django-axes), then the password with the API's second factor
    "portal.security.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "portal.security.PasswordBackend",
    # issue 16: 统一身份认证 (OpenID Connect), applicants only; answers nothing unless configured (below)
    "licensing.oidc.UnifiedIdentityBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.security.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (issue 4); older hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # issue 15: each role lands on its own start page (licensing.web.start)
LOGOUT_REDIRECT_URL = "home"
# A password-reset link (issue 8) works once, and for this long after it is mailed.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Mail (issue 8: password-reset links). Development and the demo print each message on the
# console (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes them under
# var/mail/ instead); the test runner swaps in its own in-memory backend; production.py sends
# by SMTP to EMAIL_HOST. Nothing is ever sent to a real address unless someone says so.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds: a hung mail server must not hang the page
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="钦州市证照分离平台 <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

LANGUAGE_CODE = "zh-hans"
# 简体中文 first and by default; English as a second language (issue 15): chosen with the switch (a cookie,
# and the account's `language` once signed in), and by Accept-Language for API clients.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the shared templates' strings (templates/); each app keeps its own locale/
# The switch's choice is kept a year; over HTTPS only where the session cookie is (production.py): it says
# nothing secret, but a page should not change language because someone on the network rewrote it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads live outside the web root and are served only through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Issue 13, a stateless web tier: with STORAGE_S3_BUCKET set, uploads and documents go to an S3-compatible
# store (MinIO, a cloud's object storage) through django-storages (`pip install '.[s3]'`), so any web or
# worker host reads what another wrote. Every file goes through the storage API (FileField,
# default_storage), never a path under MEDIA_ROOT. Objects stay private (the bucket's ACL) and are never
# linked to: the views that check access read them and answer with their bytes. A name already taken gets
# a suffix, as on disk (file_overwrite off), instead of replacing another applicant's file.
if env.str("STORAGE_S3_BUCKET", default=""):
    if importlib.util.find_spec("storages") is None:  # at start-up, not at the first upload
        raise ImproperlyConfigured("STORAGE_S3_BUCKET is set but django-storages is not installed: "
                                   "pip install '.[s3]' (or build the image with PIP_EXTRAS=s3)")
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env.str("STORAGE_S3_BUCKET"),
        "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("STORAGE_S3_REGION", default="") or None,
        "access_key": env.str("STORAGE_S3_ACCESS_KEY", default="") or None,
        "secret_key": env.str("STORAGE_S3_SECRET_KEY", default="") or None,
        "location": env.str("STORAGE_S3_PREFIX", default=""),
        # "path" for MinIO and most self-hosted stores; "virtual" (bucket.host) for most clouds.
        "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # issue 8: JSON nested too deep, NUL characters, bodies that are not JSON: a Chinese 400, never a 500
    "DEFAULT_PARSER_CLASSES": [
        "portal.api_parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # One shape for every refusal of every API view: {"detail": "<中文>", "field": …}.
    "EXCEPTION_HANDLER": "portal.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "portal.api_paging.BoundedPageNumberPagination",  # issue 13: counts capped
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    # In the reader's language (issue 15): the page's, or the API client's Accept-Language
    "TITLE": gettext_lazy("钦州市“证照分离”政务服务平台 API"),
    "DESCRIPTION": gettext_lazy("事项目录、工作日计算、办件与告知承诺流程的接口。"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: the service hall network has no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One enum component per choice set: several models have a `kind` or a `status` of their own.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "licensing.constants.Status",
        "ApplicantKindEnum": "licensing.constants.ApplicantKind",
        "CommitmentKindEnum": "licensing.constants.CommitmentKind",
        "MaterialStatusEnum": "licensing.constants.MaterialStatus",
        "DocumentKindEnum": "notices.constants.DocumentKind",
        "DrawStatusEnum": "supervision.constants.DrawStatus",
        "RepairStatusEnum": "supervision.constants.RepairStatus",
    },
}

# The shared cache (issue 8): the rate-limit counters (portal/ratelimit.py) that every worker and
# process must see alike. Redis when CACHE_URL (e.g. redis://127.0.0.1:6379/14) or REDIS_URL says
# so, as in CI and docker-compose; the embedded default is one process's memory (make run, tests).
CACHES = {"default": env.cache_url("CACHE_URL", default=env.str("REDIS_URL", default="locmemcache://"))}
CACHES["default"].setdefault("KEY_PREFIX", "portal")
# issue 13: the catalogue's pages come from this cache; Django's Redis backend made a new client for
# every operation, which cost more than the round trip itself (portal/httpcache.py reuses one).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.httpcache.RedisCache"

# Rate limits (issue 8, portal/ratelimit.py): "N/s|m|h|d" (or "N/10m"), "off" for none. Per account
# and per address on filing applications and on uploads; per address on the public lookups.
RATE_LIMITS = {
    "applications": {"account": env.str("RATE_LIMIT_APPLICATIONS_PER_ACCOUNT", default="30/h"),
                     "ip": env.str("RATE_LIMIT_APPLICATIONS_PER_IP", default="300/h")},
    "uploads": {"account": env.str("RATE_LIMIT_UPLOADS_PER_ACCOUNT", default="60/h"),
                "ip": env.str("RATE_LIMIT_UPLOADS_PER_IP", default="300/h")},
    "progress": {"ip": env.str("RATE_LIMIT_PROGRESS_PER_IP", default="20/m")},
    "verify": {"ip": env.str("RATE_LIMIT_VERIFY_PER_IP", default="20/m")},
}

# Celery: an embedded filesystem broker by default, so the demo needs no server;
# CELERY_BROKER_URL=redis://… in CI and production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Redis: jobs are enqueued from requests (on_commit), so a broker that is down or unreachable
    # must fail fast, never hang the request (the outbox's redrive sends what was not queued).
    # Without these timeouts an unreachable host waits for the OS (minutes) and a hung Redis (one
    # that accepts but never answers) forever; with them a publish gives up within seconds.
    # visibility_timeout: an unacknowledged message (acks_late, its worker gone) is handed out
    # again after this long; it must outlast the longest job. The outbox does not wait for it: its
    # redrive re-queues a record once OUTBOX_LEASE_SECONDS (below, far shorter) has run out.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
        "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0),
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0)
# One quick retry of a failed publish, not Celery's default of three: a request that enqueues a
# few jobs while the broker is down must come back within seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2,
                                    "interval_max": 0.5}
CELERY_TASK_IGNORE_RESULT = True
# A job is acknowledged when it has run, not when received: a worker killed mid-job leaves it to
# the broker (and the outbox to its lease and redrive); one message at a time per worker process,
# so a killed worker strands no prefetched backlog.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Issue 13: a worker process is replaced after this many jobs. WeasyPrint and pyHanko keep memory they
# never give back (fonts, layout caches); the web's gunicorn workers are recycled alike (gunicorn_conf.py).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {}
# licensing's deadline jobs. Deadlines are whole days, but hourly (not daily) runs mean a worker
# that was down at midnight catches up within the hour; both jobs are idempotent, so the extra
# runs cost a query each. Minutes 5 and 10 keep them off the top of the hour and apart.
CELERY_BEAT_SCHEDULE["licensing-revoke-for-overdue-materials"] = {
    "task": "licensing.tasks.revoke_for_overdue_materials", "schedule": crontab(minute=5)}
CELERY_BEAT_SCHEDULE["licensing-lapse-overdue-commitments"] = {
    "task": "licensing.tasks.lapse_overdue_commitments", "schedule": crontab(minute=10)}
# Files a rolled-back upload left on disk (no row names them), once they are older than the grace
# period, so that an upload still in its transaction is never taken for one. Daily, at night.
MATERIAL_ORPHAN_GRACE_HOURS = env.int("MATERIAL_ORPHAN_GRACE_HOURS", default=24)
CELERY_BEAT_SCHEDULE["licensing-remove-orphan-material-files"] = {
    "task": "licensing.tasks.remove_orphan_material_files", "schedule": crontab(minute=40, hour=3)}
# Commitments to meet the conditions by a date (钦政发〔2019〕20号, issue 11). The revocation is a
# deadline job like the late-materials one, so it runs hourly too (minute 15) and a worker down at
# midnight catches up; the reminder is a mail to people, so it goes once a day in office hours.
# Both are idempotent (a conditional UPDATE claims each reminder).
CELERY_BEAT_SCHEDULE["licensing-revoke-for-unmet-conditions"] = {
    "task": "licensing.tasks.revoke_for_unmet_conditions", "schedule": crontab(minute=15)}
CELERY_BEAT_SCHEDULE["licensing-remind-conditions"] = {
    "task": "licensing.tasks.remind_conditions", "schedule": crontab(minute=30, hour=8)}

# Approval records to regulators (issue 9, notices/outbox.py). A delivery holds its row for the
# lease; a worker that vanishes mid-delivery leaves it to the redrive once the lease runs out, so
# the lease must outlast the endpoint's timeouts. Retries back off exponentially with jitter from
# the base up to the cap; after the last attempt the record is dead-lettered for an admin to resend.
# 25 attempts with these figures span about four days: past the 3-working-day due time, as asked.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_CAP_SECONDS = env.int("OUTBOX_RETRY_CAP_SECONDS", default=6 * 3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=25)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=20.0)
# After a secret is rotated, deliveries are signed with the old secret too for this many hours, so a
# receiver switches over without refusing a record (Standard Webhooks allows several signatures).
WEBHOOK_ROTATION_GRACE_HOURS = env.int("WEBHOOK_ROTATION_GRACE_HOURS", default=24)
# Signed records go over HTTPS only; plain http:// endpoints are for development (DEBUG) and tests.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
CELERY_BEAT_SCHEDULE["notices-outbox-redrive"] = {
    "task": "notices.tasks.outbox_redrive", "schedule": crontab(minute="*")}
CELERY_BEAT_SCHEDULE["licensing-route-pending-records"] = {
    "task": "licensing.tasks.route_pending_records", "schedule": crontab(minute="*/5")}
# The SLA watch (notices/sla.py): hourly, each undelivered record due within one working day is
# mailed once to its approving authority's contact; unrouted ones also to these operators (and
# ADMINS), since only an admin can add the missing route. Links in mails start with SITE_URL.
OUTBOX_ALERT_EMAILS = env.list("OUTBOX_ALERT_EMAILS", default=[])
# The portal's public address: links in mails and the QR code printed on every document (issue 12)
# start with it, never with the Host header of whichever request issued the document.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
CELERY_BEAT_SCHEDULE["notices-outbox-warn-due-soon"] = {
    "task": "notices.tasks.outbox_warn_due_soon", "schedule": crontab(minute=20)}

# --- Issue 16: the systems the gazette names ------------------------------------------------
# 归集 (notices/publicity.py): every permit decision, change and revocation and every inspection result
# goes to the credit publicity systems. With PUBLICITY_URL set, each is pushed there, signed like the
# regulator webhooks with PUBLICITY_SECRET (whsec_…); without it, the daily file is the channel.
PUBLICITY_URL = env.str("PUBLICITY_URL", default="")
PUBLICITY_SECRET = env.str("PUBLICITY_SECRET", default="")
# The daily 归集 file (CSV and JSON), written through Django's storage under this folder at 01:30.
PUBLICITY_EXPORT_DIR = env.str("PUBLICITY_EXPORT_DIR", default="publicity")
CELERY_BEAT_SCHEDULE["notices-publicity-export"] = {
    "task": "notices.tasks.publicity_export_yesterday", "schedule": crontab(hour=1, minute=30)}
CELERY_BEAT_SCHEDULE["licensing-tell-pending-registrations"] = {
    "task": "licensing.tasks.tell_pending_registrations", "schedule": crontab(minute="*/30")}
# 双告知 intake (POST /api/v1/registrations/): a signed request older or newer than this is refused.
REGISTRATION_SIGNATURE_TOLERANCE_SECONDS = env.int("REGISTRATION_SIGNATURE_TOLERANCE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # issue 4: 18-character USCC / ID numbers never reach the logs unmasked
    "filters": {"mask_identifiers": {"()": "portal.audit.masking.MaskIdentifiersFilter"},
                "query_canceled": {"()": "portal.middleware.QueryCanceledLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_identifiers"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO: seven lines per document is noise.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                # pyHanko logs a traceback for every signature it cannot trust; the verification page says so
                "pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"},
                # issue 13: a statement canceled by the timeout is one warning line, not a 500's traceback
                "django.request": {"filters": ["query_canceled"]}},
}

# --- Security (issue 4: 等保 2.0 三级, OWASP ASVS L2) -----------------------------------
# Sessions: 30 minutes idle and 12 hours at most from sign-in (portal.security.SessionLifetimeMiddleware).
# The cookie and the server-side row are renewed by a request at most once a minute
# (portal.security.SessionRenewalMiddleware, issue 13): not an UPDATE and a commit on every page, and
# a session still ends between 29 and 30 minutes after its last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_AFTER_SECONDS = 60
SESSION_MAX_LIFETIME_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request bodies: fields held in memory at most 2.5 MB, files above 2.5 MB spill to disk,
# and no request over 25 MB at all (two 10 MB materials and the form), answered 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 20
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=25 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# Who verifies online that an account may act for an enterprise or a person (licensing/verifiers.py):
# a dotted path to an IdentityVerifier. The default verifies nothing: claims are verified at the window.
IDENTITY_VERIFIER = env.str("IDENTITY_VERIFIER", default="licensing.verifiers.NullVerifier")

# Content-Security-Policy (django-csp 4 format): no inline script anywhere, no plugins,
# no framing. data: images are the icons inside Swagger UI's and the admin's stylesheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Lockout (django-axes): 5 failures of a user name from any addresses lock that user name, and
# 5 failures from one address against any user names lock that address, each for 30 minutes
# (two separate parameters, not their combination). A success clears only that user name's
# failures from that address (portal.security.LockoutHandler; issue 8: axes' own reset would
# clear the address's failures against every account).
# The address is REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front the entry the
# nearest of them added to X-Forwarded-For (portal.security.client_ip; the audit and the rate
# limits use it too). The callable takes precedence over axes' own AXES_IPWARE_* settings,
# which are therefore not set. docker-compose.yml sets TRUSTED_PROXY_COUNT=1 for web.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "portal.security.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_USERNAME_CALLABLE = "portal.security.lockout_username"  # issue 8: an overlong name is no 500
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_VERBOSE = False

# Second factor (django-otp): staff and any user who enabled it.
OTP_TOTP_ISSUER = "钦州证照分离平台"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Documents (issue 12) ----------------------------------------------------------------------
# Each organisation's seal: DOCUMENT_SEAL_DIR/<机构代码>/cert.pem and key.pem (PEM; the key unencrypted,
# or encrypted with the passphrase in the environment variable SEAL_PASSPHRASE_<机构代码>), kept outside
# the database and outside MEDIA_ROOT (notices/seal.py). An organisation without one issues unsealed
# documents, which say so. A self-signed certificate is a demonstration seal, and its documents say that
# too: `manage.py seal_demo_certs` (run by scripts/run) makes one for every organisation lacking a seal.
DOCUMENT_SEAL_DIR = Path(env.str("DOCUMENT_SEAL_DIR", default=str(VAR_DIR / "seals")))
# Issuing a document queues its PDFs after commit; this beat job renders any a lost message left behind.
CELERY_BEAT_SCHEDULE["notices-render-missed-pdfs"] = {
    "task": "notices.tasks.documents_render_missed", "schedule": crontab(minute="*/5")}
# A download that finds its PDF not yet rendered shows a page that refreshes itself after this many seconds.
DOCUMENT_PREPARING_REFRESH_SECONDS = env.int("DOCUMENT_PREPARING_REFRESH_SECONDS", default=3)

# --- issue 14 ---------------------------------------------------------------------------------------
# 信用修复: the working days the deciding authority has to answer a repair request. The gazette sets none
# (钦政发〔2019〕18号 二（五）and 20号 二（五）only ask for a repair mechanism); 15 working days is the
# portal's choice, kept here so that a later local rule can set its own.
CREDIT_REPAIR_DECISION_WORKING_DAYS = env.int("CREDIT_REPAIR_DECISION_WORKING_DAYS", default=15)
# 好差评: a poor rating (不满意, 非常不满意) is looked into and answered to the rater within 15 working days
# (国办发〔2019〕51号 “差评...原则上在15个工作日内整改反馈”).
RATING_FOLLOW_UP_WORKING_DAYS = env.int("RATING_FOLLOW_UP_WORKING_DAYS", default=15)
# The quarterly reports (licensing.reports): made on the 1st of each quarter's first month, before the
# pilot's dates (by the 5th; the lead unit by the 10th, 钦政发〔2019〕20号), for the quarter just ended.
CELERY_BEAT_SCHEDULE["licensing-quarterly-reports"] = {
    "task": "licensing.tasks.generate_quarterly_reports",
    "schedule": crontab(minute=30, hour=1, day_of_month="1-4", month_of_year="1,4,7,10")}

# --- issue 16: one sign-in ------------------------------------------------------------------------------
# 广西数字政务一体化平台 统一身份认证, an OpenID Connect provider (licensing/oidc.py, mozilla-django-oidc). Off
# (no button, its routes 404) unless the client and all four endpoints are set. The id_token is signed RS256
# with a key from the provider's JWKS; with OIDC_OP_ISSUER set, its `iss` must be that.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = "RS256"
# `enterprise`: the provider's scope for the claims uscc, ent_name and ent_verified (licensing/oidc.py)
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile email enterprise")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="gxzw")  # ExternalIdentity.provider
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)  # seconds: a hung provider must not hang the callback
OIDC_AUTHENTICATE_CLASS = "licensing.oidc.SignInView"
OIDC_CALLBACK_CLASS = "licensing.oidc.CallbackView"
# After the sign-in: LOGIN_REDIRECT_URL ("start"); a failure: back to the login page, with the reason.
