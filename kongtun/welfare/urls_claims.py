"""Claims: the list, intake, one claim with its evidence, payment, acknowledgment, the slip."""

from django.urls import path

from kongtun.welfare import views_claims as views

urlpatterns = [
    path("claims/", views.claim_list, name="welfare-claims"),
    path("claims/new/", views.claim_new, name="welfare-claim-new"),
    path("claims/<uuid:claim>/", views.claim_detail, name="welfare-claim"),
    path(
        "claims/<uuid:claim>/documents/",
        views.document_add,
        name="welfare-claim-document-add",
    ),
    path(
        "claims/<uuid:claim>/documents/<uuid:document>/",
        views.document_file,
        name="welfare-claim-document",
    ),
    path("claims/<uuid:claim>/withdraw/", views.claim_withdraw, name="welfare-claim-withdraw"),
    path("claims/<uuid:claim>/pay/", views.claim_pay, name="welfare-claim-pay"),
    path(
        "claims/<uuid:claim>/payees/<int:payee>/acknowledge/",
        views.payee_acknowledge,
        name="welfare-claim-acknowledge",
    ),
    path("claims/<uuid:claim>/slip/", views.claim_slip, name="welfare-claim-slip"),
]
