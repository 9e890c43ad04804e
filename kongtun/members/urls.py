from django.urls import path

from kongtun.members import views

urlpatterns = [
    path("", views.member_list, name="members-list"),
    path("new/", views.member_create, name="members-create"),
    path("import/", views.member_import, name="members-import"),
    path("import/template.xlsx", views.import_template, name="members-import-template"),
    path("<uuid:code>/", views.member_detail, name="members-detail"),
    path("<uuid:code>/edit/", views.member_edit, name="members-edit"),
    path("<uuid:code>/status/", views.member_status, name="members-status"),
    path("<uuid:code>/reveal-id/", views.member_reveal_id, name="members-reveal-id"),
    path("<uuid:code>/beneficiaries/", views.beneficiary_add, name="members-beneficiary-add"),
    path(
        "<uuid:code>/beneficiaries/<int:pk>/remove/",
        views.beneficiary_remove,
        name="members-beneficiary-remove",
    ),
    path("<uuid:code>/consents/", views.consent_add, name="members-consent-add"),
    path(
        "<uuid:code>/consents/<int:pk>/withdraw/",
        views.consent_withdraw,
        name="members-consent-withdraw",
    ),
    path("<uuid:code>/card.pdf", views.member_card, name="members-card"),
]
