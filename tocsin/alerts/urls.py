from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("timers/", views.timers, name="timers"),
    path("alerts/dead/", views.dead_letters, name="dead_letters"),
    path("alerts/dead/retry/", views.retry, name="retry"),
]
