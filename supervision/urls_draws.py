"""urls_draws (issue 14)."""
urlpatterns = []
