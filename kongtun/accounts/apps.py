from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.accounts"
    label = "accounts"

    def ready(self) -> None:
        from kongtun.accounts import sessions  # noqa: F401 (connects the user_logged_in receiver)
