"""The backup page and the dashboard card: who sees them, and what they show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.backups.models import BackupRecord, BackupSchedule
from kongtun.funds.models import Fund, FundRole

PAGE = "/system/backups/"


def _english(client: Client) -> Client:
    """Read the page in English: it follows the language cookie, as a browser's would."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _one_fund_user(fund: Fund, role: str) -> User:
    user = User.objects.create_user(username=f"solo-{role}", password="x", full_name=role)
    FundRole.objects.create(fund=fund, user=user, role=role)
    return user


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("chair", 404), ("treasurer", 404), ("collector", 404), ("officer", 404),
     ("nobody", 404)],
)  # fmt: skip
def test_on_a_shared_server_only_administrators_see_backups(
    client_for: Any, name: str, status: int
) -> None:
    # The `users` cast has two funds: a fund's chair never handles the whole server's backups.
    assert client_for(name).get(PAGE).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("chair", 200), ("treasurer", 200), ("collector", 404), ("secretary", 404)],
)
def test_on_a_one_fund_install_its_chair_and_treasurer_see_backups(
    fund: Fund, role: str, status: int
) -> None:
    assert _client(_one_fund_user(fund, role)).get(PAGE).status_code == status


def test_the_page_asks_for_a_login(db: Any) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_backup_now_is_refused_to_others(client_for: Any) -> None:
    assert client_for("collector").post(reverse("backups-now")).status_code == 404
    assert not BackupRecord.objects.exists()


def test_saving_the_schedule_is_audited(client_for: Any, tmp_path: Path) -> None:
    data = {
        "enabled": "on",
        "every": "daily",
        "every_hours": "6",
        "daily_at": "17:30",
        "destination": str(tmp_path),
        "keep": "10",
    }
    response = client_for("admin").post(PAGE, data)
    assert response.status_code == 303
    schedule = BackupSchedule.objects.get(pk=1)
    assert schedule.enabled and schedule.daily_at == dt.time(17, 30) and schedule.keep == 10
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="backups.schedule_changed").count() == 1


def test_a_relative_or_missing_folder_is_refused(client_for: Any) -> None:
    data = {"enabled": "on", "every": "hours", "every_hours": "0", "daily_at": "18:00",
            "destination": "usb", "keep": "0"}  # fmt: skip
    response = _english(client_for("admin")).post(PAGE, data)
    assert response.status_code == 400
    assert "full path" in response.content.decode()
    assert not BackupSchedule.objects.filter(enabled=True).exists()


def test_back_up_now_writes_the_file_and_lists_it(
    client_for: Any, tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_PASSPHRASE = "page passphrase 25690"
    BackupSchedule.objects.create(pk=1, destination=str(tmp_path))
    response = client_for("admin").post(reverse("backups-now"))
    assert response.status_code == 303
    record = BackupRecord.objects.get()
    assert record.ok, record.message
    assert (tmp_path / record.filename).is_file()
    page = client_for("admin").get(PAGE).content.decode()
    assert record.filename in page
    assert str(timezone.localtime(record.started_at).year + 543) in page  # Buddhist era


def test_back_up_now_is_handed_to_the_runner_when_the_server_runs_one(
    client_for: Any, tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_PASSPHRASE = "page passphrase 25690"
    settings.BACKUP_SCHEDULER = True
    BackupSchedule.objects.create(pk=1, destination=str(tmp_path))
    response = client_for("admin").post(reverse("backups-now"))
    assert response.status_code == 303
    assert not BackupRecord.objects.exists()  # not made inside the request
    assert BackupSchedule.objects.get().requested_at is not None


def test_the_dashboard_shows_the_last_good_backup_red_when_too_old(
    client_for: Any, fund: Fund
) -> None:
    admin = _english(client_for("admin"))
    first = admin.get("/").content.decode()
    assert "No backup has ever been made" in first and "alert-error" in first
    when = timezone.now() - dt.timedelta(hours=2)
    BackupRecord.objects.create(
        started_at=when, finished_at=when, folder="/media/fund/USB", ok=True, vendor="x"
    )
    fresh = admin.get("/").content.decode()
    assert "Last good backup" in fresh and "/media/fund/USB" in fresh
    assert 'id="backup-status"' in fresh and "alert-error" not in fresh
    BackupRecord.objects.update(started_at=timezone.now() - dt.timedelta(days=3))
    old = admin.get("/").content.decode()
    assert "older than the schedule allows" in old and "alert-error" in old
    # Others never see it.
    assert (
        'id="backup-status"'
        not in client_for("collector").get(f"/f/{fund.code}/", follow=True).content.decode()
    )


def test_a_one_fund_chair_sees_the_card_on_the_fund_page(fund: Fund) -> None:
    chair = _client(_one_fund_user(fund, "chair"))
    page = chair.get("/", follow=True).content.decode()
    assert 'id="backup-status"' in page


def test_a_failed_backup_is_kept_as_a_code_and_shown_in_the_readers_language(
    client_for: Any, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kongtun.backups import models

    settings.BACKUP_PASSPHRASE = "page passphrase 25690"
    BackupSchedule.objects.create(pk=1, destination=str(tmp_path / "unplugged"))
    client_for("admin").post(reverse("backups-now"))
    record = BackupRecord.objects.get()
    assert record.message_code == "folder_missing"
    assert record.message_params == {"folder": str(tmp_path / "unplugged")}
    assert "USB stick" in record.message  # English for the command line and the logs
    # The page renders the code through gettext: a Thai catalogue's text is what it shows.
    monkeypatch.setitem(models.MESSAGES, "folder_missing", "ไม่พบโฟลเดอร์ %(folder)s")
    page = client_for("admin").get(PAGE).content.decode()
    assert f"ไม่พบโฟลเดอร์ {tmp_path / 'unplugged'}" in page
