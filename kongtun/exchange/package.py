"""The package file: a zip whose signed manifest names the SHA-256 of every other file in it.

Writing streams each file into the zip while hashing it, so a fund's full data never has to
fit in memory. Reading trusts nothing before the signature and the hashes are checked: entry
names, counts and sizes are judged from the zip's directory first, and every read is capped
by the size the directory declares (zipfile never returns more), so a zip bomb stops at the
caps below.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils.translation import gettext as _

from kongtun.exchange import keys

FORMAT = "kongtun-package"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature"
INDICATORS = "indicators.json"
MONTHLY = "monthly.json"
FULL = "full.json"
REQUIRED_FILES = (INDICATORS, MONTHLY)
SUFFIX = ".kongtun.zip"

MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 32
MAX_TOTAL_UNCOMPRESSED = 4 * 1024 * 1024 * 1024
# Files read into memory and parsed; anything larger is not what Kongtun writes.
MAX_PARSED = {MANIFEST: 1024 * 1024, SIGNATURE: 1024, INDICATORS: 16 * 1024 * 1024}
MAX_MONTHLY = 64 * 1024 * 1024

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,3}")
_CHUNK = 1024 * 1024


def package_filename(fund_code: str, as_of: dt.date, sequence: int) -> str:
    return f"kongtun-{fund_code}-{as_of.isoformat()}-{sequence}{SUFFIX}"


def dumps(value: Any) -> bytes:
    """JSON as every package file is written: sorted keys, Thai kept readable, dates as ISO."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, indent=1, default=_json_default
    ).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    # Money and every other non-JSON number go as text: a float would lose satang.
    return str(value)


# --- Writing ---------------------------------------------------------------------------------


class _Hashing:
    """A write-only stream that hashes what passes into the zip entry below it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.sha = target, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.target.write(data)


Writer = Callable[[Any], None]  # called with a binary stream that has write()


def write_package(
    out: IO[bytes],
    *,
    manifest: dict[str, Any],
    files: list[tuple[str, Writer]],
    private_key: Ed25519PrivateKey,
) -> dict[str, Any]:
    """Write the zip into `out`; return the manifest as signed (with its file hashes)."""
    hashes: dict[str, str] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, write in files:
            with zf.open(name, "w", force_zip64=True) as entry:
                stream = _Hashing(entry)
                write(stream)
            hashes[name] = stream.sha.hexdigest()
        signed = {**manifest, "format": FORMAT, "version": VERSION, "files": hashes}
        body = dumps(signed)
        zf.writestr(MANIFEST, body)
        zf.writestr(SIGNATURE, base64.b64encode(keys.sign(private_key, body)) + b"\n")
    return signed


# --- Reading ---------------------------------------------------------------------------------


class PackageRefused(Exception):
    """The package is not imported; `code` is for programs, `message` for the officer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Manifest:
    package_id: uuid.UUID
    fund_code: str
    fund_name: str
    tambon_code: str
    as_of: dt.date
    sequence: int
    created_at: dt.datetime
    includes_full_data: bool
    files: dict[str, str]
    key_fingerprint: str


@dataclass
class OpenedPackage:
    """A zip that passed the safety checks, with its manifest read but nothing verified yet."""

    zip: zipfile.ZipFile
    manifest: Manifest
    manifest_bytes: bytes
    signature: bytes

    def signed_by(self, public: bytes) -> bool:
        return keys.verify(public, self.signature, self.manifest_bytes)

    def verified_contents(self) -> dict[str, bytes]:
        """Check every file's hash against the manifest; return the files that are parsed.

        Call only after `signed_by`: the hashes are worth what the signature is worth.
        """
        kept: dict[str, bytes] = {}
        for name, expected in self.manifest.files.items():
            limit = MAX_MONTHLY if name == MONTHLY else MAX_PARSED.get(name)
            digest, data = _read(self.zip, name, keep=limit is not None, limit=limit)
            if digest != expected:
                raise PackageRefused(
                    "tampered",
                    _(
                        "The package was changed after the fund signed it (%(name)s does not "
                        "match). Ask the fund to export it again."
                    )
                    % {"name": name},
                )
            if data is not None:
                kept[name] = data
        return kept


def _unreadable(detail: str = "") -> PackageRefused:
    message = _("This is not a Kongtun data package, or the file is damaged.")
    return PackageRefused("unreadable", f"{message} {detail}".strip())


def _unsafe() -> PackageRefused:
    return PackageRefused(
        "unsafe",
        _("The package contains file names or sizes Kongtun never writes; it was not opened."),
    )


def _read(
    zf: zipfile.ZipFile, name: str, *, keep: bool, limit: int | None = None
) -> tuple[str, bytes | None]:
    """(sha256, bytes if kept) of one entry, read in chunks and never past `limit`."""
    info = zf.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise _unsafe()
    sha, parts, total = hashlib.sha256(), [], 0
    try:
        with zf.open(info) as entry:
            while chunk := entry.read(_CHUNK):
                total += len(chunk)
                if limit is not None and total > limit:
                    raise _unsafe()
                sha.update(chunk)
                if keep:
                    parts.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise _unreadable() from exc
    return sha.hexdigest(), b"".join(parts) if keep else None


def open_package(file: IO[bytes], size: int) -> OpenedPackage:
    """Open a package and read its manifest; PackageRefused if it is unsafe or unreadable."""
    if size > MAX_PACKAGE_BYTES:
        raise PackageRefused(
            "too_large",
            _("The file is larger than %(mb)d MB; a Kongtun package is never that large.")
            % {"mb": MAX_PACKAGE_BYTES // (1024 * 1024)},
        )
    try:
        zf = zipfile.ZipFile(file)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    _check_entries(infos)
    names = {info.filename for info in infos}
    if MANIFEST not in names or SIGNATURE not in names:
        raise _unreadable(_("It has no signed manifest."))
    manifest_bytes = _read(zf, MANIFEST, keep=True, limit=MAX_PARSED[MANIFEST])[1] or b""
    signature_text = _read(zf, SIGNATURE, keep=True, limit=MAX_PARSED[SIGNATURE])[1] or b""
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _unreadable(_("Its signature is damaged.")) from exc
    manifest = _parse_manifest(manifest_bytes)
    if set(manifest.files) | {MANIFEST, SIGNATURE} != names:
        # A file the manifest does not name is not covered by the signature: refuse it rather
        # than ignore it, so what is kept is exactly what the fund signed.
        raise _unreadable(_("Its files do not match its manifest."))
    return OpenedPackage(zf, manifest, manifest_bytes, signature)


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if not infos or len(infos) > MAX_ENTRIES:
        raise _unsafe()
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if (
            not _SAFE_NAME.fullmatch(name)
            or ".." in name.split("/")
            or name in seen
            or info.is_dir()
            or info.flag_bits & 0x1  # encrypted
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        ):
            raise _unsafe()
        seen.add(name)
        total += info.file_size
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _unsafe()


def _parse_manifest(data: bytes) -> Manifest:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _unreadable() from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _unreadable()
    if raw.get("version") != VERSION:
        raise PackageRefused(
            "version",
            _(
                "This package was made by a different version of Kongtun (format %(version)s). "
                "Please update Kongtun on the fund's computer or on this server."
            )
            % {"version": raw.get("version")},
        )
    try:
        fund = raw["fund"]
        files = raw["files"]
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v)
            for k, v in files.items()
        ):
            raise ValueError("files")
        if not set(REQUIRED_FILES) <= set(files) or {MANIFEST, SIGNATURE} & set(files):
            raise ValueError("files")
        sequence = raw["sequence"]
        if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 < sequence < 2**31:
            raise ValueError("sequence")
        created_at = dt.datetime.fromisoformat(raw["created_at"])
        if created_at.tzinfo is None:
            raise ValueError("created_at")
        full = raw["includes_full_data"]
        if not isinstance(full, bool) or full != (FULL in files):
            raise ValueError("includes_full_data")
        return Manifest(
            package_id=uuid.UUID(str(raw["package_id"])),
            fund_code=_text(fund["code"], 20),
            fund_name=_text(fund["name"], 200),
            tambon_code=_text(fund["tambon"], 6),
            as_of=dt.date.fromisoformat(raw["as_of"]),
            sequence=sequence,
            created_at=created_at,
            includes_full_data=full,
            files=files,
            key_fingerprint=_text(raw.get("key_fingerprint", ""), 40),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable() from exc


def _text(value: Any, max_length: int) -> str:
    if not isinstance(value, str) or len(value) > max_length:
        raise ValueError("text")
    return value
