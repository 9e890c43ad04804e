"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): SHA-1, 6 digits, 30 s.

What authenticator apps (Google Authenticator, Microsoft Authenticator) compute from the
secret they scanned. Pure functions of the secret and the time, so the RFCs' own test vectors
check them; where a code was last used is the caller's to remember (replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP = 30  # seconds a code lasts
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the size RFC 4226 recommends for SHA-1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def hotp(secret: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 section 5.3: HMAC-SHA-1 of the counter, dynamically truncated."""
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(at: float) -> int:
    """The time step `at` (Unix seconds) falls in."""
    return int(at // STEP)


def totp(secret: bytes, at: float, digits: int = DIGITS) -> str:
    return hotp(secret, step_at(at), digits)


def match(
    secret: bytes, code: str, at: float, *, after: int | None = None, window: int = 1
) -> int | None:
    """The step `code` belongs to, within `window` steps of `at` (a phone's clock drifts), and
    only if later than `after` (the last step already used: a code works once); else None."""
    code = code.strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(at)
    found = None
    # Every candidate is compared, so the time taken does not tell which step matched.
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(secret, step), code) and (after is None or step > after):
            found = step if found is None else found
    return found


def to_base32(secret: bytes) -> str:
    """The form apps accept typed in: upper-case base32 without '=' padding."""
    return base64.b32encode(secret).decode().rstrip("=")


def from_base32(text: str) -> bytes:
    text = "".join(text.split()).upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def grouped(text: str, size: int = 4) -> str:
    """Base32 in groups of four letters, easier to copy by hand."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def provisioning_uri(secret: bytes, account: str, issuer: str) -> str:
    """The otpauth:// address a QR code carries (Google's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {
            "secret": to_base32(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
