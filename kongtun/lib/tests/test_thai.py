from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kongtun.lib.money import D, format_baht, quantize_thb
from kongtun.lib.text import clean_text, split_title
from kongtun.lib.thaidate import InvalidDate, be_year, format_date, parse_date
from kongtun.lib.thaiid import (
    InvalidNationalId,
    format_national_id,
    mask_national_id,
    normalize_national_id,
)

VALID = "1101700230708"


@pytest.mark.parametrize(
    "raw",
    [VALID, "1-1017-00230-70-8", "1 1017 00230 70 8", "๑๑๐๑๗๐๐๒๓๐๗๐๘", 1101700230708,
     1101700230708.0, "1101700230708.0", "\u200b1101700230708 "],
)  # fmt: skip
def test_it_normalises_the_ways_people_type_an_id(raw):
    assert normalize_national_id(raw) == VALID


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1101700230709", "check digit"),
        ("110170023070", "13 digits"),
        ("11017002307088", "13 digits"),
        ("0101700230708", "cannot start"),
        ("9101700230708", "cannot start"),
        ("1.1017E+12", "scientific"),
        ("11017OO230708", "only digits"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_it_refuses_bad_ids_with_a_reason(raw, fragment):
    with translation.override("en"), pytest.raises(InvalidNationalId) as info:
        normalize_national_id(raw)
    assert fragment in info.value.reason


def test_it_explains_in_thai_by_default():
    with translation.override("th"), pytest.raises(InvalidNationalId) as info:
        normalize_national_id("1101700230709")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in info.value.reason)


def test_it_formats_and_masks():
    assert format_national_id(VALID) == "1-1017-00230-70-8"
    assert mask_national_id("708") == "x-xxxx-xxxxx-70-8"


@given(st.integers(min_value=10**11, max_value=8 * 10**11))
def test_every_checksum_valid_id_is_accepted(body):
    digits = str(body)[:12]
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    number = digits + str((11 - total % 11) % 10)
    assert normalize_national_id(number) == number
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    with pytest.raises(InvalidNationalId):
        normalize_national_id(wrong)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25/12/2568", dt.date(2025, 12, 25)),
        ("25/12/2025", dt.date(2025, 12, 25)),
        ("๒๕/๑๒/๒๕๖๘", dt.date(2025, 12, 25)),
        ("2568-12-25", dt.date(2025, 12, 25)),
        ("2025-12-25", dt.date(2025, 12, 25)),
        ("25 ธ.ค. 2568", dt.date(2025, 12, 25)),
        ("25 ธันวาคม 2568", dt.date(2025, 12, 25)),
        ("25 ธันวาคม พ.ศ. 2568", dt.date(2025, 12, 25)),
        ("25 Dec 2025", dt.date(2025, 12, 25)),
        ("1-4-2568", dt.date(2025, 4, 1)),
        # Before 2484 BE the year began on 1 April.
        ("15/02/2482", dt.date(1940, 2, 15)),
        ("15/05/2482", dt.date(1939, 5, 15)),
        ("01/01/2484", dt.date(1941, 1, 1)),
        ("29/02/2567", dt.date(2024, 2, 29)),
    ],
)
def test_it_reads_dates_in_either_era(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("15/02/2483", "did not exist"),
        ("29/02/2568", "does not exist"),
        ("31/04/2568", "does not exist"),
        ("12/25/2568", "Month must be"),
        ("25/12/68", "in full"),
        ("01/01/256", "in full"),
        ("01/01/25680", "day/month/year"),
        ("01/01/3000", "in full"),
        ("25 ธันวา 2568", "Unknown month"),
        ("yesterday", "day/month/year"),
        ("", "missing"),
    ],
)
def test_it_refuses_dates_it_cannot_read(raw, fragment):
    with translation.override("en"), pytest.raises(InvalidDate) as info:
        parse_date(raw)
    assert fragment in info.value.reason


@given(st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_be_display_round_trips(date):
    with translation.override("th"):
        assert parse_date(format_date(date, "numeric")) == date
        assert parse_date(format_date(date, "short")) == date
        assert parse_date(format_date(date, "long")) == date


def test_it_shows_buddhist_era():
    with translation.override("th"):
        assert format_date(dt.date(2025, 12, 25)) == "25 ธ.ค. 2568"
        assert format_date(dt.date(2025, 12, 25), "long") == "25 ธันวาคม 2568"
    with translation.override("en"):
        assert format_date(dt.date(2025, 12, 25)) == "25 Dec 2568 BE"
    assert be_year(dt.date(1940, 3, 31)) == 2482
    assert be_year(dt.date(1940, 4, 1)) == 2483


def test_money_is_exact():
    assert format_baht(D("1234567.005")) == "1,234,567.01"
    assert quantize_thb(D("0.125")) == D("0.13")
    with pytest.raises(TypeError):
        D(0.1)  # type: ignore[arg-type]


def test_it_cleans_pasted_text():
    assert clean_text("  สม\u200bชาย \u202e ใจดี ") == "สมชาย ใจดี"
    # A decomposed accented Latin name is stored in its composed form.
    assert clean_text("Jose\u0301") == "Jos\u00e9"
    assert split_title("นางสาวน้ำผึ้ง") == ("นางสาว", "น้ำผึ้ง")
    assert split_title("สมชาย") == ("", "สมชาย")
