"""urls_start (issue 15): 我的首页 for every signed-in role, and the staff's 统计看板 (licensing.web.start)."""
from django.urls import path

from licensing.web import start

urlpatterns = [
    path("start/", start.start, name="start"),
    path("dashboard/", start.dashboard, name="dashboard"),
]
