from django.urls import path

from licensing import views

urlpatterns = [
    path("items/", views.catalogue, name="catalogue"),
    path("items/<str:code>/", views.item_guide, name="item-guide"),
]
