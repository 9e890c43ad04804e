from django.urls import path

from kongtun.funds import views

urlpatterns = [
    path("", views.fund_home, name="funds-home"),
    path("committee/", views.committee, name="funds-committee"),
    path("audit/", views.audit_trail, name="funds-audit"),
]
