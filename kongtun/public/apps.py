from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.public"
    label = "public"
