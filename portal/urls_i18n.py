"""Issue 15: the language switch (Django's set_language view, with the account's choice kept)."""
from django.urls import path

from portal import views_i18n

urlpatterns = [
    path("i18n/setlang/", views_i18n.set_language, name="set-language"),
]
