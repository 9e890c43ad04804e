from django.urls import path

from kongtun.network import views

urlpatterns = [
    path("", views.area_overview, name="network-overview"),
]
