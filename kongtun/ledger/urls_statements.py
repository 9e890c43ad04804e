from __future__ import annotations

from django.urls import path

from kongtun.ledger import views_statements as views

urlpatterns = [
    path("statements/", views.statement_page, name="ledger-statements"),
    path("statements/pdf/", views.statement_pdf, name="ledger-statement-pdf"),
    path("statements/xlsx/", views.statement_xlsx, name="ledger-statement-xlsx"),
]
