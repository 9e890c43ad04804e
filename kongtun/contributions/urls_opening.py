"""Opening balances: a fund moving from paper brings its members' history and its balances."""

from __future__ import annotations

from django.urls import URLPattern, path

from kongtun.contributions import views_opening as views

urlpatterns: list[URLPattern] = [
    path("opening/", views.opening, name="contributions-opening"),
    path("opening/template.xlsx", views.opening_template, name="contributions-opening-template"),
    path("opening/<int:opening>/", views.opening_report, name="contributions-opening-report"),
]
