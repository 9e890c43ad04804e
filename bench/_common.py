"""What every benchmark script needs: Kongtun on a throwaway SQLite file, and valid IDs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(tmp: Path) -> None:
    """Point Kongtun at a fresh SQLite file of its own and load Django."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kongtun.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'kongtun.sqlite3'}",
            "KONGTUN_VAR_DIR": str(tmp / "var"),
            "KONGTUN_ENV_FILE": "/dev/null",
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuv",
            "FIELD_ENCRYPTION_KEY": "bench-only-field-key",
            "BLIND_INDEX_KEY": "bench-only-index-key",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def national_id(seed: int) -> str:
    """A synthetic ID with a valid check digit, starting with 5 so it reads as test data."""
    body = f"5{seed:011d}"[:12]
    total = sum(int(d) * (13 - i) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)
