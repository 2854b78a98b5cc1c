from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/messages/", views.reply, name="reply"),
    path("cases/<str:reference>/evidence/<str:public_id>/", views.evidence, name="evidence"),
]
