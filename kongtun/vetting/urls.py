"""Mounted at network/vetting/: the provincial committee's vetting of co-funding."""

from django.urls import path

from kongtun.vetting import views

urlpatterns = [
    path("", views.vetting_home, name="vetting-home"),
    path("<int:fiscal_year>/", views.vetting_list, name="vetting-list"),
    path("<int:fiscal_year>/screen/", views.vetting_screen_all, name="vetting-screen-all"),
    path("<int:fiscal_year>/meetings/new/", views.meeting_new, name="vetting-meeting-new"),
    path("meetings/<uuid:meeting>/pack.pdf", views.pack_pdf, name="vetting-pack-pdf"),
    path("meetings/<uuid:meeting>/pack.xlsx", views.pack_xlsx, name="vetting-pack-xlsx"),
    path("applications/<uuid:application>/", views.application_page, name="vetting-application"),
    path(
        "applications/<uuid:application>/screen/",
        views.application_screen,
        name="vetting-screen",
    ),
    path(
        "applications/<uuid:application>/checks/<slug:check>/",
        views.check_record,
        name="vetting-check",
    ),
    path(
        "applications/<uuid:application>/decide/",
        views.decision_record,
        name="vetting-decide",
    ),
]
