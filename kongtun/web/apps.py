from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.web"
    label = "web"

    def ready(self) -> None:
        from kongtun.web import dbcheck  # noqa: F401  (connects the connection check)
