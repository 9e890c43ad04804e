from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "kongtun.privacy"
    verbose_name = "PDPA"
