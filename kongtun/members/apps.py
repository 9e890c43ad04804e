from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.members"
    label = "members"
