"""Production: secrets and hosts must come from the environment."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
# The public address printed in every document's QR code and in mails: never a default in production.
SITE_URL = env.str("SITE_URL")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies only over HTTPS. scripts/serve turns these (and SECURE_SSL_REDIRECT) off for its plain-HTTP
# trial on 127.0.0.1 alone: a browser would not send a Secure cookie back over http://, so nobody could sign in.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE  # issue 15: the language switch's cookie, likewise
# Mail by SMTP (issue 8): EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS (or EMAIL_USE_SSL) and DEFAULT_FROM_EMAIL from the environment (base.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
