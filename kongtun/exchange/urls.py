from django.urls import path

from kongtun.exchange import views

urlpatterns = [
    path("", views.export, name="exchange-export"),
    path("key/", views.key_create, name="exchange-key-create"),
]
