"""urls_reports (issue 14)."""
urlpatterns = []
