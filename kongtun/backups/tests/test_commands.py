"""`manage.py backup` and `restore` in this process, on the test database: the file that is
written, and every file a restore must refuse before it touches anything.

Only refusals run here (they stop before the swap, so the test database is safe); restores
that replace a database run against databases of their own in test_restore.py.
"""

from __future__ import annotations

import fcntl
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditHead
from kongtun.backups import fileformat, services
from kongtun.backups.models import BackupRecord
from kongtun.members.models import Member

PASSPHRASE = "ข้าวเหนียว mango sticky 2567"


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture
def backup(db: Any, usb: Path, passphrase_file: Path) -> Path:
    call_command("backup", "--to", str(usb), "--passphrase-file", str(passphrase_file))
    [made] = usb.iterdir()
    return made


def _state() -> tuple[Any, ...]:
    with scopes_disabled():
        return (
            list(Member.objects.values_list("pk", "first_name")),
            list(AuditHead.objects.values_list("chain", "seq", "hash")),
        )


def test_a_backup_is_one_encrypted_file_named_by_install_and_time_and_recorded(
    backup: Path, usb: Path
) -> None:
    assert re.fullmatch(r"kongtun-\d{8}-\d{6}\.ktbackup", backup.name)
    record = BackupRecord.objects.get()
    assert record.ok and record.filename == backup.name and record.folder == str(usb)
    assert record.size == backup.stat().st_size
    assert record.sha256 == fileformat.sha256_of(backup)
    header = fileformat.read_header(backup)[0]
    assert header["vendor"] == services.vendor()
    assert header["schema"]["backups"] == "0002_install_request_daily_message"
    assert header["keys"] == services.key_fingerprints()
    raw = backup.read_bytes()
    assert b"SQLite format" not in raw and b"PGDMP" not in raw  # never the plain database


def test_the_restore_refuses_a_wrong_passphrase_and_bad_files_touching_nothing(
    member: Member, backup: Path, tmp_path: Path
) -> None:
    data = backup.read_bytes()
    start = fileformat.read_header(backup)[2]

    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    wrong = write("wrong.txt", b"this is not the passphrase")
    right = write("right.txt", PASSPHRASE.encode())
    flipped = bytes([data[start + 40] ^ 1])
    cases = [
        (backup, wrong, "Wrong passphrase"),
        (write("cut.ktbackup", data[:-100]), right, "incomplete"),
        (write("cut-header.ktbackup", data[: start - 10]), right, "incomplete"),
        (
            write("body.ktbackup", data[: start + 40] + flipped + data[start + 41 :]),
            right,
            "damaged or was changed",
        ),
        (
            write("head.ktbackup", data.replace(b'"created_at": "2', b'"created_at": "1', 1)),
            right,
            "damaged or was changed",
        ),
        (write("tail.ktbackup", data + b"x"), right, "data after its end"),
        (write("other.ktbackup", b"PK\x03\x04 a zip file"), right, "not a Kongtun backup"),
    ]
    before = _state()
    for path, passphrase, message in cases:
        with pytest.raises(CommandError, match=message) as caught:
            call_command("restore", str(path), "--passphrase-file", str(passphrase), "--yes")
        assert "Nothing was changed" in str(caught.value)
        assert _state() == before, path.name


def test_a_restore_needs_the_same_data_keys(backup: Path, settings: Any, tmp_path: Path) -> None:
    settings.FIELD_ENCRYPTION_KEY = "another-install-key"
    right = tmp_path / "right.txt"
    right.write_text(PASSPHRASE)
    with pytest.raises(CommandError, match="other data keys"):
        call_command("restore", str(backup), "--passphrase-file", str(right), "--yes")


def test_a_backup_to_a_missing_folder_fails_and_is_recorded(
    db: Any, tmp_path: Path, passphrase_file: Path
) -> None:
    gone = tmp_path / "unplugged"
    with pytest.raises(CommandError, match="USB stick"):
        call_command("backup", "--to", str(gone), "--passphrase-file", str(passphrase_file))
    record = BackupRecord.objects.get()
    assert not record.ok and "is not there" in record.message


def test_a_short_passphrase_is_refused(db: Any, usb: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("1234")
    with pytest.raises(CommandError, match="at least 10 characters"):
        call_command("backup", "--to", str(usb), "--passphrase-file", str(short))
    assert list(usb.iterdir()) == []


def test_no_passphrase_no_backup(db: Any, usb: Path, settings: Any) -> None:
    settings.BACKUP_PASSPHRASE = ""
    with pytest.raises(CommandError, match="BACKUP_PASSPHRASE"):
        call_command("backup", "--to", str(usb))


def test_while_a_backup_runs_another_one_is_refused(
    db: Any, usb: Path, passphrase_file: Path, settings: Any
) -> None:
    # A second open of the lock file, as another process (a server worker, the systemd
    # timer) would hold it: flock locks exclude each other across open files.
    lock = Path(settings.VAR_DIR) / "backup.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="Another backup"):
            call_command("backup", "--to", str(usb), "--passphrase-file", str(passphrase_file))
    assert list(usb.iterdir()) == []


def _with_header(path: Path, out: Path, **changes: Any) -> Path:
    header, _bytes, start = fileformat.read_header(path)
    raw = json.dumps({**header, **changes}).encode()
    out.write_bytes(
        fileformat.MAGIC + struct.pack(">I", len(raw)) + raw + path.read_bytes()[start:]
    )
    return out


def test_new_backups_use_the_stronger_key_cost(backup: Path) -> None:
    assert fileformat.read_header(backup)[0]["kdf"]["n"] == 2**17


@pytest.mark.parametrize("kdf", [{"n": 2**21}, {"n": 3 * 2**10}, {"r": 17}, {"p": 5}, {"r": 0}])
def test_a_header_asking_for_too_costly_a_key_is_refused_before_deriving(
    backup: Path, tmp_path: Path, kdf: dict[str, int]
) -> None:
    header = fileformat.read_header(backup)[0]
    costly = _with_header(backup, tmp_path / "costly.ktbackup", kdf={**header["kdf"], **kdf})
    with pytest.raises(fileformat.BackupFileError, match="unknown key parameters"):
        fileformat.decrypt_file(costly, PASSPHRASE, tmp_path / "out")


def test_a_typed_passphrase_is_asked_twice(
    db: Any, usb: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BACKUP_PASSPHRASE = ""
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    typed = iter([PASSPHRASE, PASSPHRASE + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    with pytest.raises(CommandError, match="differ"):
        call_command("backup", "--to", str(usb))
    assert list(usb.iterdir()) == []
    typed = iter([PASSPHRASE, PASSPHRASE])
    call_command("backup", "--to", str(usb))
    assert len(list(usb.glob("*.ktbackup"))) == 1


def test_a_backup_clears_what_a_crashed_one_left(
    db: Any, usb: Path, passphrase_file: Path, settings: Any
) -> None:
    crashed = Path(settings.VAR_DIR) / "backup-work" / "backup-abc123"
    crashed.mkdir(parents=True)
    (crashed / "snapshot").write_bytes(b"plaintext of an earlier snapshot")
    ours = usb / ".kongtun-20240101-000000.ktbackup.partial"
    ours.write_bytes(b"half")
    theirs = usb / ".notes.txt.partial"
    theirs.write_bytes(b"someone else's")
    call_command("backup", "--to", str(usb), "--passphrase-file", str(passphrase_file))
    assert not crashed.exists() and not ours.exists()
    assert theirs.exists()


def _fake_backup(folder: Path, name: str, **header: Any) -> Path:
    raw = json.dumps({"format": 2, **header}).encode()
    path = folder / name
    path.write_bytes(fileformat.MAGIC + struct.pack(">I", len(raw)) + raw)
    return path


def test_pruning_goes_by_the_time_in_the_header_and_only_this_installs_files(
    db: Any, usb: Path
) -> None:
    mine = services.install_id()
    oldest = _fake_backup(
        usb,
        "kongtun-20240101-000000.ktbackup",
        install=mine,
        created_at="2024-01-01T00:00:00+00:00",
    )
    # Made in the same second: its name sorts before the first one's, its time after.
    second = _fake_backup(
        usb,
        "kongtun-20240101-000000-1.ktbackup",
        install=mine,
        created_at="2024-01-01T00:00:30+00:00",
    )
    newest = _fake_backup(
        usb,
        "kongtun-20240102-000000.ktbackup",
        install=mine,
        created_at="2024-01-02T00:00:00+00:00",
    )
    other = _fake_backup(
        usb, "kongtun-20230101-000000.ktbackup", install="another", created_at="2023-01-01T00:00"
    )
    unnamed = _fake_backup(usb, "kongtun-20230102-000000.ktbackup", created_at="2023-01-02T00:00")
    assert services.prune(usb, keep=2) == [oldest.name]
    assert {p.name for p in usb.iterdir()} == {second.name, newest.name, other.name, unnamed.name}
