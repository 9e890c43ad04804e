"""Pages anyone may open without a login, under /public/.

The fund's code is `code` here, not `fund_code`: that name puts a URL under the fund's own
tenancy (only the fund's people may open it).
"""

from django.urls import path

from kongtun.public import views_area, views_docs, views_fund, views_poster, views_receipt

urlpatterns = [
    path("", views_area.index, name="public-index"),
    path("area/<str:code>/", views_area.area, name="public-area"),
    path("fund/<slug:code>/", views_fund.fund, name="public-fund"),
    path("fund/<slug:code>/statements/", views_fund.statements, name="public-statements"),
    path("fund/<slug:code>/audit/", views_fund.audit, name="public-audit"),
    path(
        "fund/<slug:code>/poster/<int:year>-<int:month>.pdf",
        views_poster.poster,
        name="public-poster",
    ),
    path("receipt/", views_receipt.lookup, name="public-receipt"),
    path("data/", views_docs.data, name="public-data"),
]
