from django.urls import path

from kongtun.backups import views

urlpatterns = [
    path("", views.page, name="backups-page"),
    path("now/", views.backup_now, name="backups-now"),
]
