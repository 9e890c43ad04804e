"""The fund's key as people handle it: a line to paste, a fingerprint to read out."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.exchange import keys, services
from kongtun.exchange.models import FundSigningKey, TrustedKey
from kongtun.exchange.tests.conftest import make_own_computer
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.crypto import decrypt_bytes


def test_a_fingerprint_is_thirty_digits_in_groups_of_five():
    public = keys.public_bytes(keys.new_private_key())

    printed = keys.fingerprint(public)

    assert re.fullmatch(r"\d{5}( \d{5}){5}", printed)
    assert printed == keys.fingerprint(public)
    assert printed != keys.fingerprint(keys.public_bytes(keys.new_private_key()))


def test_the_key_line_survives_a_chat_app_wrapping_it():
    public = keys.public_bytes(keys.new_private_key())
    line = keys.key_text(fund_code="lp-wiang-nuea", public=public)
    wrapped = line[:30] + "\n" + line[30:50] + "  \n " + line[50:] + "\n"

    assert keys.parse_key_text(wrapped) == ("lp-wiang-nuea", public)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG",
        "kongtun-ed25519 lp-wiang-nuea",
        "kongtun-ed25519 lp-wiang-nuea not-base64!!",
        "kongtun-ed25519 lp-wiang-nuea QUJD",  # valid base64, but 3 bytes
    ],
)
def test_it_refuses_text_that_is_not_a_whole_key(text):
    with pytest.raises(keys.InvalidKeyText):
        keys.parse_key_text(text)


def test_the_funds_key_is_made_once_and_its_secret_half_is_encrypted(fund, users):
    with fund_scope(fund):
        first = services.signing_key_get_or_create(fund=fund, actor=users["chair"])
        again = services.signing_key_get_or_create(fund=fund, actor=users["chair"])
        assert first.pk == again.pk
        assert FundSigningKey.objects.count() == 1
    private = keys.private_key_from(decrypt_bytes(bytes(first.private_key_encrypted)))
    assert keys.public_bytes(private) == bytes(first.public_key)
    assert keys.private_bytes(private) not in bytes(first.private_key_encrypted)
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="exchange.key.created").count() == 1


def _key_line(fund, users):
    with fund_scope(fund):
        key = services.signing_key_get_or_create(fund=fund, actor=users["chair"])
        return services.public_key_text(key), key.fingerprint


def test_the_province_registers_the_key_the_chair_sent(fund, users):
    line, fingerprint = _key_line(fund, users)
    make_own_computer(fund)

    key = services.trusted_key_register(fund=fund, actor=users["officer"], text=line)

    assert key.fingerprint == fingerprint
    assert key.registered_by == users["officer"]


def test_it_refuses_a_key_pasted_under_another_fund(fund, other_fund, users):
    line, _ = _key_line(fund, users)
    make_own_computer(other_fund)

    with pytest.raises(ValidationError) as caught:
        services.trusted_key_register(fund=other_fund, actor=users["officer"], text=line)

    assert "lp-wiang-nuea" in caught.value.message_dict["key"][0]
    with scopes_disabled():
        assert not TrustedKey.objects.exists()


def test_one_key_is_in_force_until_it_is_revoked(fund, other_fund, users):
    line, _ = _key_line(fund, users)
    other_line, _ = _key_line(other_fund, {"chair": users["other_chair"]})
    make_own_computer(fund)
    first = services.trusted_key_register(fund=fund, actor=users["officer"], text=line)
    replacement = other_line.replace(other_fund.code, fund.code)

    with pytest.raises(ValidationError) as same:
        services.trusted_key_register(fund=fund, actor=users["officer"], text=line)
    with pytest.raises(ValidationError) as other:
        services.trusted_key_register(fund=fund, actor=users["officer"], text=replacement)
    assert "already registered" in same.value.message_dict["key"][0]
    assert "Revoke it first" in other.value.message_dict["key"][0]

    services.trusted_key_revoke(key=first, actor=users["officer"])
    second = services.trusted_key_register(fund=fund, actor=users["officer"], text=replacement)

    with fund_scope(fund):
        assert list(TrustedKey.objects.filter(revoked_at__isnull=True)) == [second]
    with pytest.raises(ValidationError):
        services.trusted_key_revoke(key=first, actor=users["officer"])


def test_a_fund_that_keeps_its_books_here_has_no_key_to_register(fund, users):
    line, _ = _key_line(fund, users)

    with pytest.raises(ValidationError) as caught:
        services.trusted_key_register(fund=fund, actor=users["officer"], text=line)

    assert "fund" in caught.value.message_dict
