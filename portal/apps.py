from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台与机构"

    def ready(self):
        from portal import permissions  # noqa: F401  (registers the permission rules)
