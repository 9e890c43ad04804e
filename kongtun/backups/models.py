"""Backups belong to the installation, not to a fund: one database, one schedule, one log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# What a backup record says, by code: the page shows it in the reader's language, the command
# line and the logs in English (BackupRecord.message). A record without a code (or with `why`,
# a technical detail from the system) shows its English message as it is.
MESSAGES: dict[str, Any] = {
    "made": _("%(chains)s audit chains, %(migrations)s migrations, %(files)s files"),
    "made_pruned": _(
        "%(chains)s audit chains, %(migrations)s migrations, %(files)s files; removed "
        "%(removed)s old backups"
    ),
    "folder_relative": _("The backup folder must be a full path, not %(folder)s."),
    "folder_missing": _("The backup folder %(folder)s is not there. Is the USB stick plugged in?"),
    "passphrase_short": _("The backup passphrase must be at least %(n)s characters long."),
    "no_passphrase": _(
        "The backup passphrase (BACKUP_PASSPHRASE) is not set on this computer; ask the "
        "administrator (docs/backup.md)."
    ),
    "write_failed": _("Could not write the backup: %(why)s"),
    "failed": _("The backup could not be made: %(why)s"),
}


def message_text(code: str, params: dict[str, Any]) -> str:
    return str(MESSAGES[code]) % params


class BackupSchedule(models.Model):
    """The one schedule of this installation (row 1): how often, to where, how many kept."""

    class Every(models.TextChoices):
        HOURS = "hours", _("Every few hours")
        DAILY = "daily", _("Once a day")

    enabled = models.BooleanField(_("scheduled backups on"), default=False)
    every = models.CharField(_("how often"), max_length=8, choices=Every, default=Every.DAILY)
    every_hours = models.PositiveSmallIntegerField(_("every how many hours"), default=6)
    daily_at = models.TimeField(_("daily at"), default=dt.time(18, 0))
    destination = models.CharField(_("backup folder"), max_length=500, blank=True)
    keep = models.PositiveSmallIntegerField(_("backups to keep"), default=14)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Written into every backup's header at the first backup: pruning a shared folder removes
    # only this install's files, never another install's with the same BACKUP_NAME.
    install_id = models.CharField(max_length=32, blank=True)
    # "Back up now" while the in-process runner is on: the runner makes it within a minute,
    # outside the request (a large database takes longer than the server's request timeout).
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the runner last ran the daily privacy jobs (retention, erasures re-applied).
    daily_jobs_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("backup schedule")

    def period(self) -> dt.timedelta:
        if self.every == self.Every.HOURS:
            return dt.timedelta(hours=max(1, self.every_hours))
        return dt.timedelta(days=1)


class BackupRecord(models.Model):
    """One backup attempt, good or failed, as the person checking backups needs to see it."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    folder = models.CharField(_("folder"), max_length=500)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size in bytes"), null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    ok = models.BooleanField(_("succeeded"))
    message = models.TextField(_("message"), blank=True)
    message_code = models.CharField(max_length=40, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    scheduled = models.BooleanField(default=False)
    vendor = models.CharField(max_length=20)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("backup")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["ok", "-started_at"], name="backup_ok_started")]

    def say(self, code: str, **params: Any) -> None:
        """Set the message: its code and values, and its English text."""
        self.message_code, self.message_params = code, params
        with translation.override("en"):
            self.message = message_text(code, params)

    def shown_message(self) -> str:
        """The message in the active language."""
        if self.message_code in MESSAGES:
            try:
                return message_text(self.message_code, self.message_params)
            except (KeyError, TypeError, ValueError):
                pass
        return self.message
