from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "事项与办件"

    def ready(self):
        from licensing import rules  # noqa: F401  (registers licensing's permission rules)
