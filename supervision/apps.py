from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("事中事后监管")

    def ready(self):
        from supervision import rules  # noqa: F401  (registers supervision's permission rules)
