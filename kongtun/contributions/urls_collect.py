"""Collection day: a collector's sessions, finding and paying members, counting and handing
over the cash; and the treasurer's desk payment."""

from django.urls import path

from kongtun.contributions import views_collect as views

urlpatterns = [
    path("collect/", views.collect_home, name="contributions-collect"),
    path(
        "collect/member/<uuid:member>/",
        views.collect_member,
        name="contributions-collect-member",
    ),
    path("collect/<uuid:session>/", views.session_detail, name="contributions-session"),
    path("collect/<uuid:session>/find/", views.session_find, name="contributions-session-find"),
    path(
        "collect/<uuid:session>/pay/<uuid:member>/",
        views.session_pay,
        name="contributions-session-pay",
    ),
    path("collect/<uuid:session>/close/", views.session_close, name="contributions-session-close"),
    path(
        "collect/<uuid:session>/accept/",
        views.session_accept,
        name="contributions-session-accept",
    ),
    path("members/<uuid:member>/pay/", views.desk_pay, name="contributions-desk-pay"),
]
