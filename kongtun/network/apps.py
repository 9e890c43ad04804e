from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.network"
    label = "network"
