"""Keep an uploaded register between "check" and "import": encrypted, per user, short-lived.

The file holds national IDs in clear, so it is never written to disk as uploaded, only the
person who checked it can import it, and leftovers are deleted after a day.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from kongtun.funds.models import Fund
from kongtun.lib import crypto

MAX_AGE_SECONDS = 24 * 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _folder(fund: Fund, user: Any) -> Path:
    path = Path(settings.VAR_DIR) / "imports" / str(fund.pk) / str(user.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_old() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in (Path(settings.VAR_DIR) / "imports").glob("*/*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stash_put(*, fund: Fund, user: Any, sha256: str, filename: str, data: bytes) -> None:
    _purge_old()
    header = json.dumps({"filename": filename}).encode()
    blob = crypto.encrypt_bytes(len(header).to_bytes(4, "big") + header + data)
    (_folder(fund, user) / sha256).write_bytes(blob)


def stash_get(*, fund: Fund, user: Any, sha256: str) -> tuple[str, bytes] | None:
    """The filename and bytes this user stashed under that hash, or None."""
    if not _SHA256.fullmatch(sha256):
        return None
    path = _folder(fund, user) / sha256
    if not path.is_file():
        return None
    plain = crypto.decrypt_bytes(path.read_bytes())
    size = int.from_bytes(plain[:4], "big")
    filename = json.loads(plain[4 : 4 + size])["filename"]
    return filename, plain[4 + size :]


def stash_drop(*, fund: Fund, user: Any, sha256: str) -> None:
    if _SHA256.fullmatch(sha256):
        (_folder(fund, user) / sha256).unlink(missing_ok=True)
