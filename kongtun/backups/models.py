"""Backups belong to the installation, not to a fund: one database, one schedule, one log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    scheduled = models.BooleanField(default=False)
    vendor = models.CharField(max_length=20)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("backup")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["ok", "-started_at"], name="backup_ok_started")]
