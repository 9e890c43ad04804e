from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.funds"
    label = "funds"
