from django.urls import path

from tocsin.registry import views

urlpatterns = [
    path("covered/", views.covered, name="covered"),
]
