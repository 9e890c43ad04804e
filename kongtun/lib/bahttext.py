"""An amount in Thai words as printed on receipts: 21.25 -> "ยี่สิบเอ็ดบาทยี่สิบห้าสตางค์".

Conventions (the vectors in shared/domain/bahttext_vectors.tsv are authoritative):

- The amount is rounded half-up to the satang first, so 2.675 reads as 2.68 and 0.999 carries
  into one whole baht.
- Whole baht end with "ถ้วน" ("exactly"); satang are read as their own number, so 0.01 is
  "หนึ่งสตางค์", and an amount under one baht has no baht part: "ห้าสิบสตางค์".
- A 1 in the units place reads "เอ็ด" whenever anything stands before it in the same number,
  even across ล้าน: 11 สิบเอ็ด, 101 หนึ่งร้อยเอ็ด, 1,000,001 หนึ่งล้านเอ็ด. A lone 1 is "หนึ่ง".
- Tens: 10 is "สิบ" (never หนึ่งสิบ), 20s are "ยี่สิบ".
- Thai has no word above ล้าน (10^6) in everyday use, so larger amounts stack it:
  10^12 is "หนึ่งล้านล้าน".
- A negative amount (a refund or reversal) is prefixed with "ลบ" ("minus"): -5 is "ลบห้าบาทถ้วน".
  An amount that rounds to zero has no sign.

Input is a Decimal, an int or text such as "1,234.50"; floats are refused because money is
never a float (0.1 + 0.2 would print the wrong satang).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

DIGITS = ["ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"]
# Place names inside one ล้าน group, from the units up to hundred-thousands.
PLACES = ["", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"]
MILLION = 1_000_000

# Far beyond any fund's money; below it, _EXACT has enough digits that nothing is rounded away.
LIMIT = Decimal(10) ** 36
_EXACT = Context(prec=40, rounding=ROUND_HALF_UP)
_CENT = Decimal("0.01")

# People type "1,234.50" or Thai digits; commas must group thousands, because "1,50" is a
# European decimal comma and reading it as 150 baht would be a hundredfold error.
_TEXT_AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def bahttext(amount: Decimal | int | str) -> str:
    """Return the amount in Thai words, rounded half-up to the satang."""
    satang = _to_satang(_to_decimal(amount))
    sign = "ลบ" if satang < 0 else ""
    baht, satang = divmod(abs(satang), 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    words = (_read(baht) + "บาท") if baht else ""
    # Satang are a separate number (0.01 is หนึ่งสตางค์, not เอ็ด), so nothing stands before them.
    words += (_read(satang) + "สตางค์") if satang else "ถ้วน"
    return sign + words


def _to_decimal(amount: object) -> Decimal:
    # bool is an int subclass, but True baht is a bug, not an amount.
    if isinstance(amount, float | bool):
        raise TypeError(f"bahttext needs a Decimal, int or str, not {type(amount).__name__}")
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, str):
        text = amount.strip().translate(_THAI_DIGITS)
        if not _TEXT_AMOUNT.fullmatch(text):
            raise ValueError(f"not an amount of money: {amount!r}")
        value = Decimal(text.replace(",", ""))
    else:
        raise TypeError(f"bahttext needs a Decimal, int or str, not {type(amount).__name__}")
    if not value.is_finite():
        raise ValueError(f"not an amount of money: {amount!r}")
    if abs(value) >= LIMIT:
        raise ValueError(f"amount too large to read: {amount!r}")
    return value


def _to_satang(value: Decimal) -> int:
    # Our own context: the caller's may have a low precision, which would round silently.
    with localcontext(_EXACT):
        return int(value.quantize(_CENT) * 100)


def _read(number: int, after: bool = False) -> str:
    """Read a positive integer; `after` says some digit stands before it (for เอ็ด)."""
    if number >= MILLION:
        high, low = divmod(number, MILLION)
        # Recurse on the high part so that 10^12 stacks as หนึ่งล้านล้าน.
        return _read(high) + "ล้าน" + (_read(low, after=True) if low else "")
    words = []
    for place in reversed(range(len(PLACES))):
        digit = number // 10**place % 10
        if digit == 0:
            continue
        if place == 1 and digit == 1:
            words.append("สิบ")  # 10 is สิบ, not หนึ่งสิบ
        elif place == 1 and digit == 2:
            words.append("ยี่สิบ")
        elif place == 0 and digit == 1 and (after or number > 1):
            words.append("เอ็ด")  # 11 สิบเอ็ด, 101 หนึ่งร้อยเอ็ด, 1,000,001 หนึ่งล้านเอ็ด
        else:
            words.append(DIGITS[digit] + PLACES[place])
    return "".join(words)
