"""urls_finder (issue 15): 经营范围查事项, the business-scope finder (licensing.web.finder)."""
from django.urls import path

from licensing.web import finder

urlpatterns = [
    path("finder/", finder.finder, name="finder"),
]
