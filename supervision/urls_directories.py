"""urls_directories (issue 14)."""
urlpatterns = []
