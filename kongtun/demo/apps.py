from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.demo"
    label = "demo"
