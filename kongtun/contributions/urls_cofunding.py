from django.urls import URLPattern, path

from kongtun.contributions import views_cofunding as views

urlpatterns: list[URLPattern] = [
    path("cofunding/", views.cofunding_list, name="contributions-cofunding"),
    path("cofunding/new/", views.cofunding_new, name="contributions-cofunding-new"),
    path("matching/<int:year>/", views.matching_report, name="contributions-matching"),
    path("matching/<int:year>/terms/", views.matching_terms, name="contributions-matching-terms"),
    path(
        "matching/<int:year>/record/", views.matching_record, name="contributions-matching-record"
    ),
    path(
        "matching/<int:year>/eligible.xlsx", views.matching_xlsx, name="contributions-matching-xlsx"
    ),
]
