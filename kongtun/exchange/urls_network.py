from django.urls import path

from kongtun.exchange import views

urlpatterns = [
    path("", views.network_home, name="exchange-network"),
    path("import/", views.package_upload, name="exchange-import"),
    path("keys/", views.key_register, name="exchange-key-register"),
    path("keys/<int:key>/revoke/", views.key_revoke, name="exchange-key-revoke"),
]
