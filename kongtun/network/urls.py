from django.urls import path

from kongtun.network import views

urlpatterns = [
    path("", views.area_overview, name="network-overview"),
    path(
        "area/<str:level>/<str:code>/",
        views.area_dashboard,
        name="network-area",
    ),
    # The kwarg is not `fund_code`: that name puts a URL under the fund's own tenancy (only
    # the fund's people); officers reach a fund through their areas instead.
    path("fund/<slug:fund>/", views.fund_dashboard, name="network-fund"),
]
