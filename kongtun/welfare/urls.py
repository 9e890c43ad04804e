"""The welfare pages, one module per part so each stays small."""

from kongtun.welfare.urls_claims import urlpatterns as claims
from kongtun.welfare.urls_meetings import urlpatterns as meetings
from kongtun.welfare.urls_regulations import urlpatterns as regulations

urlpatterns = meetings + claims + regulations
