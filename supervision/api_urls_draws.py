"""api_urls_draws: part of /api/v1/ (issue 14)."""
urlpatterns = []
