from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "文书与推送"

    def ready(self):
        from notices import rules  # noqa: F401  (registers notices' permission rules)
