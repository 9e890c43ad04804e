from django.urls import path

from kongtun.audit import views

urlpatterns = [
    path("", views.access_report, name="audit-access"),
]
