"""licensing's part of /api/v1/: the catalogue, applications and public progress."""
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from licensing.api import ItemViewSet
from licensing.api_applications import ApplicationViewSet

router = DefaultRouter()
router.register("items", ItemViewSet, basename="item")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("", include("licensing.api_urls_registrations")),  # issue 16: 双告知 intake from business registration
    path("", include("licensing.api_urls_ratings")),  # issue 15: 好差评 (before the router's application routes)
    path("", include(router.urls)),
    path("", include("licensing.api_applications")),
    path("", include("licensing.api_urls_reports")),  # issue 14
]
