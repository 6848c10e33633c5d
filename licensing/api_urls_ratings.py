"""api_urls_ratings: part of /api/v1/ (issue 15): 好差评. Included before the router, whose application
routes would otherwise be asked first."""
from django.urls import path

from licensing.api_ratings import ApplicationRatingView, RatingSummaryView

urlpatterns = [
    path("applications/<str:number>/rating/", ApplicationRatingView.as_view(), name="application-rating"),
    path("ratings/summary/", RatingSummaryView.as_view(), name="ratings-summary"),
]
