"""The books' pages: vouchers, journal, cash/bank books, ledgers, reconciliation, periods.

URL parameters are named after what they point at (`voucher`, `entry`, `account`, `rec`,
`close`, `attachment`) so no two kinds of object share a name.
"""

from django.urls import path

from kongtun.ledger import views

urlpatterns = [
    path("", views.home, name="ledger-home"),
    path("beancount/", views.beancount_export, name="ledger-beancount"),
    path("accounts/", views.account_list, name="ledger-accounts"),
    path("accounts/new/", views.account_new, name="ledger-account-new"),
    path("vouchers/", views.voucher_list, name="ledger-vouchers"),
    path("vouchers/new/", views.voucher_new, name="ledger-voucher-new"),
    path("vouchers/<uuid:voucher>/", views.voucher_detail, name="ledger-voucher"),
    path("vouchers/<uuid:voucher>/approve/", views.voucher_approve, name="ledger-voucher-approve"),
    path("vouchers/<uuid:voucher>/reject/", views.voucher_reject, name="ledger-voucher-reject"),
    path("vouchers/<uuid:voucher>/print.pdf", views.voucher_pdf, name="ledger-voucher-pdf"),
    path(
        "vouchers/<uuid:voucher>/attachments/",
        views.attachment_add,
        name="ledger-attachment-add",
    ),
    path(
        "vouchers/<uuid:voucher>/attachments/<int:attachment>/",
        views.attachment_download,
        name="ledger-attachment",
    ),
    path("journal/", views.journal, name="ledger-journal"),
    path("journal/<uuid:entry>/", views.entry_detail, name="ledger-entry"),
    path("journal/<uuid:entry>/reverse/", views.entry_reverse, name="ledger-entry-reverse"),
    path("cash-book/", views.cash_book, name="ledger-cash-book"),
    path("bank-book/", views.bank_book, name="ledger-bank-book"),
    path("ledger/<int:account>/", views.general_ledger, name="ledger-ledger"),
    path("reconciliations/", views.reconciliation_list, name="ledger-reconciliations"),
    path("reconciliations/new/", views.reconciliation_new, name="ledger-reconciliation-new"),
    path("reconciliations/<int:rec>/", views.reconciliation_detail, name="ledger-reconciliation"),
    path("periods/", views.period_list, name="ledger-periods"),
    path("periods/close/", views.period_close, name="ledger-period-close"),
    path("periods/<int:close>/reopen/", views.period_reopen, name="ledger-period-reopen"),
]
