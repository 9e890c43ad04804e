from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.ledger"
    label = "ledger"
