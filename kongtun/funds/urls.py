from django.urls import path

from kongtun.funds import views

urlpatterns = [
    path("", views.fund_home, name="funds-home"),
    path("settings/", views.fund_settings, name="funds-settings"),
    path("committee/", views.committee, name="funds-committee"),
    path("committee/branches/", views.branch_add, name="funds-branch-add"),
    path("committee/seats/", views.committee_seat_add, name="funds-seat-add"),
    path("audit/", views.audit_trail, name="funds-audit"),
    path("people/", views.people, name="funds-people"),
    path("people/new/", views.person_add, name="funds-person-add"),
    path("people/<int:grant>/", views.person_change, name="funds-person-change"),
]
