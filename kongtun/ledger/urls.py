from kongtun.ledger.urls_books import urlpatterns as books
from kongtun.ledger.urls_statements import urlpatterns as statements

urlpatterns = books + statements
