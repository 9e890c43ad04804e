"""CODI's forms for officers, mounted at network/codi/.

The fund is named `code`, not `fund_code`: FundScopeMiddleware treats a `fund_code` as a
fund the user holds a role in, which officers do not.
"""

from django.urls import URLPattern, path

from kongtun.codiforms import views_network as views

urlpatterns: list[URLPattern] = [
    path("", views.fund_list, name="codi-network"),
    path("<slug:code>/", views.fund_forms, name="codi-network-fund"),
    path("<slug:code>/<int:year>/annual.pdf", views.annual_pdf, name="codi-network-annual-pdf"),
    path("<slug:code>/<int:year>/annual.xlsx", views.annual_xlsx, name="codi-network-annual-xlsx"),
    path(
        "<slug:code>/<int:year>/proposal.pdf", views.proposal_pdf, name="codi-network-proposal-pdf"
    ),
    path(
        "<slug:code>/<int:year>/proposal.xlsx",
        views.proposal_xlsx,
        name="codi-network-proposal-xlsx",
    ),
]
