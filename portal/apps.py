from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台与机构"

    def ready(self):
        from portal import security  # noqa: F401  (records the sign-in time for the 12-hour cap)
        from portal.audit import receivers  # noqa: F401  (audit rows from auth, axes, model signals)
