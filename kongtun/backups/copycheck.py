"""Check a restored copy before it replaces anything: `python -m kongtun.backups.copycheck OUT`.

`manage.py restore` runs this in its own process with DATABASE_URL pointing at the copy (a
decrypted SQLite file, or a new PostgreSQL database the dump was loaded into), so every
check below reads the copy through the same models and code as the live app, and the live
database is never opened. Given the folder of the backup's files (OUT FILES), it also checks
that every claim document, voucher attachment and package a row names is there with the
SHA-256 the row keeps. It writes {"problems": [...], "migrated": [...], "counts": {...}}
to OUT.

Schema: a copy made by an older Kongtun (migrations the code has and the copy lacks) is
migrated here, on the copy, and then checked, so the swap puts in a database that already
matches the code. A copy made by a newer Kongtun (migrations this code does not know) is
refused: old code cannot be trusted with a newer schema.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _file_problems(files: Path) -> tuple[list[str], list[str]]:
    """(problems, missing): a file whose bytes differ from its row's hash is a problem (the
    copy was damaged or tampered with); a file the backup lacks is only said, because it was
    already gone when the backup was made (deleted on the computer, or by an erasure or the
    retention job between the snapshot and the packing) and refusing would make every later
    backup unrestorable too."""
    import hashlib

    from django_scopes import scopes_disabled

    from kongtun.exchange.models import ImportedPackage
    from kongtun.ledger.models import Attachment
    from kongtun.welfare.models import Document

    problems: list[str] = []
    missing: list[str] = []
    with scopes_disabled():
        for folder, model, what in (
            ("claim-documents", Document, "claim document"),
            ("attachments", Attachment, "voucher attachment"),
            ("packages", ImportedPackage, "package"),
        ):
            rows = model.objects.values_list("pk", "stored_name", "sha256")
            for pk, stored, sha256 in rows.iterator():
                path = files / folder / stored
                if not path.is_file():
                    missing.append(f"files: the {what} of row {pk} is missing from the backup")
                    continue
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                if digest.hexdigest() != sha256:
                    problems.append(f"files: the {what} of row {pk} was changed")
    return problems[:50], missing[:50]


def check(files: Path | None = None) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_scopes import scopes_disabled

    problems: list[str] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            found = [str(row[0]) for row in cursor.fetchall()]
            if found != ["ok"]:
                problems.extend(f"integrity_check: {line}" for line in found[:20])
            cursor.execute("PRAGMA foreign_key_check")
            for table, rowid, parent, _fk in cursor.fetchall()[:20]:
                problems.append(f"foreign_key_check: {table} row {rowid} points to no {parent}")
        if problems:
            return {"problems": problems, "migrated": [], "counts": {}}

    executor = MigrationExecutor(connection)
    loader = executor.loader
    known = set(loader.disk_migrations)
    newer = sorted(
        f"{app}.{name}"
        for app, name in loader.applied_migrations
        if app in loader.migrated_apps and (app, name) not in known
    )
    if newer:
        problems.append(
            "made by a newer Kongtun (unknown migrations: "
            + ", ".join(newer[:10])
            + "); update Kongtun, then restore"
        )
        return {"problems": problems, "migrated": [], "counts": {}}
    plan = executor.migration_plan(loader.graph.leaf_nodes())
    migrated = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    if migrated:
        call_command("migrate", verbosity=0, interactive=False)

    from kongtun.audit.models import AuditEntry
    from kongtun.audit.verify import verify_audit
    from kongtun.funds.models import Fund
    from kongtun.ledger.models import JournalEntry, JournalLine
    from kongtun.ledger.verify import verify_ledger
    from kongtun.members.models import Member

    problems.extend(f"books: {p}" for p in verify_ledger())
    problems.extend(f"audit trail: {p}" for p in verify_audit())
    missing: list[str] = []
    if files is not None:
        damaged, missing = _file_problems(files)
        problems.extend(damaged)
    with scopes_disabled():
        counts = {
            "funds": Fund.objects.count(),
            "members": Member.objects.count(),
            "journal_entries": JournalEntry.objects.count(),
            "journal_lines": JournalLine.objects.count(),
            "audit_entries": AuditEntry.objects.count(),
        }
    return {"problems": problems, "migrated": migrated, "counts": counts, "missing": missing}


def main(out: str, files: str = "") -> None:
    import django

    django.setup()
    try:
        result = check(Path(files) if files else None)
    except Exception as exc:  # any failure is a reason to refuse the copy
        result = {"problems": [f"the check stopped: {type(exc).__name__}: {exc}"], "counts": {}}
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
