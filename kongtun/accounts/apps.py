from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.accounts"
    label = "accounts"
