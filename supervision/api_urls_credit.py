"""api_urls_credit: part of /api/v1/ (issue 14)."""
urlpatterns = []
