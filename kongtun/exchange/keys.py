"""Ed25519 keys as people handle them: a one-line public key to paste, a fingerprint to read out.

The fund's chair sends the public key text to the province (LINE, e-mail, a USB stick) and reads
the fingerprint over the phone; the officer registers the key only when the fingerprint the
server shows for the pasted text is the one the chair read. The fingerprint is digits only, in
groups of five, because digits are what Thai speakers read out most reliably.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.utils.translation import gettext as _

KEY_TEXT_PREFIX = "kongtun-ed25519"
FINGERPRINT_GROUPS = 6  # 30 decimal digits: about 99 bits, beyond any second-preimage search
_GROUP = 5


class InvalidKeyText(ValueError):
    """The pasted text is not a fund's public key; `reason` says why, for the officer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def private_key_from(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def fingerprint(public: bytes) -> str:
    """30 digits in groups of five, from the SHA-256 of the raw public key."""
    digest = hashlib.sha256(b"kongtun-key-fingerprint\n" + public).digest()
    number = int.from_bytes(digest[:16], "big") % 10 ** (_GROUP * FINGERPRINT_GROUPS)
    digits = f"{number:0{_GROUP * FINGERPRINT_GROUPS}d}"
    return " ".join(digits[i : i + _GROUP] for i in range(0, len(digits), _GROUP))


def key_text(*, fund_code: str, public: bytes) -> str:
    """The line the chair sends: it names the fund, so a key pasted under another fund is caught."""
    return f"{KEY_TEXT_PREFIX} {fund_code} {base64.b64encode(public).decode()}"


def parse_key_text(text: str) -> tuple[str, bytes]:
    """(fund code, raw public key) from a pasted key line; InvalidKeyText otherwise.

    Chat apps wrap long lines and add spaces, so all whitespace after the fund code is dropped.
    """
    parts = text.strip().split(None, 2)
    if len(parts) != 3 or parts[0] != KEY_TEXT_PREFIX:
        raise InvalidKeyText(
            _("This is not a fund's key. Paste the whole line that starts with “%(prefix)s”.")
            % {"prefix": KEY_TEXT_PREFIX}
        )
    code, body = parts[1], re.sub(r"\s+", "", parts[2])
    try:
        public = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidKeyText(_("The key is damaged: part of it may be missing.")) from exc
    if len(public) != 32:
        raise InvalidKeyText(_("The key is damaged: part of it may be missing."))
    return code, public


def sign(private: Ed25519PrivateKey, data: bytes) -> bytes:
    return private.sign(data)


def verify(public: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
