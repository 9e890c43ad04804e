"""Open data under /open/v1/: the version is in the path, so these URLs stay as they are."""

from django.urls import path

from kongtun.public import views_data as views

urlpatterns = [
    path("schema.json", views.schema_json, name="open-schema"),
    path("index.json", views.index_data, name="open-index"),
    path("index/<slug:table>.csv", views.index_data, name="open-index-csv"),
    path("area/<str:code>/<int:year>.json", views.area_data, name="open-area"),
    path("area/<str:code>/<int:year>/<slug:table>.csv", views.area_data, name="open-area-csv"),
    path("fund/<slug:code>/audit.json", views.audit_data, name="open-audit"),
    path("fund/<slug:code>/audit/<slug:table>.csv", views.audit_data, name="open-audit-csv"),
    path(
        "fund/<slug:code>/statements/<int:year>.json",
        views.statements_data,
        name="open-statements",
    ),
    path(
        "fund/<slug:code>/statements/<int:year>/<slug:table>.csv",
        views.statements_data,
        name="open-statements-csv",
    ),
    path("fund/<slug:code>/<int:year>.json", views.fund_data, name="open-fund"),
    path("fund/<slug:code>/<int:year>/<slug:table>.csv", views.fund_data, name="open-fund-csv"),
]
