"""The encrypted backup file: a small readable header, then the plaintext in sealed chunks.

    MAGIC (8 bytes) | header length (4 bytes, big-endian) | header (UTF-8 JSON) | chunks

The key comes from the passphrase through scrypt (salt and cost in the header). Each chunk of
the plaintext is sealed with AES-256-GCM under a nonce made of a random per-file prefix, the
chunk's number and a last-chunk flag, with the whole header as associated data: changing the
header, reordering, dropping or cutting chunks all fail authentication (the STREAM
construction). The header also carries a check value of the key, so a wrong passphrase is
told apart from a damaged file, and the SHA-256 of the plaintext, checked after decryption.

The plaintext of format 2 is a tar of `database` (the snapshot) and `files/<folder>/...` (the
claim documents, voucher attachments and packages the rows point to); format 1 held the
database alone and is still read.

The header holds nothing personal: format and cipher parameters, the database vendor, the app
schema, the audit and ledger heads at the snapshot, and key fingerprints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"KTBACKUP"
VERSION = 2
CHUNK = 1024 * 1024
TAG = 16
# About 0.85 s and 128 MB on a two-core server (measured 2026-11): once per backup or restore.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# What a header may ask for: anything more is a damaged or hostile file that would make us
# spend gigabytes of memory or minutes deriving a key.
MAX_SCRYPT_N = 2**20
MAX_SCRYPT_R = 16
MAX_SCRYPT_P = 4
MAX_HEADER = 64 * 1024
MIN_PASSPHRASE = 10


class BackupFileError(Exception):
    """The file cannot be opened: `str()` says why, in words for the person restoring."""


class WrongPassphrase(BackupFileError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """The encryption key and a separate key for the check value."""
    raw = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return raw[:32], raw[32:]


def _check_value(check_key: bytes) -> str:
    return hmac.new(check_key, b"kongtun-backup-passphrase-check", hashlib.sha256).hexdigest()


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupFileError(
            f"The backup passphrase must be at least {MIN_PASSPHRASE} characters long."
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def encrypt_file(plain: Path, out: BinaryIO, *, passphrase: str, meta: dict[str, Any]) -> None:
    """Write `plain` encrypted to `out`; `meta` goes into the (authenticated) header."""
    check_passphrase_strength(passphrase)
    salt = os.urandom(16)
    prefix = os.urandom(7)
    key, check_key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    size = plain.stat().st_size
    header = {
        **meta,
        "format": VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": {"name": "AES-256-GCM", "chunk": CHUNK, "nonce_prefix": _b64(prefix)},
        "check": _check_value(check_key),
        "plaintext": {"size": size, "sha256": sha256_of(plain)},
    }
    header_bytes = json.dumps(header, sort_keys=True, ensure_ascii=True).encode("ascii")
    out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
    aead = AESGCM(key)
    chunks = max(1, -(-size // CHUNK))
    with plain.open("rb") as fh:
        for index in range(chunks):
            block = fh.read(CHUNK)
            last = index == chunks - 1
            out.write(aead.encrypt(_nonce(prefix, index, last), block, header_bytes))


def _read_exact(fh: BinaryIO, n: int, what: str) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise BackupFileError(f"The backup file is incomplete (it ends inside the {what}).")
    return data


def read_header(path: Path) -> tuple[dict[str, Any], bytes, int]:
    """The header, its exact bytes and where the chunks start; refuses what is not ours."""
    with path.open("rb") as fh:
        magic = fh.read(len(MAGIC))
        if magic != MAGIC:
            raise BackupFileError("This is not a Kongtun backup file.")
        (length,) = struct.unpack(">I", _read_exact(fh, 4, "header"))
        if length > MAX_HEADER:
            raise BackupFileError("The backup file is damaged (its header is too long).")
        header_bytes = _read_exact(fh, length, "header")
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise BackupFileError("The backup file is damaged (its header is unreadable).") from exc
    if not isinstance(header, dict) or not isinstance(header.get("format"), int):
        raise BackupFileError("The backup file is damaged (its header is unreadable).")
    if header["format"] > VERSION:
        raise BackupFileError(
            "This backup was made by a newer Kongtun; update Kongtun before restoring it."
        )
    return header, header_bytes, len(MAGIC) + 4 + length


def _key_for(header: dict[str, Any], passphrase: str) -> bytes:
    try:
        kdf = header["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt = _unb64(kdf["salt"])
        expected = str(header["check"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupFileError("The backup file is damaged (its header is incomplete).") from exc
    if (
        kdf.get("name") != "scrypt"
        or not (2 <= n <= MAX_SCRYPT_N)
        or n & (n - 1)
        or not (1 <= r <= MAX_SCRYPT_R)
        or not (1 <= p <= MAX_SCRYPT_P)
    ):
        raise BackupFileError("The backup file is damaged (unknown key parameters).")
    key, check_key = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(_check_value(check_key), expected):
        raise WrongPassphrase("Wrong passphrase: this backup was made with another passphrase.")
    return key


def decrypt_chunks(path: Path, passphrase: str) -> Iterator[bytes]:
    """The plaintext, chunk by chunk, each authenticated before it is given out."""
    header, header_bytes, start = read_header(path)
    key = _key_for(header, passphrase)
    try:
        prefix = _unb64(header["cipher"]["nonce_prefix"])
        chunk = int(header["cipher"]["chunk"])
        size = int(header["plaintext"]["size"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupFileError("The backup file is damaged (its header is incomplete).") from exc
    if len(prefix) != 7 or not (1 <= chunk <= 64 * CHUNK) or size < 0:
        raise BackupFileError("The backup file is damaged (unknown cipher parameters).")
    aead = AESGCM(key)
    chunks = max(1, -(-size // chunk))
    with path.open("rb") as fh:
        fh.seek(start)
        for index in range(chunks):
            last = index == chunks - 1
            want = (size - index * chunk if last else chunk) + TAG
            sealed = _read_exact(fh, want, "data")
            try:
                yield aead.decrypt(_nonce(prefix, index, last), sealed, header_bytes)
            except InvalidTag as exc:
                raise BackupFileError(
                    "The backup file is damaged or was changed after it was made."
                ) from exc
        if fh.read(1):
            raise BackupFileError("The backup file is damaged (data after its end).")


def decrypt_file(path: Path, passphrase: str, out: Path) -> dict[str, Any]:
    """Decrypt `path` into `out` and check the plaintext's SHA-256; return the header."""
    header, _bytes, _start = read_header(path)
    digest = hashlib.sha256()
    with out.open("wb") as fh:
        for block in decrypt_chunks(path, passphrase):
            digest.update(block)
            fh.write(block)
        fh.flush()
        os.fsync(fh.fileno())
    if digest.hexdigest() != header["plaintext"]["sha256"]:
        raise BackupFileError("The backup file is damaged (its contents do not match).")
    return header
