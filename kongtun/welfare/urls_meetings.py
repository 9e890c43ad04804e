"""The welfare home, and the committee's meetings that decide claims."""

from django.urls import path

from kongtun.welfare import views_meetings as views

urlpatterns = [
    path("", views.welfare_home, name="welfare-home"),
    path("meetings/", views.meeting_list, name="welfare-meetings"),
    path("meetings/new/", views.meeting_new, name="welfare-meeting-new"),
    path("meetings/<uuid:meeting>/", views.meeting_detail, name="welfare-meeting"),
    path(
        "meetings/<uuid:meeting>/attendance/",
        views.meeting_attendance,
        name="welfare-meeting-attendance",
    ),
    path(
        "meetings/<uuid:meeting>/claims/<uuid:claim>/decide/",
        views.meeting_decide,
        name="welfare-meeting-decide",
    ),
    path("meetings/<uuid:meeting>/close/", views.meeting_close, name="welfare-meeting-close"),
    path("meetings/<uuid:meeting>/minutes/", views.meeting_minutes, name="welfare-meeting-minutes"),
]
