from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The project's own apps (their models, their translation catalogues), the base first.
PORTAL_APPS = ("portal", "licensing", "notices", "supervision")


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台与机构")

    def ready(self):
        from portal import i18n  # noqa: F401  (applies the account's saved language at sign-in)
        from portal import security  # noqa: F401  (records the sign-in time for the 12-hour cap)
        from portal import calendar  # noqa: F401  (its signals keep every process's copy of the calendar current)
        from portal.audit import receivers  # noqa: F401  (audit rows from auth, axes, model signals)
        from portal.choices import fast_choice_displays

        fast_choice_displays()  # every app's models are loaded before any ready() runs
