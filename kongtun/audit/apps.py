from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.audit"
    label = "audit"
