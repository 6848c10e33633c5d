"""supervision's part of /api/v1/: the regulator's inbox (issue 9) and inspections (issue 10)."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from supervision.api import InboxViewSet
from supervision.api_inspections import InspectionViewSet

router = SimpleRouter()
router.register("inbox", InboxViewSet, basename="inbox")
router.register("inspections", InspectionViewSet, basename="inspection")

urlpatterns = [
    path("", include(router.urls)),
    path("", include("supervision.api_urls_draws")),  # issue 14
    path("", include("supervision.api_urls_credit")),
]
