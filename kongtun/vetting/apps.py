from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.vetting"
    label = "vetting"
