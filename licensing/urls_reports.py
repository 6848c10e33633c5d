"""urls_reports (issue 14): each department's quarterly reports, on its desk (licensing.reports.web)."""
from django.urls import path

from licensing.reports import web

urlpatterns = [
    path("desk/reports/", web.reports_desk, name="reports-desk"),
    path("desk/reports/<int:year>/<int:quarter>/", web.report_detail, name="report-detail"),
    path("desk/reports/<int:year>/<int:quarter>/report.xlsx", web.report_xlsx, name="report-xlsx"),
    path("desk/reports/<int:year>/<int:quarter>/report.pdf", web.report_pdf, name="report-pdf"),
    path("desk/reports/<int:year>/<int:quarter>/generate/", web.report_generate, name="report-generate"),
]
