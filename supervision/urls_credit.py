"""urls_credit (issue 14)."""
urlpatterns = []
