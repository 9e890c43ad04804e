"""Plans and terms, a member's contributions, arrears and lapse."""

from __future__ import annotations

from django.urls import URLPattern, path

from kongtun.contributions import views_standing as views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="contributions-home"),
    path("plans/", views.plan_list, name="contributions-plans"),
    path("plans/new/", views.plan_new, name="contributions-plan-new"),
    path("plans/<int:plan>/active/", views.plan_active, name="contributions-plan-active"),
    path("terms/", views.terms, name="contributions-terms"),
    path("members/<uuid:member>/", views.member_detail, name="contributions-member"),
    path("members/<uuid:member>/plan/", views.member_plan, name="contributions-member-plan"),
    path(
        "members/<uuid:member>/reinstate/",
        views.member_reinstate,
        name="contributions-member-reinstate",
    ),
    path("arrears/", views.arrears, name="contributions-arrears"),
    path("arrears.pdf", views.arrears_pdf, name="contributions-arrears-pdf"),
    path("arrears.xlsx", views.arrears_xlsx, name="contributions-arrears-xlsx"),
    path("lapse/", views.lapse, name="contributions-lapse"),
]
