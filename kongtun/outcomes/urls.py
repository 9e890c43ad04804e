from django.urls import path

from kongtun.outcomes import views

urlpatterns = [
    path("", views.outcomes_home, name="outcomes-home"),
    path("<int:year>/", views.report_detail, name="outcomes-report"),
    path("<int:year>/edit/", views.report_edit, name="outcomes-edit"),
    path("<int:year>/submit/", views.report_submit, name="outcomes-submit"),
    path("<int:year>/reopen/", views.report_reopen, name="outcomes-reopen"),
]
