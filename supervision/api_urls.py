"""supervision's part of /api/v1/: the regulator's inbox (issue 9)."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from supervision.api import InboxViewSet

router = SimpleRouter()
router.register("inbox", InboxViewSet, basename="inbox")

urlpatterns = [
    path("", include(router.urls)),
]
