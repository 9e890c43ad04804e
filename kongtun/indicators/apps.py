from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.indicators"
    label = "indicators"
