"""The contributions pages, one module per part so each stays small."""

from kongtun.contributions.urls_cofunding import urlpatterns as cofunding
from kongtun.contributions.urls_collect import urlpatterns as collect
from kongtun.contributions.urls_opening import urlpatterns as opening
from kongtun.contributions.urls_receipts import urlpatterns as receipts
from kongtun.contributions.urls_standing import urlpatterns as standing

urlpatterns = collect + receipts + standing + opening + cofunding
