from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.outcomes"
    label = "outcomes"
