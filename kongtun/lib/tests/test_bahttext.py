from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongtun.lib.bahttext import bahttext

# The authoritative vectors live outside the repository, in shared/ beside the clone:
# <X>/kongtun-clone and <X>/shared locally and on CI. One level further up is accepted too, for
# a clone that sits inside the folder next to shared/.
REPO = Path(__file__).absolute().parents[3]
VECTOR_FILES = [
    REPO.parent / "shared" / "domain" / "bahttext_vectors.tsv",
    REPO.parent.parent / "shared" / "domain" / "bahttext_vectors.tsv",
]

# A copy of bahttext_vectors.tsv, so the vectors are checked even where shared/ is absent;
# test_it_matches_the_shared_vector_file keeps the copy in step with the file.
VECTORS = [
    ("100", "หนึ่งร้อยบาทถ้วน"),
    ("0", "ศูนย์บาทถ้วน"),
    ("0.50", "ห้าสิบสตางค์"),
    ("1", "หนึ่งบาทถ้วน"),
    ("11", "สิบเอ็ดบาทถ้วน"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
    ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
    ("11000000", "สิบเอ็ดล้านบาทถ้วน"),
    ("21000021", "ยี่สิบเอ็ดล้านยี่สิบเอ็ดบาทถ้วน"),
    ("1234567.89", "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทแปดสิบเก้าสตางค์"),
    ("1000000000000", "หนึ่งล้านล้านบาทถ้วน"),
    ("0.01", "หนึ่งสตางค์"),
    ("0.21", "ยี่สิบเอ็ดสตางค์"),
    ("1.005", "หนึ่งบาทหนึ่งสตางค์"),
    ("2.675", "สองบาทหกสิบแปดสตางค์"),
]


def read_vector_file() -> list[tuple[str, str]]:
    path = next((p for p in VECTOR_FILES if p.is_file()), None)
    if path is None:
        searched = "\n  ".join(str(p) for p in VECTOR_FILES)
        pytest.fail(
            "bahttext_vectors.tsv not found; the authoritative baht-text vectors must sit in "
            f"shared/domain/ beside the repository. Searched:\n  {searched}"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "amount\ttext", f"{path}: unexpected header {lines[0]!r}"
    rows = [line.split("\t") for line in lines[1:] if line.strip()]
    assert all(len(row) == 2 for row in rows), f"{path}: every row needs amount<TAB>text"
    return [(amount, text) for amount, text in rows]


def test_it_matches_the_shared_vector_file():
    rows = read_vector_file()
    wrong = [(amount, text, bahttext(amount)) for amount, text in rows if bahttext(amount) != text]
    assert wrong == [], "vectors read wrongly (amount, expected, got)"
    assert rows == VECTORS, "the copy in this module is out of step with bahttext_vectors.tsv"


@pytest.mark.parametrize(("amount", "text"), VECTORS)
def test_it_reads_the_vectors(amount, text):
    assert bahttext(amount) == text
    assert bahttext(Decimal(amount)) == text
    if "." not in amount:
        assert bahttext(int(amount)) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (10, "สิบบาทถ้วน"),
        (20, "ยี่สิบบาทถ้วน"),
        (110, "หนึ่งร้อยสิบบาทถ้วน"),
        (1_000, "หนึ่งพันบาทถ้วน"),
        (100_001, "หนึ่งแสนเอ็ดบาทถ้วน"),
        (1_000_000, "หนึ่งล้านบาทถ้วน"),
        (1_000_000_000_001, "หนึ่งล้านล้านเอ็ดบาทถ้วน"),
        (1_000_001_000_000, "หนึ่งล้านเอ็ดล้านบาทถ้วน"),
        (10**18, "หนึ่งล้านล้านล้านบาทถ้วน"),
        (Decimal("0.10"), "สิบสตางค์"),
        (Decimal("0.11"), "สิบเอ็ดสตางค์"),
        (Decimal("1.01"), "หนึ่งบาทหนึ่งสตางค์"),
    ],
)
def test_it_reads_the_edge_cases(amount, text):
    assert bahttext(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0.995", "หนึ่งบาทถ้วน"),  # 100 satang carry into the baht
        ("99.995", "หนึ่งร้อยบาทถ้วน"),
        ("0.004", "ศูนย์บาทถ้วน"),
        ("-0.004", "ศูนย์บาทถ้วน"),  # rounds to zero, so no sign
        ("-0.005", "ลบหนึ่งสตางค์"),  # half-up rounds ties away from zero
        (Decimal("-0"), "ศูนย์บาทถ้วน"),
        (Decimal("1E+3"), "หนึ่งพันบาทถ้วน"),
    ],
)
def test_it_rounds_half_up_to_the_satang_first(amount, text):
    assert bahttext(amount) == text


def test_it_prefixes_negative_amounts_with_lob():
    assert bahttext(-5) == "ลบห้าบาทถ้วน"
    assert bahttext(Decimal("-21.25")) == "ลบยี่สิบเอ็ดบาทยี่สิบห้าสตางค์"
    assert bahttext("-0.50") == "ลบห้าสิบสตางค์"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("1,234.50", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        (" 1234.5 ", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("1,000,000", "หนึ่งล้านบาทถ้วน"),
        ("+5", "ห้าบาทถ้วน"),
        ("-1,000", "ลบหนึ่งพันบาทถ้วน"),
        ("๑,๒๓๔.๕๐", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
    ],
)
def test_it_accepts_amounts_typed_as_text(raw, text):
    assert bahttext(raw) == text


@pytest.mark.parametrize(
    "raw",
    [
        "", " ", "abc", "12 baht", "1.2.3", "1e3", "0x10", "1_000",
        "1,50",  # a European decimal comma, not 150 baht
        "1,2345", ",100", "100,", "--5", "5-",
        "NaN", "nan", "Infinity", "-inf",
        Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
        10**36, Decimal("1E+40"),
    ],
)  # fmt: skip
def test_it_refuses_what_is_not_an_amount(raw):
    with pytest.raises(ValueError):
        bahttext(raw)


@pytest.mark.parametrize("raw", [1.0, 0.1, float("nan"), True, None, [1], b"100"])
def test_it_refuses_floats_and_other_types(raw):
    with pytest.raises(TypeError):
        bahttext(raw)


def test_it_ignores_the_callers_decimal_precision():
    with localcontext() as context:
        context.prec = 3
        assert bahttext(Decimal("1234567.89")) == VECTORS[10][1]


# --- An independent reader of baht text, for round trips ----------------------------------------

DIGIT_WORDS = {
    "ศูนย์": 0, "หนึ่ง": 1, "เอ็ด": 1, "สอง": 2, "ยี่": 2, "สาม": 3, "สี่": 4,
    "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
}  # fmt: skip
PLACE_WORDS = {"สิบ": 10, "ร้อย": 100, "พัน": 1_000, "หมื่น": 10_000, "แสน": 100_000}
WORD = re.compile("|".join(sorted([*DIGIT_WORDS, *PLACE_WORDS, "ล้าน"], key=len, reverse=True)))


def parse_thai_number(words: str) -> int:
    """'หนึ่งล้านเอ็ด' -> 1000001: a digit multiplies the place after it; ล้าน multiplies all so far."""
    tokens = WORD.findall(words)
    assert "".join(tokens) == words, f"unknown words in {words!r}"
    total = section = 0
    digit: int | None = None
    last_place = 10**6
    for token in tokens:
        if token in DIGIT_WORDS:
            assert digit is None, f"two digits in a row in {words!r}"
            digit = DIGIT_WORDS[token]
        elif token in PLACE_WORDS:
            place = PLACE_WORDS[token]
            assert place < last_place, f"places out of order in {words!r}"
            if digit is None:
                assert token == "สิบ", f"{token} without a digit in {words!r}"
                digit = 1
            section += digit * place
            digit, last_place = None, place
        else:  # ล้าน
            total = (total + section + (digit or 0)) * 10**6
            section, digit, last_place = 0, None, 10**6
    return total + section + (digit or 0)


def parse_bahttext(text: str) -> Decimal:
    negative = text.startswith("ลบ")
    match = re.fullmatch(r"(?:(.+)บาท)?(?:ถ้วน|(.+)สตางค์)", text.removeprefix("ลบ"))
    assert match, f"not baht text: {text!r}"
    baht = parse_thai_number(match[1]) if match[1] else 0
    satang = parse_thai_number(match[2]) if match[2] else 0
    assert satang < 100, f"{satang} satang in {text!r}"
    value = Decimal(baht * 100 + satang).scaleb(-2)
    return -value if negative else value


@pytest.mark.parametrize(("amount", "text"), VECTORS)
def test_the_reader_reads_the_vectors(amount, text):
    expected = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert parse_bahttext(text) == expected


# --- Properties ---------------------------------------------------------------------------------


@given(st.integers(0, 10**15), st.integers(0, 99))
def test_it_says_thuan_exactly_when_there_are_no_satang(baht, satang):
    text = bahttext(Decimal(f"{baht}.{satang:02d}"))
    assert text.endswith("ถ้วน") == (satang == 0)
    assert ("สตางค์" in text) == (satang > 0)


@given(st.integers(-(10**20), 10**20))
def test_it_round_trips_through_an_independent_reader(satang):
    amount = Decimal(satang).scaleb(-2)
    assert parse_bahttext(bahttext(amount)) == amount


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4))
def test_it_round_trips_after_rounding_half_up(amount):
    assert parse_bahttext(bahttext(amount)) == amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


@given(st.integers(1, 10**6 - 1))
def test_it_reads_millions_as_the_number_then_lan(n):
    assert bahttext(n * 10**6) == bahttext(n).replace("บาทถ้วน", "ล้านบาทถ้วน")


@given(st.integers(1, 10**15))
def test_it_reads_negatives_as_lob_and_the_amount(satang):
    amount = Decimal(satang).scaleb(-2)
    assert bahttext(-amount) == "ลบ" + bahttext(amount)


@given(st.integers(0, 10**15))
def test_it_reads_text_with_commas_like_the_number(baht):
    assert bahttext(f"{baht:,}") == bahttext(baht) == bahttext(Decimal(baht))


@given(st.integers(1, 10**15))
def test_it_never_says_nueng_sip_or_song_sip(baht):
    text = bahttext(baht)
    assert "หนึ่งสิบ" not in text
    assert "สองสิบ" not in text
    assert "ศูนย์" not in text
