from django.urls import path

from kongtun.web import views

urlpatterns = [
    path("", views.home, name="web-home"),
    path("healthz", views.healthz, name="web-healthz"),
]
