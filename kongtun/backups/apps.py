from django.apps import AppConfig


class Config(AppConfig):
    name = "kongtun.backups"
    label = "backups"

    def ready(self) -> None:
        from django.conf import settings

        # Only the web server's environment turns the runner on (`make run` sets it on the
        # gunicorn line), and it starts at a worker's first request (scheduler's docstring);
        # tests and management commands leave it off.
        from kongtun.backups import scheduler

        if settings.BACKUP_SCHEDULER and not scheduler.in_management_command():
            from django.core.signals import request_started

            request_started.connect(
                scheduler.start_on_request, weak=False, dispatch_uid="kongtun-backup-runner"
            )
