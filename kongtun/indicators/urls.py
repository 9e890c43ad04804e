"""The fund's indicators on a date, and the records behind each (f/<fund_code>/indicators/)."""

from django.urls import path

from kongtun.indicators import views

urlpatterns = [
    path("", views.indicators_home, name="indicators-home"),
    path("trace/<str:key>/", views.indicator_trace, name="indicators-trace"),
]
