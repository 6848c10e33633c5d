"""双随机、一公开 (issue 14): the regulator's plans and draws, and their public pages (supervision.web_draws)."""
from django.urls import path

from supervision import web_draws

urlpatterns = [
    path("desk/draws/", web_draws.draw_list, name="draw-list"),
    path("desk/draws/new/", web_draws.draw_new, name="draw-new"),
    path("desk/draws/<int:plan_id>/", web_draws.draw_detail, name="draw-detail"),
    path("desk/draws/<int:plan_id>/edit/", web_draws.draw_edit, name="draw-edit"),
    path("desk/draws/<int:plan_id>/run/", web_draws.draw_run_view, name="draw-run"),
    path("disclosure/draws/", web_draws.draw_disclosure, name="draw-disclosure"),
    # the JSON first: a number never holds a dot, but the page's pattern would take "….json/" too
    path("disclosure/draws/<str:number>.json", web_draws.draw_disclosure_json, name="draw-disclosure-json"),
    path("disclosure/draws/<str:number>/", web_draws.draw_disclosure_detail, name="draw-disclosure-detail"),
]
