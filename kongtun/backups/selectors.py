"""Who may look after backups, and how fresh the last good one is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from kongtun.backups import services
from kongtun.backups.models import BackupRecord, BackupSchedule
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.permissions import Role

BACKUP_ROLES = (Role.CHAIR, Role.TREASURER)


def can_manage_backups(user: Any) -> bool:
    """Administrators; and on an install that keeps exactly one fund (a fund's own laptop),
    that fund's chair and treasurer, who are the ones who carry the USB stick. On a shared
    server a fund's officers never see or move the whole installation's backups."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    funds = list(Fund.objects.values_list("pk", flat=True)[:2])
    if len(funds) != 1:
        return False
    return FundRole.objects.filter(
        user=user, fund_id=funds[0], is_active=True, role__in=BACKUP_ROLES
    ).exists()


def schedule_current() -> BackupSchedule:
    """The schedule, or the default one when nobody saved one yet (reading writes nothing)."""
    return BackupSchedule.objects.filter(pk=1).first() or BackupSchedule(pk=1)


@dataclass(frozen=True)
class BackupStatus:
    last_good: BackupRecord | None
    last: BackupRecord | None
    schedule: BackupSchedule
    stale: bool
    allowed: dt.timedelta
    passphrase_set: bool


def backup_status(now: dt.datetime | None = None) -> BackupStatus:
    """The last good backup and whether it is older than the schedule allows (red on the
    dashboard); with no schedule, older than a day is too old (RELIABILITY D4's laptop RPO)."""
    now = now or timezone.now()
    schedule = schedule_current()
    last_good = BackupRecord.objects.filter(ok=True).order_by("-started_at").first()
    last = BackupRecord.objects.order_by("-started_at").first()
    if schedule.enabled:
        allowed = schedule.period() + services.GRACE
    else:
        allowed = services.UNSCHEDULED_MAX_AGE
    stale = last_good is None or now - last_good.started_at > allowed
    return BackupStatus(last_good, last, schedule, stale, allowed, bool(settings.BACKUP_PASSPHRASE))


def recent_backups(limit: int = 30) -> list[BackupRecord]:
    return list(BackupRecord.objects.select_related("made_by").order_by("-started_at")[:limit])
