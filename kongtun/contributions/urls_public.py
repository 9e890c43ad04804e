"""Pages anyone may open without a login: a receipt's verification, reached from its QR code."""

from django.urls import path

from kongtun.contributions import views_receipts as views

urlpatterns = [
    path("<uuid:code>/", views.receipt_verify, name="receipt-verify"),
]
