"""safe_text (RELIABILITY S11): a text that a spreadsheet would run as a formula gets a "'"."""

from __future__ import annotations

import pytest

from kongtun.lib.text import FORMULA_STARTS, safe_text

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\uff1d1+1",  # full-width "="
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_formula_gets_a_quote_in_front(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("start", [s for s in FORMULA_STARTS if s != "\0"])
def test_every_formula_character_is_covered(start: str) -> None:
    assert safe_text(start + "x") == "'" + start + "x"


@pytest.mark.parametrize("text", ["\0=1+1", "\x01\0@SUM(1+1)", "\x1b+1"])
def test_control_characters_go_and_cannot_hide_a_formula(text: str) -> None:
    assert safe_text(text) == "'" + text.lstrip("\0\x01\x1b")


def test_nul_is_a_formula_start_too() -> None:
    assert "\0" in FORMULA_STARTS


@pytest.mark.parametrize("spaces", [" ", "   ", "\u00a0", "\u3000", " \t "])
def test_spaces_before_a_formula_do_not_hide_it(spaces: str) -> None:
    assert safe_text(spaces + "=1+1") == "'" + spaces + "=1+1"


@pytest.mark.parametrize(
    "text",
    ["เงินสด", "1101", "นาย สมชาย", "12/3", "", "  ", "'=1+1", "a=1+1", "สมชาย - ใจดี", "1-2"],
)
def test_plain_text_stays_as_it_is(text: str) -> None:
    assert safe_text(text) == text
