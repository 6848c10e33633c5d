# syntax=docker/dockerfile:1
# The portal's one image: gunicorn (web), Celery worker and Celery beat all run from it;
# docker-compose.yml chooses the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

# WeasyPrint's system libraries, and the Noto CJK fonts without which Chinese documents
# print as empty boxes. WeasyPrint embeds only the glyphs used, and with libharfbuzz-subset0
# it cuts them out with HarfBuzz: measured here, 0.13 s for a one-page notice against 10 s
# with its fontTools fallback on the 20-27 MB Noto CJK font files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        fontconfig \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. PIP_EXTRAS=s3 adds django-storages for
# uploads and documents in an S3-compatible store (STORAGE_S3_BUCKET, portal/settings/base.py).
ARG PIP_EXTRAS=""
COPY pyproject.toml ./
RUN pip install ".${PIP_EXTRAS:+[$PIP_EXTRAS]}"

COPY . .

# Static files are collected into the image and served by WhiteNoise. Production settings
# insist on a SECRET_KEY and the base settings read the database and broker URLs, so the
# build passes throwaway values that reach no server.
RUN SECRET_KEY=collectstatic-only SITE_URL=https://collectstatic.invalid \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/collectstatic.sqlite3 \
    && mkdir -p /app/var /data/media /data/beat \
    && chown -R portal:portal /app/var /data

USER portal

EXPOSE 8000

# Healthy while Django answers through gunicorn. The request names the first of
# ALLOWED_HOSTS (no DisallowedHost noise in the logs) and says it came over HTTPS (no
# SECURE_SSL_REDIRECT); any answer below 500 shows the application is up.
# Worker and beat override this in docker-compose.yml.
COPY --chmod=755 <<'EOF' /usr/local/bin/portal-healthcheck
#!/usr/bin/env python
import os
import sys
import urllib.error
import urllib.request

host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".")
host = "localhost" if host in ("", "*") else host
request = urllib.request.Request(
    "http://127.0.0.1:8000/admin/login/",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    status = urllib.request.urlopen(request, timeout=4).status
except urllib.error.HTTPError as error:
    status = error.code
except OSError as error:
    sys.exit(f"unhealthy: {error}")
sys.exit(0 if status < 500 else f"unhealthy: HTTP {status}")
EOF
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["portal-healthcheck"]

# Every gunicorn setting is in portal/gunicorn_conf.py (workers from the cores, gthread, the timeout
# chain), each overridable by a GUNICORN_* variable; scripts/serve runs the same.
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi:application"]
