"""The database must live on a local disk, outside cloud-sync folders, under one name
(RELIABILITY D2): the pure checks fed mount tables and paths, and the real connection check."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from kongtun.web import dbcheck
from kongtun.web.tests.test_settings import _settings_module

MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
nas:/export/fund /srv/fund nfs4 rw,vers=4.2 0 0
//nas/share /mnt/share cifs rw 0 0
me@host:/data /home/me/remote fuse.sshfs rw 0 0
gdrive: /home/me/gdrive fuse.rclone rw 0 0
/dev/sdb1 /media/me/USB\\040STICK vfat rw 0 0
/dev/sdb2 /media/me/NTFS fuseblk rw 0 0
encrypted /home/me/private fuse.gocryptfs rw 0 0
C:\\134 /mnt/c 9p rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("/srv/fund/kongtun.sqlite3", "nfs4"),
        ("/srv/fund/deep/er/kongtun.sqlite3", "nfs4"),
        ("/mnt/share/k.sqlite3", "cifs"),
        ("/home/me/remote/k.sqlite3", "fuse.sshfs"),
        ("/home/me/gdrive/k.sqlite3", "fuse.rclone"),
        ("/mnt/c/Users/me/k.sqlite3", "9p"),
        ("/srv/fundraiser/k.sqlite3", None),  # a prefix of the name is not the mount
        ("/home/me/k.sqlite3", None),
        ("/media/me/USB STICK/k.sqlite3", None),
        ("/media/me/NTFS/k.sqlite3", None),
        ("/home/me/private/k.sqlite3", None),
    ],
)
def test_network_file_systems_are_found_from_the_mount_table(path: str, found: str | None) -> None:
    assert dbcheck.network_filesystem(path, MOUNTS) == found


@pytest.mark.parametrize(
    "folder",
    ["Dropbox", "OneDrive", "OneDrive - Village School", "Google Drive", "iCloud Drive",
     "Mobile Documents", "pCloud Drive", "MEGA", "Nextcloud", "ownCloud", "Box", "dropbox"],
)  # fmt: skip
def test_cloud_sync_folders_are_found_by_name(folder: str) -> None:
    path = Path("/home/me") / folder / "fund" / "kongtun.sqlite3"
    assert dbcheck.cloud_sync_folder(path, look_for_markers=False) == f"/home/me/{folder}"


def test_a_plain_folder_is_no_cloud_folder(tmp_path: Path) -> None:
    assert dbcheck.cloud_sync_folder(tmp_path / "Boxes" / "k.sqlite3") is None


@pytest.mark.parametrize(
    "path", ["/srv/box/kongtun.sqlite3", "/opt/mega/var/k.sqlite3", "/home/me/box sync/k.sqlite3"]
)
def test_ordinary_words_are_cloud_folders_only_in_the_vendors_spelling(path: str) -> None:
    assert dbcheck.cloud_sync_folder(Path(path), look_for_markers=False) is None


@pytest.mark.parametrize("folder", ["Box Sync", "MEGAsync", "MEGA"])
def test_the_vendors_spelling_is_a_cloud_folder(folder: str) -> None:
    path = Path("/home/me") / folder / "k.sqlite3"
    assert dbcheck.cloud_sync_folder(path, look_for_markers=False) == f"/home/me/{folder}"


def test_macos_cloud_storage_folders_are_found() -> None:
    path = Path("/Users/me/Library/CloudStorage/GoogleDrive-me@example.org/fund/k.sqlite3")
    assert (
        dbcheck.cloud_sync_folder(path, look_for_markers=False)
        == "/Users/me/Library/CloudStorage/GoogleDrive-me@example.org"
    )


def test_dropboxs_settings_folder_in_home_is_no_marker(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".dropbox").mkdir(parents=True)  # Dropbox's own settings, not a synced folder
    (home / "kongtun").mkdir()
    assert dbcheck.cloud_sync_folder(home / "kongtun" / "k.sqlite3") is None


@pytest.mark.parametrize("marker", [".stfolder", ".dropbox", ".sync_0a1b2c.db"])
def test_cloud_sync_folders_are_found_by_their_marker(tmp_path: Path, marker: str) -> None:
    synced = tmp_path / "Sync"
    (synced / "fund").mkdir(parents=True)
    (synced / marker).touch()
    assert dbcheck.cloud_sync_folder(synced / "fund" / "k.sqlite3") == str(synced)


def test_a_hard_linked_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "k.sqlite3"
    db.write_bytes(b"")
    assert dbcheck.location_problem(str(db), "") is None
    os.link(db, tmp_path / "copy.sqlite3")
    assert "hard links" in (dbcheck.location_problem(str(db), "") or "")


def test_the_problem_says_what_to_do(tmp_path: Path) -> None:
    problem = dbcheck.location_problem("/srv/fund/kongtun.sqlite3", MOUNTS) or ""
    assert "network file system (nfs4)" in problem and "KONGTUN_VAR_DIR" in problem


def test_the_app_refuses_to_open_a_database_in_a_dropbox_folder(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    folder = tmp_path / "Dropbox" / "kongtun"
    folder.mkdir(parents=True)
    # Kongtun's own settings for an SQLite file there, whatever database this run is on.
    module = _settings_module(
        tmp_path, DEBUG="true", DATABASE_URL=f"sqlite:///{folder / 'kongtun.sqlite3'}"
    )
    wrapper = ConnectionHandler({"default": module["DATABASES"]["default"]})["default"]
    with (
        django_db_blocker.unblock(),
        pytest.raises(ImproperlyConfigured, match=re.escape(f"inside {tmp_path / 'Dropbox'}")),
    ):
        try:
            wrapper.ensure_connection()
        finally:
            if wrapper.connection is not None:
                wrapper.connection.close()
