from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "事中事后监管"

    def ready(self):
        from supervision import rules  # noqa: F401  (registers supervision's permission rules)
