from django.urls import path

from kongtun.accounts import views

urlpatterns = [
    path("login/", views.KongtunLoginView.as_view(), name="accounts-login"),
    path("logout/", views.logout_view, name="accounts-logout"),
]
