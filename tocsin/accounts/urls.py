from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("code/", views.second_factor_view, name="second_factor"),
    path("enrol/", views.enrol, name="enrol"),
    path("reauth/", views.reauth, name="reauth"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("recover/", views.recover, name="recover"),
]
