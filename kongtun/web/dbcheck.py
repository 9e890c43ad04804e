"""Refuse to run on an SQLite database that could lose or corrupt a fund's books."""

from __future__ import annotations

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


@receiver(connection_created)
def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    check_sqlite_connection(connection)
