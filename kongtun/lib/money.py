"""Money is Decimal baht with two places, rounded half-up; never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
SATANG = Decimal("0.01")


def D(value: str | int | Decimal) -> Decimal:
    """Build a Decimal from text or an integer; floats are refused because they are inexact."""
    if isinstance(value, float):
        raise TypeError("money must not be built from a float")
    return Decimal(value)


def quantize_thb(value: Decimal) -> Decimal:
    return value.quantize(SATANG, rounding=ROUND_HALF_UP)


def format_baht(value: Decimal) -> str:
    """1,234.50 — the grouping every Thai receipt uses, independent of the active locale."""
    return f"{quantize_thb(value):,.2f}"
