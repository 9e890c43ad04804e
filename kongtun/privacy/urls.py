from django.urls import path

from kongtun.privacy import views

urlpatterns = [
    path("", views.ropa_page, name="privacy-ropa"),
    path("members/<uuid:code>/export/", views.member_export, name="privacy-member-export"),
    path("members/<uuid:code>/erase/", views.member_erase, name="privacy-member-erase"),
]
