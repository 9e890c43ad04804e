from django.urls import path

from kongtun.accounts import views

urlpatterns = [
    path("login/", views.KongtunLoginView.as_view(), name="accounts-login"),
    path("login/code/", views.mfa_code, name="accounts-mfa-code"),
    path("login/set-up/", views.mfa_enrol, name="accounts-mfa-enrol"),
    path("two-step/", views.mfa_manage, name="accounts-mfa"),
    path("logout/", views.logout_view, name="accounts-logout"),
]
