from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.backups"
    label = "backups"

    def ready(self) -> None:
        from django.conf import settings

        # Only the web server's environment turns the runner on (`make run` sets it on the
        # gunicorn line); tests and management commands leave it off.
        if settings.BACKUP_SCHEDULER:
            from kongtun.backups import scheduler

            scheduler.start()
