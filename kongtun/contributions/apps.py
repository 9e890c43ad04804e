from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.contributions"
    label = "contributions"
