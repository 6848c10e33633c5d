"""urls_registrations (issue 16): 登记告知 (双告知) in the enterprise's account (licensing.web.registrations)."""
from django.urls import path

from licensing.web import registrations

urlpatterns = [
    path("my/registrations/", registrations.my_registrations, name="my-registrations"),
    path("my/registrations/<int:pk>/", registrations.my_registration, name="my-registration"),
]
