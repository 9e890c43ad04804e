from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.welfare"
    label = "welfare"
