from django.urls import path

from notices import views

urlpatterns = [
    path("documents/<str:verification_code>/", views.document_html, name="document-html"),
    path("documents/<str:verification_code>/content/", views.document_content, name="document-content"),
    path("documents/<str:verification_code>/pdf/", views.document_pdf, name="document-pdf"),
    path("verify/", views.verify, name="verify"),
]
