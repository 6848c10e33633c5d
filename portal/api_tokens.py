"""API tokens that expire (issue 4): kept apart from the views so DRF's settings can load it early."""
import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

EXPIRED = _("令牌已过期，请重新取得令牌。")


def expired(token) -> bool:
    # A token lives as long as the longest session (issue 4: 12 hours at most from sign-in).
    return timezone.now() - token.created > dt.timedelta(seconds=settings.SESSION_MAX_LIFETIME_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused once it is older than a session may be."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expired(token):
            raise exceptions.AuthenticationFailed(EXPIRED)
        return user, token


