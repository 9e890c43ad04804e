"""CODI's forms from the fund's side, under f/<fund_code>/codi/."""

from django.urls import URLPattern, path

from kongtun.codiforms import views

urlpatterns: list[URLPattern] = [
    path("", views.form_list, name="codi-forms"),
    path("<int:year>/annual/", views.annual_preview, name="codi-annual"),
    path("<int:year>/annual.pdf", views.annual_pdf, name="codi-annual-pdf"),
    path("<int:year>/annual.xlsx", views.annual_xlsx, name="codi-annual-xlsx"),
    path("<int:year>/proposal/", views.proposal_preview, name="codi-proposal"),
    path("<int:year>/proposal.pdf", views.proposal_pdf, name="codi-proposal-pdf"),
    path("<int:year>/proposal.xlsx", views.proposal_xlsx, name="codi-proposal-xlsx"),
]
