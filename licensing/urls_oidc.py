"""Issue 16: sign-in through the unified identity service (OpenID Connect), filled in by its part of the work."""
from django.urls import path  # noqa: F401

urlpatterns = []
