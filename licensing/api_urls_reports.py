"""api_urls_reports: part of /api/v1/ (issue 14): GET /api/v1/reports/quarterly/."""
from django.urls import path

from licensing.reports.api import QuarterlyReportView

urlpatterns = [
    path("reports/quarterly/", QuarterlyReportView.as_view(), name="reports-quarterly"),
]
