"""api_urls_reports: part of /api/v1/ (issue 14)."""
urlpatterns = []
