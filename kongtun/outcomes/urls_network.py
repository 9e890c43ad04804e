from django.urls import path

from kongtun.outcomes import views_network

# The fund is `fund`, not `fund_code`: a fund_code in the URL makes FundScopeMiddleware ask for
# a role in that fund, which officers do not hold.
urlpatterns = [
    path("", views_network.network_outcomes, name="outcomes-network"),
    path("<int:year>/xlsx/", views_network.network_xlsx, name="outcomes-network-xlsx"),
    path("<int:year>/<slug:fund>/", views_network.network_report, name="outcomes-network-report"),
]
