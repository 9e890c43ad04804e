"""The fund's regulation versions: reading, drafting, adopting, printing."""

from __future__ import annotations

from django.urls import URLPattern, path

from kongtun.welfare import views_regulations as views

urlpatterns: list[URLPattern] = [
    path("regulations/", views.regulation_list, name="welfare-regulations"),
    path("regulations/new/", views.regulation_new, name="welfare-regulation-new"),
    path("regulations/<uuid:regulation>/", views.regulation_detail, name="welfare-regulation"),
    path(
        "regulations/<uuid:regulation>/pdf/",
        views.regulation_pdf,
        name="welfare-regulation-pdf",
    ),
    path(
        "regulations/<uuid:regulation>/edit/",
        views.regulation_edit,
        name="welfare-regulation-edit",
    ),
    path(
        "regulations/<uuid:regulation>/adopt/",
        views.regulation_adopt,
        name="welfare-regulation-adopt",
    ),
    path(
        "regulations/<uuid:regulation>/benefits/new/",
        views.benefit_new,
        name="welfare-benefit-new",
    ),
    path(
        "regulations/<uuid:regulation>/benefits/<int:benefit>/",
        views.benefit_edit,
        name="welfare-benefit-edit",
    ),
    path(
        "regulations/<uuid:regulation>/benefits/<int:benefit>/remove/",
        views.benefit_remove,
        name="welfare-benefit-remove",
    ),
]
