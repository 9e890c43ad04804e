"""The opening workbook's sheets and columns, and reading one cell: numbers, dates, amounts.

Dates and texts are read with the member import's rules (`members.importing.cells`); amounts
are new here. A history of 600,000 rows repeats the same few hundred dates, amounts and member
numbers, so each distinct cell value is read once and remembered (`CellReader`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kongtun.lib.text import clean_text
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.importing.cells import _CellProblem, _check_cell, _date, _text
from kongtun.members.importing.columns import COLUMNS as MEMBER_COLUMNS
from kongtun.members.importing.columns import _key

SATANG = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000.00")  # more than any fund holds: a typing slip
NUMBER_LENGTH = 20  # Member.number
REFERENCE_LENGTH = 50  # PastPayment.reference

# The sheets, by the Thai name of the template and other names people may give them.
MEMBERS, HISTORY, BALANCES = "members", "history", "balances"
SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    MEMBERS: ("สมาชิก", ("members", "member", "สมาชิกยกมา")),
    HISTORY: ("ประวัติการส่ง", (
        "ประวัติการส่งเงิน", "ประวัติการส่งเงินสมทบ", "ประวัติ", "history", "payments",
        "payment history",
    )),
    BALANCES: ("ยอดยกมา", ("ยอดเงินยกมา", "balances", "opening balances")),
}  # fmt: skip
INSTRUCTIONS_SHEET = "คำอธิบาย"

# Field → (the template's Thai column name, other names people give the column).
MEMBER_NUMBER = (MEMBER_COLUMNS["number"][0], MEMBER_COLUMNS["number"][1])
MEMBER_SHEET_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": MEMBER_NUMBER,
    "paid_through": ("ส่งถึงวันที่", (
        "ส่งถึง", "ชำระถึงวันที่", "ชำระถึง", "จ่ายถึงวันที่", "ส่งเงินถึงวันที่", "paid through",
        "paid-through date", "paid to",
    )),
    "plan": ("แบบการส่ง", ("แผนการส่ง", "แผน", "แบบ", "plan", "contribution plan")),
    "fees_due": ("ค่าสมัครค้างชำระ", (
        "ค่าธรรมเนียมค้างชำระ", "ค่าสมัครค้าง", "ค้างค่าสมัคร", "fees owed", "fees due",
    )),
}  # fmt: skip
HISTORY_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": MEMBER_NUMBER,
    "date": ("วันที่ส่ง", ("วันที่", "วันที่ชำระ", "วันที่จ่าย", "วันส่ง", "date", "paid on")),
    "amount": ("จำนวนเงิน", ("ยอดเงิน", "เงินสมทบ", "จำนวน", "บาท", "amount", "amount (baht)")),
    "reference": ("เลขที่ใบเสร็จเดิม", (
        "เลขที่ใบเสร็จ", "ใบเสร็จ", "เลขที่", "อ้างอิง", "reference", "receipt number",
        "receipt no",
    )),
}  # fmt: skip
BALANCE_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "group": ("หมวด", ("group", "ประเภท")),
    "code": ("รหัส", ("รหัสบัญชี", "code", "account code")),
    "item": ("รายการ", ("ชื่อบัญชี", "item", "account")),
    "amount": ("จำนวนเงิน (บาท)", ("จำนวนเงิน", "ยอดเงิน", "amount")),
}  # fmt: skip
REQUIRED = {
    MEMBERS: ("number", "paid_through"),
    HISTORY: ("number", "date", "amount"),
    BALANCES: ("code", "amount"),
}
AS_OF_LABEL = "ยอดยกมา ณ วันที่"
AS_OF_KEYS = frozenset(
    _key(t) for t in (AS_OF_LABEL, "ณ วันที่", "วันที่ยกมา", "as of", "balances as of")
)
TOTAL_WORDS = ("รวม", "total")


def header_keys(columns: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    return {_key(alias): name for name, (thai, more) in columns.items() for alias in (thai, *more)}


SHEET_KEYS = header_keys(SHEETS)


def _amount_text(text: str) -> Decimal | None:
    text = to_ascii_digits(clean_text(text))
    text = re.sub(r"\s|,|บาท|฿|baht", "", text, flags=re.IGNORECASE)
    if not text or set(text) <= set("-–—"):
        return None  # a dash is how many books write "nothing"
    if not re.fullmatch(r"-?\d+(?:\.\d{1,2})?|-?\.\d{1,2}", text):
        if re.fullmatch(r"-?\d+\.\d{3,}", text):
            raise _too_precise()
        raise _CellProblem(_("This is not an amount of money. Type it like 1,250.50."))
    return Decimal(text)


def _too_precise() -> _CellProblem:
    return _CellProblem(_("An amount has at most two decimal places (satang)."))


def amount(raw: Any) -> Decimal | None:
    """An amount in baht from a cell, None if blank; any sign (the caller decides)."""
    raw = _check_cell(raw)
    if raw is None:
        return None
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        raise _CellProblem(
            _("The spreadsheet turned this cell into a date. Type the amount as a number.")
        )
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        try:
            value = Decimal(repr(raw))
        except InvalidOperation:
            raise _CellProblem(_("This is not an amount of money.")) from None
        if not value.is_finite():
            raise _CellProblem(_("This is not an amount of money."))
        # A value Excel calculated can carry binary noise (30.000000000000004).
        rounded = value.quantize(SATANG)
        if abs(value - rounded) > Decimal("0.000001"):
            raise _too_precise()
        value = rounded
    else:
        found = _amount_text(str(raw))
        if found is None:
            return None
        value = found
    if abs(value) > MAX_AMOUNT:
        raise _CellProblem(_("This amount is too large to be right."))
    return value.quantize(SATANG)


def member_number(raw: Any) -> str:
    number = to_ascii_digits(_text(raw, limit=NUMBER_LENGTH))
    if not number:
        raise _CellProblem(
            _(
                "The member number is missing. If the cells are merged, unmerge them and type "
                "the number on every row."
            )
        )
    return number


class CellReader:
    """Reads cells of one workbook, remembering each distinct value's result.

    A result is a value or the _CellProblem it raised. True and 1 are equal in Python, so a
    non-text key carries its type.
    """

    def __init__(self, epoch: dt.datetime) -> None:
        self.epoch = epoch
        self._caches: dict[str, dict[Any, Any]] = {}

    def read(self, kind: str, raw: Any) -> Any:
        """`kind` is "number", "date", "amount" or "text"; raises _CellProblem."""
        if kind == "text":  # old receipt numbers are mostly all different: nothing to remember
            return _text(raw, limit=REFERENCE_LENGTH)
        cache = self._caches.setdefault(kind, {})
        key = raw if type(raw) is str else (type(raw), raw)
        try:
            found = cache[key]
        except KeyError:
            found = cache[key] = self._read(kind, raw)
        except TypeError:  # an unhashable value: never from a workbook, but read it anyway
            found = self._read(kind, raw)
        if isinstance(found, _CellProblem):
            # A fresh exception each time: raising one instance again would grow its traceback.
            raise _CellProblem(found.message)
        return found

    def _read(self, kind: str, raw: Any) -> Any:
        try:
            if kind == "number":
                return member_number(raw)
            if kind == "date":
                return None if _blank(raw) else _date(raw, self.epoch)
            return amount(raw)
        except _CellProblem as problem:
            return problem


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not clean_text(raw))


def shown(raw: Any) -> str:
    text = clean_text(raw)
    return text if len(text) <= 40 else text[:40] + "…"
