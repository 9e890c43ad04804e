"""Receipts: the list, one receipt, its PDF and voiding; a session's receipts; the passbook."""

from django.urls import path

from kongtun.contributions import views_receipts as views

urlpatterns = [
    path("receipts/", views.receipt_list, name="contributions-receipts"),
    path("receipts/<uuid:receipt>/", views.receipt_detail, name="contributions-receipt"),
    path(
        "receipts/<uuid:receipt>/receipt.pdf", views.receipt_pdf, name="contributions-receipt-pdf"
    ),
    path("receipts/<uuid:receipt>/void/", views.receipt_void, name="contributions-receipt-void"),
    path(
        "collect/<uuid:session>/receipts.pdf",
        views.session_receipts_pdf,
        name="contributions-session-receipts-pdf",
    ),
    path("members/<uuid:member>/passbook/", views.passbook, name="contributions-passbook"),
    path(
        "members/<uuid:member>/passbook.pdf", views.passbook_pdf, name="contributions-passbook-pdf"
    ),
]
