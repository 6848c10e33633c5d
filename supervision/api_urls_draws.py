"""双随机 plans and draws under /api/v1/draws/ (issue 14). The route names are draw-plan-…: the pages own
draw-list and draw-detail."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from supervision.api_draws import DrawPlanViewSet

router = SimpleRouter()
router.register("draws", DrawPlanViewSet, basename="draw-plan")

urlpatterns = [path("", include(router.urls))]
