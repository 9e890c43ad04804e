"""Refuse to run on an SQLite database that could lose or corrupt a fund's books.

Besides the durability pragmas, the database file must sit on a local disk, outside any
folder a cloud-sync client copies, and have a single name (RELIABILITY D2, SQLite's "How To
Corrupt"): network file systems break SQLite's locks, a sync client copies the file and its
-wal apart mid-transaction, and a hard link lets a second name open it without its -wal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from django.dispatch import receiver

REQUIRED = {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"}


def check_sqlite_connection(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    # The raw DB-API connection: no Django wrapping, so no recursion into this signal.
    found = {}
    for pragma in REQUIRED:
        row = connection.connection.execute(f"PRAGMA {pragma}").fetchone()
        found[pragma] = str(row[0]).lower()
    wrong = {k: v for k, v in found.items() if v != REQUIRED[k]}
    if wrong:
        raise ImproperlyConfigured(
            "Kongtun refuses this SQLite database: it needs journal_mode=WAL, synchronous=FULL "
            f"and foreign_keys=ON, but found {wrong}. Is it on a network drive or in memory?"
        )
    if connection.transaction_mode != "IMMEDIATE":
        raise ImproperlyConfigured("Kongtun needs SQLite transactions in IMMEDIATE mode.")
    name = str(connection.settings_dict.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        check_database_location(name)


NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "ceph", "glusterfs",
        "lustre", "gfs2", "ocfs2", "davfs", "coda", "drvfs", "vboxsf", "vmhgfs", "prl_fs",
    }
)  # fmt: skip
# FUSE file systems that keep files on this machine; any other fuse.* (sshfs, rclone, s3fs,
# gcsfuse, davfs2, vmhgfs-fuse…) is treated as remote.
LOCAL_FUSE = frozenset({"gocryptfs", "encfs", "ntfs-3g", "lxcfs", "bindfs", "fuse-overlayfs"})
# Folder names cloud-sync clients create, distinctive enough to compare without case.
CLOUD_FOLDERS = frozenset(
    {
        "dropbox", "onedrive", "google drive", "googledrive", "my drive", "icloud drive",
        "iclouddrive", "mobile documents", "pcloud drive", "pclouddrive", "nextcloud",
        "owncloud", "seafile", "yandex.disk",
    }
)  # fmt: skip
# Names that are also ordinary words (/srv/box, /opt/mega): only in the vendor's own spelling.
CLOUD_FOLDERS_EXACT = frozenset({"Box", "Box Sync", "MEGA", "MEGAsync", "MEGA Downloads"})
CLOUD_PREFIXES = ("onedrive - ", "dropbox (", "nextcloud-")
# Files a sync client leaves in the folder it syncs (Syncthing, Dropbox, Nextcloud/ownCloud).
# Dropbox's `.dropbox` counts only as a file: `~/.dropbox` is the folder of its settings.
CLOUD_MARKERS = (".stfolder", ".dropbox.cache", ".nextcloudsync.log", ".owncloudsync.log",
                 ".sync")  # fmt: skip
CLOUD_MARKER_FILES = (".dropbox",)
CLOUD_MARKER_GLOBS = (".sync_*.db", "._sync_*.db")
_checked: set[str] = set()


def _unescape_mount(field: str) -> str:
    """/proc/self/mounts writes a space in a path as \\040 (octal escapes)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_filesystem(path: str, mounts: str) -> str | None:
    """The file system type of `path` if it is a network (or remote FUSE) one, from the text
    of /proc/self/mounts; None for a local disk. `path` should be resolved already."""
    best, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, fstype = _unescape_mount(fields[1]), fields[2]
        inside = point == "/" or path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    if best_type in NETWORK_FILESYSTEMS:
        return best_type
    if best_type.startswith("fuse.") and best_type.removeprefix("fuse.") not in LOCAL_FUSE:
        return best_type
    return None


def cloud_sync_folder(path: Path, *, look_for_markers: bool = True) -> str | None:
    """The folder of `path` that a cloud-sync client owns, by its name or by the marker file
    the client leaves in it; None when there is none."""
    for folder in path.parents:
        lowered = folder.name.lower()
        if (
            lowered in CLOUD_FOLDERS
            or folder.name in CLOUD_FOLDERS_EXACT
            or lowered.startswith(CLOUD_PREFIXES)
        ):
            return str(folder)
        # macOS File Provider: every client (iCloud, Dropbox, OneDrive, Google Drive, Box)
        # syncs from ~/Library/CloudStorage/<Client-Account>.
        if folder.parent.name == "CloudStorage" and folder.parent.parent.name == "Library":
            return str(folder)
        if look_for_markers and folder != Path(folder.anchor):
            if any((folder / marker).exists() for marker in CLOUD_MARKERS):
                return str(folder)
            if any((folder / marker).is_file() for marker in CLOUD_MARKER_FILES):
                return str(folder)
            if any(any(folder.glob(pattern)) for pattern in CLOUD_MARKER_GLOBS):
                return str(folder)
    return None


def location_problem(path: str, mounts: str) -> str | None:
    """Why the database file at `path` must not be used, or None. Pure but for the stat of
    the file and the look for sync markers in its folders."""
    resolved = Path(os.path.realpath(path))
    fstype = network_filesystem(str(resolved), mounts)
    if fstype:
        return (
            f"the database {resolved} is on a network file system ({fstype}). SQLite's locks "
            "do not work there and the books can be corrupted. Move the database to this "
            "computer's own disk (set KONGTUN_VAR_DIR or DATABASE_URL) and use `manage.py "
            "backup` for copies elsewhere."
        )
    cloud = cloud_sync_folder(resolved)
    if cloud:
        return (
            f"the database {resolved} is inside {cloud}, a folder a cloud-sync program copies. "
            "It copies the database and its -wal file apart, in the middle of a save, and the "
            "books can be corrupted. Move the database to a folder that is not synced (set "
            "KONGTUN_VAR_DIR or DATABASE_URL) and use `manage.py backup` to keep copies."
        )
    try:
        links = resolved.stat().st_nlink
    except FileNotFoundError:
        links = 1
    if links > 1:
        return (
            f"the database {resolved} has {links} names (hard links). SQLite can open it under "
            "another name without its -wal file and lose saved work. Remove the other links "
            "(or copy the database with `manage.py backup` and restore it)."
        )
    return None


def _mounts() -> str:
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # not Linux: the name and link checks still run


def check_database_location(path: str) -> None:
    """Refuse a database file in a dangerous place; checked once per path per process."""
    if path in _checked:
        return
    problem = location_problem(path, _mounts())
    if problem:
        raise ImproperlyConfigured(f"Kongtun refuses this SQLite database: {problem}")
    _checked.add(path)


@receiver(connection_created)
def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    check_sqlite_connection(connection)
