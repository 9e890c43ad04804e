"""Baht text is not only the right number but the way Thai receipts spell it.

The round-trip reader in test_bahttext.py reads "สิบหนึ่ง" and "สิบเอ็ด" alike, so it would let
a wrong spelling of 11 through. The reader here is strict: it accepts only the one spelling a
receipt uses (เอ็ด for a 1 in the units place after anything, ยี่สิบ, สิบ without หนึ่ง, no
ศูนย์ inside a number, ถ้วน exactly when there are no satang), and the properties check that
every amount up to a million million baht, satang included, reads back through it exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kongtun.lib.bahttext import bahttext

# 2 to 9 as written before a place (ร้อย, พัน, ...) or alone in the units place.
NUMERALS = {
    "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
}  # fmt: skip
_N = "|".join(NUMERALS)
_ONE_TO_NINE = f"หนึ่ง|{_N}"
# A group below one million. Before สิบ: nothing for 1, ยี่ for 2, the numeral for 3 to 9.
_GROUP = re.compile(
    f"(?:(?P<p5>{_ONE_TO_NINE})แสน)?"
    f"(?:(?P<p4>{_ONE_TO_NINE})หมื่น)?"
    f"(?:(?P<p3>{_ONE_TO_NINE})พัน)?"
    f"(?:(?P<p2>{_ONE_TO_NINE})ร้อย)?"
    f"(?:(?P<p1>ยี่|{'|'.join(w for w in NUMERALS if w != 'สอง')})?(?P<ten>สิบ))?"
    f"(?P<p0>เอ็ด|{_ONE_TO_NINE})?"
)


class NotBahtText(AssertionError):
    pass


def _digit(word: str | None) -> int:
    if word is None:
        return 0
    return {"หนึ่ง": 1, "เอ็ด": 1, "ยี่": 2}.get(word) or NUMERALS[word]


def _group(text: str, before: bool) -> int:
    """Read one group (below a million); `before` says digits stand before it in the number."""
    m = _GROUP.fullmatch(text)
    if m is None:
        raise NotBahtText(f"not a Thai number: {text!r}")
    value = sum(_digit(m[f"p{p}"]) * 10**p for p in (5, 4, 3, 2))
    if m["ten"]:
        value += 10 * (_digit(m["p1"]) or 1)
    units = m["p0"]
    if units is not None:
        anything_before = before or value > 0
        if units == "เอ็ด" and not anything_before:
            raise NotBahtText(f"เอ็ด with nothing before it: {text!r}")
        if units == "หนึ่ง" and anything_before:
            raise NotBahtText(f"หนึ่ง where เอ็ด belongs: {text!r}")
        value += _digit(units)
    return value


def read_number(text: str) -> int:
    """Read a whole number spelled as on a receipt; groups of a million stack with ล้าน."""
    groups = text.split("ล้าน")
    if not groups[0]:
        raise NotBahtText(f"ล้าน needs a number before it: {text!r}")
    value = 0
    for group in groups:
        value = value * 1_000_000 + (_group(group, before=value > 0) if group else 0)
    if value == 0:
        raise NotBahtText(f"a number that reads as nothing: {text!r}")
    return value


def read_bahttext(text: str) -> Decimal:
    """The amount a positive baht text says, or NotBahtText if it is not spelled as it must be."""
    if text == "ศูนย์บาทถ้วน":
        return Decimal("0.00")
    m = re.fullmatch("(?:(?P<baht>.+?)บาท)?(?:(?P<exact>ถ้วน)|(?P<satang>.+)สตางค์)", text)
    if m is None or (m["exact"] and not m["baht"]):
        raise NotBahtText(f"not baht text: {text!r}")
    baht = read_number(m["baht"]) if m["baht"] else 0
    satang = read_number(m["satang"]) if m["satang"] else 0
    if satang >= 100:
        raise NotBahtText(f"{satang} satang: {text!r}")
    return Decimal(baht * 100 + satang).scaleb(-2)


# --- The reader is strict: each of these spellings is wrong and must be refused -----------------


@pytest.mark.parametrize(
    "wrong",
    [
        "สิบหนึ่งบาทถ้วน",  # 11 is สิบเอ็ด
        "หนึ่งสิบบาทถ้วน",  # 10 is สิบ
        "สองสิบบาทถ้วน",  # 20 is ยี่สิบ
        "ยี่ร้อยบาทถ้วน",  # ยี่ only before สิบ
        "ร้อยบาทถ้วน",  # 100 is หนึ่งร้อย
        "เอ็ดบาทถ้วน",  # a lone 1 is หนึ่ง
        "หนึ่งร้อยหนึ่งบาทถ้วน",  # 101 is หนึ่งร้อยเอ็ด
        "หนึ่งล้านหนึ่งบาทถ้วน",  # 1,000,001 is หนึ่งล้านเอ็ด
        "เอ็ดล้านบาทถ้วน",
        "หนึ่งร้อยศูนย์บาทถ้วน",
        "หนึ่งบาท",  # whole baht end with ถ้วน
        "หนึ่งบาทถ้วนห้าสตางค์",
        "ถ้วน",
        "ห้าสิบสตางค์ถ้วน",
        "หนึ่งร้อยสตางค์",
        "ล้านบาทถ้วน",
        "ห้าพันหนึ่งแสนบาทถ้วน",  # places out of order
    ],
)
def test_the_strict_reader_refuses_wrong_spellings(wrong):
    with pytest.raises(NotBahtText):
        read_bahttext(wrong)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("สิบเอ็ดบาทถ้วน", "11"),
        ("หนึ่งล้านเอ็ดบาทถ้วน", "1000001"),
        ("หนึ่งล้านเอ็ดล้านบาทถ้วน", "1000001000000"),
        ("หนึ่งล้านล้านบาทถ้วน", "1000000000000"),
        ("ยี่สิบเอ็ดสตางค์", "0.21"),
        ("หนึ่งบาทหนึ่งสตางค์", "1.01"),
    ],
)
def test_the_strict_reader_reads_right_spellings(text, amount):
    assert read_bahttext(text) == Decimal(amount)


# --- Properties ---------------------------------------------------------------------------------

SATANG_UP_TO_A_MILLION_MILLION_BAHT = st.integers(0, 10**14)


@given(SATANG_UP_TO_A_MILLION_MILLION_BAHT)
@example(11)
@example(101)
@example(2_100)
@example(100_000_100)
@example(10**14)
def test_every_amount_is_spelled_as_on_a_receipt(satang):
    amount = Decimal(satang).scaleb(-2)
    assert read_bahttext(bahttext(amount)) == amount


@given(st.integers(1, 10**12), st.integers(1, 99))
def test_satang_read_the_same_with_or_without_baht(baht, satang):
    """Satang are their own number: nothing of the baht carries into how they are read."""
    text = bahttext(Decimal(f"{baht}.{satang:02d}"))
    assert text == bahttext(baht).removesuffix("ถ้วน") + bahttext(Decimal(f"0.{satang:02d}"))


@given(st.integers(1, 10**12))
def test_a_one_at_the_end_is_et_after_anything(baht):
    text = bahttext(baht * 10 + 1)
    assert text.endswith("เอ็ดบาทถ้วน")
    assert not text.endswith("หนึ่งบาทถ้วน")


@given(st.integers(0, 10**10))
def test_twenty_is_yi_sip_after_anything(high):
    assert bahttext(high * 100 + 20).endswith("ยี่สิบบาทถ้วน")
