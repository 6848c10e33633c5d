from django.urls import include, path

from notices import views, views_sla, views_verify

urlpatterns = [
    path("documents/<str:verification_code>/", views.document_html, name="document-html"),
    path("documents/<str:verification_code>/content/", views.document_content, name="document-content"),
    path("documents/<str:verification_code>/pdf/", views.document_pdf, name="document-pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/pdf/", views_verify.verify_pdf, name="verify-pdf"),  # issue 12: is a PDF's seal intact
    # issue 9: the 3-working-day SLA of approval records (admins: all; officers: their authority's)
    path("records/sla/", views_sla.records_sla, name="records-sla"),
    # issue 11: steps with a deadline taken on time and late, per authority and month (电子监察)
    path("records/efficiency/", views_sla.records_efficiency, name="records-efficiency"),
    path("", include("notices.urls_publicity")),  # issue 16: 归集 to the credit publicity systems
]
