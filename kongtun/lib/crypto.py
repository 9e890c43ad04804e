"""Encryption at rest for national IDs, and the keyed blind index used to look them up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


def _key(secret: str, purpose: bytes) -> bytes:
    # Settings hold a passphrase-like string; derive a separate 256-bit key per purpose so the
    # encryption key and the index key can never be the same bytes even if set alike.
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def _cipher() -> AESGCM:
    return AESGCM(_key(settings.FIELD_ENCRYPTION_KEY, b"kongtun-field-encryption"))


def encrypt_bytes(data: bytes) -> bytes:
    """AES-256-GCM: nonce || ciphertext (the tag is part of the ciphertext)."""
    nonce = os.urandom(12)
    return nonce + _cipher().encrypt(nonce, data, _VERSION.encode())


def decrypt_bytes(blob: bytes) -> bytes:
    return _cipher().decrypt(blob[:12], blob[12:], _VERSION.encode())


def encrypt(plaintext: str) -> str:
    """Return ciphertext as text: 'v1:' + base64(nonce || ciphertext)."""
    return f"{_VERSION}:" + base64.b64encode(encrypt_bytes(plaintext.encode())).decode()


def decrypt(token: str) -> str:
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    return decrypt_bytes(base64.b64decode(body)).decode()


def blind_index(kind: str, value: str) -> str:
    """A keyed hash: equal values match, but the table alone does not reveal the value."""
    key = _key(settings.BLIND_INDEX_KEY, b"kongtun-blind-index")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
