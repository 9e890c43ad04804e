"""The fund's own side of its public page: what it publishes (under the fund's tenancy)."""

from django.urls import path

from kongtun.public import views_manage as views

urlpatterns = [
    path("", views.home, name="public-manage"),
]
