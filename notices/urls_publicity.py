"""Issue 16 — see the module docstring of the views it routes."""
from django.urls import path

from notices import views_publicity

urlpatterns = [
    # 归集 to the credit publicity systems: its SLA and the daily files (admins)
    path("records/publicity/", views_publicity.publicity_sla, name="publicity-sla"),
    path("records/publicity/<str:day>.csv", views_publicity.publicity_export_csv, name="publicity-export-csv"),
    path("records/publicity/<str:day>.json", views_publicity.publicity_export_json, name="publicity-export-json"),
]
