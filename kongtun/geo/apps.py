from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.geo"
    label = "geo"
