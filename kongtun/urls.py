from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("kongtun.web.urls")),
    path("accounts/", include("kongtun.accounts.urls")),
    path("f/<slug:fund_code>/", include("kongtun.funds.urls")),
    path("f/<slug:fund_code>/audit/access/", include("kongtun.audit.urls")),
    path("f/<slug:fund_code>/members/", include("kongtun.members.urls")),
    path("f/<slug:fund_code>/books/", include("kongtun.ledger.urls")),
    path("f/<slug:fund_code>/contributions/", include("kongtun.contributions.urls")),
    path("f/<slug:fund_code>/welfare/", include("kongtun.welfare.urls")),
    path("f/<slug:fund_code>/indicators/", include("kongtun.indicators.urls")),
    path("f/<slug:fund_code>/codi/", include("kongtun.codiforms.urls")),
    path("f/<slug:fund_code>/outcomes/", include("kongtun.outcomes.urls")),
    path("f/<slug:fund_code>/exchange/", include("kongtun.exchange.urls")),
    path("f/<slug:fund_code>/public/", include("kongtun.public.urls_fund")),
    path("f/<slug:fund_code>/privacy/", include("kongtun.privacy.urls")),
    path("network/vetting/", include("kongtun.vetting.urls")),
    path("network/outcomes/", include("kongtun.outcomes.urls_network")),
    path("network/exchange/", include("kongtun.exchange.urls_network")),
    path("network/codi/", include("kongtun.codiforms.urls_network")),
    path("network/", include("kongtun.network.urls")),
    path("r/", include("kongtun.contributions.urls_public")),
    path("public/", include("kongtun.public.urls")),
    path("open/v1/", include("kongtun.public.urls_data")),
    path("i18n/setlang/", set_language, name="set-language"),
    path("system/backups/", include("kongtun.backups.urls")),
    path("admin/", admin.site.urls),
]
