from django.urls import path

from . import views

app_name = "demands"
demand = "staff/demands/<str:reference>/"
urlpatterns = [
    path("staff/demands/", views.register, name="register"),
    path("staff/demands/new/", views.new, name="new"),
    path(demand, views.demand_page, name="demand"),
    path(f"{demand}edit/", views.edit, name="edit"),
    path(f"{demand}organisations/", views.link_organisation, name="link_organisation"),
    path(f"{demand}organisations/unlink/", views.unlink_organisation, name="unlink_organisation"),
    path(f"{demand}cases/", views.link_case, name="link_case"),
    path(f"{demand}approval/request/", views.request_approval, name="request_approval"),
    path(f"{demand}approval/", views.approve, name="approve"),
    path(f"{demand}response/", views.respond, name="respond"),
    path(f"{demand}close/", views.close, name="close"),
]
