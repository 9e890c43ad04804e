from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.codiforms"
    label = "codiforms"
