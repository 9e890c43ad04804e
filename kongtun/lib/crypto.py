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


def encrypt(plaintext: str) -> str:
    """Return AES-256-GCM ciphertext as text: 'v1:' + base64(nonce || ciphertext)."""
    nonce = os.urandom(12)
    cipher = AESGCM(_key(settings.FIELD_ENCRYPTION_KEY, b"kongtun-field-encryption"))
    data = cipher.encrypt(nonce, plaintext.encode(), _VERSION.encode())
    return f"{_VERSION}:" + base64.b64encode(nonce + data).decode()


def decrypt(token: str) -> str:
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(body)
    cipher = AESGCM(_key(settings.FIELD_ENCRYPTION_KEY, b"kongtun-field-encryption"))
    return cipher.decrypt(raw[:12], raw[12:], _VERSION.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    """A keyed hash: equal values match, but the table alone does not reveal the value."""
    key = _key(settings.BLIND_INDEX_KEY, b"kongtun-blind-index")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
