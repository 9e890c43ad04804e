from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.exchange"
    label = "exchange"
