"""api_urls_registrations: part of /api/v1/ (issue 16): the 双告知 intake of the business registration system
(licensing/api_registrations.py)."""
from django.urls import path

from licensing.api_registrations import RegistrationDetailView, RegistrationListView

urlpatterns = [
    path("registrations/", RegistrationListView.as_view(), name="registration-list"),
    path("registrations/<str:event_id>/", RegistrationDetailView.as_view(), name="registration-detail"),
]
