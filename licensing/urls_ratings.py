"""urls_ratings (issue 15): 好差评 — the applicant's rating, the authority's follow-ups, the public aggregate
(licensing.web.ratings)."""
from django.urls import path

from licensing.web import ratings

urlpatterns = [
    path("applications/<str:number>/rate/", ratings.rate, name="web-application-rate"),
    path("desk/ratings/", ratings.follow_ups, name="rating-follow-ups"),
    path("desk/ratings/<int:rating_id>/answer/", ratings.answer, name="rating-answer"),
    path("ratings/", ratings.ratings_public, name="ratings-public"),
]
