"""The one-time codes against the RFCs' own test vectors, and the window and replay rules."""

from __future__ import annotations

import pytest

from kongtun.accounts import totp

RFC_SECRET = b"12345678901234567890"  # RFC 4226 appendix D and RFC 6238 appendix B (SHA-1)

HOTP_VECTORS = [
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
]  # fmt: skip


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(HOTP_VECTORS)))
def test_hotp_matches_rfc_4226(counter, expected):
    assert totp.hotp(RFC_SECRET, counter) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238(at, expected):
    assert totp.totp(RFC_SECRET, at, digits=8) == expected
    # Six digits are the last six of the same number.
    assert totp.totp(RFC_SECRET, at) == expected[-6:]


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    at = 1_700_000_000.0
    now = totp.step_at(at)
    for offset in (-1, 0, 1):
        code = totp.hotp(RFC_SECRET, now + offset)
        assert totp.match(RFC_SECRET, code, at) == now + offset
    for offset in (-2, 2):
        assert totp.match(RFC_SECRET, totp.hotp(RFC_SECRET, now + offset), at) is None


def test_a_code_at_or_before_the_last_used_step_is_refused():
    at = 1_700_000_000.0
    now = totp.step_at(at)
    code = totp.totp(RFC_SECRET, at)
    assert totp.match(RFC_SECRET, code, at, after=now - 1) == now
    assert totp.match(RFC_SECRET, code, at, after=now) is None
    assert totp.match(RFC_SECRET, totp.hotp(RFC_SECRET, now + 1), at, after=now) == now + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 56 7"])
def test_anything_but_six_digits_is_refused(typed):
    assert totp.match(RFC_SECRET, typed, 1_700_000_000.0) is None


def test_secrets_are_160_bit_and_survive_base32():
    secret = totp.new_secret()
    assert len(secret) == 20
    assert totp.new_secret() != secret
    text = totp.to_base32(secret)
    assert "=" not in text and len(text) == 32
    assert totp.from_base32(totp.grouped(text).lower()) == secret


def test_the_qr_address_carries_the_secret_and_the_parameters():
    uri = totp.provisioning_uri(RFC_SECRET, "ประธาน chair", "Kongtun")
    assert uri.startswith("otpauth://totp/Kongtun%3A")
    assert f"secret={totp.to_base32(RFC_SECRET)}" in uri
    assert "issuer=Kongtun" in uri and "digits=6" in uri and "period=30" in uri
    assert "algorithm=SHA1" in uri and " " not in uri
