from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("文书与推送")

    def ready(self):
        from notices import rules  # noqa: F401  (registers notices' permission rules)
