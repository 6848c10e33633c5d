"""api_urls_credit: part of /api/v1/ (issue 14): the 诚信档案 and its repair requests."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from supervision.api_credit import CreditRecordViewSet, CreditRepairRequestViewSet

router = SimpleRouter()
router.register("credit-records", CreditRecordViewSet, basename="credit-record")
router.register("credit-repair-requests", CreditRepairRequestViewSet, basename="credit-repair-request")

urlpatterns = [path("", include(router.urls))]
