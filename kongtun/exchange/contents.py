"""What a package carries, gathered on the fund's computer and checked on the province server.

Every reader of another app is here, one function each, so a change there shows up in one
place: the indicators, the monthly totals, CODI's forms and the fund's full data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from kongtun.exchange.package import PackageRefused
from kongtun.funds.models import Fund
from kongtun.ledger.core import AccountType
from kongtun.ledger.models import MonthlyTotal, Source

# --- Indicators ------------------------------------------------------------------------------


def indicators_data(fund: Fund, as_of: dt.date) -> dict[str, Any]:
    """The fund's indicators on `as_of`, as the province reads them (JSON-able)."""
    from kongtun.indicators.selectors import fund_indicators

    data: dict[str, Any] = fund_indicators(fund=fund, on=as_of).as_dict()
    return data


def check_indicators(data: bytes, *, fund_code: str, as_of: dt.date) -> dict[str, Any]:
    """The package's indicators, if they are for this fund and date and Kongtun can read them."""
    from kongtun.indicators.selectors import Indicators

    try:
        value = json.loads(data.decode("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("indicators")
        Indicators.from_dict(value)
    except Exception as exc:  # whatever from_dict raises, the file is unreadable here
        raise _unreadable("indicators.json") from exc
    if value.get("fund_code") != fund_code or str(value.get("as_of")) != as_of.isoformat():
        raise _unreadable("indicators.json")
    return value


def _unreadable(name: str) -> PackageRefused:
    return PackageRefused(
        "unreadable",
        _("The package's %(name)s cannot be read by this version of Kongtun.") % {"name": name},
    )


# --- Monthly totals --------------------------------------------------------------------------


def last_whole_month(as_of: dt.date) -> int:
    """The period (yyyymm) of the last month that ended on or before `as_of`.

    A month the date cuts may hold entries dated after it; a package as of a date carries
    only months wholly before it.
    """
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return as_of.year * 100 + as_of.month
    first = as_of.replace(day=1) - dt.timedelta(days=1)
    return first.year * 100 + first.month


def monthly_data(fund: Fund, through: int) -> dict[str, Any]:
    """The fund's monthly totals up to period `through`, with what each account is."""
    rows = (
        MonthlyTotal.objects.filter(fund=fund, period__lte=through)
        .select_related("account")
        .order_by("period", "account__code", "source")
    )
    return {
        "fund_code": fund.code,
        "through": through,
        "rows": [
            {
                "account": r.account.code,
                "name_th": r.account.name_th,
                "name_en": r.account.name_en,
                "type": r.account.type,
                "role": r.account.role,
                "account_source": r.account.source,
                "source": r.source,
                "period": r.period,
                "amount": str(r.amount),
                "lines": r.lines,
            }
            for r in rows
        ],
    }


@dataclass(frozen=True)
class MonthlyRow:
    account: str
    name_th: str
    name_en: str
    type: str
    role: str
    account_source: str
    source: str
    period: int
    amount: Decimal
    lines: int


_AMOUNT = re.compile(r"-?[0-9]{1,13}(\.[0-9]{1,2})?")
_SOURCES = {"", *Source.values}
_TYPES = {t.value for t in AccountType}


def check_monthly(data: bytes, *, fund_code: str) -> list[MonthlyRow]:
    """The package's monthly totals, each field checked: a signed package is still input."""
    try:
        value = json.loads(data.decode("utf-8"))
        if value["fund_code"] != fund_code:
            raise ValueError("fund")
        through = value["through"]
        rows = [_monthly_row(raw, through) for raw in value["rows"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable("monthly.json") from exc
    keys = {(r.account, r.source, r.period) for r in rows}
    accounts = {(r.account, r.name_th, r.type, r.role, r.account_source) for r in rows}
    if len(keys) != len(rows) or len({a[0] for a in accounts}) != len(accounts):
        raise _unreadable("monthly.json")
    return rows


def _monthly_row(raw: dict[str, Any], through: int) -> MonthlyRow:
    amount = _text(raw["amount"], 20)
    if not _AMOUNT.fullmatch(amount):
        raise ValueError("amount")
    row = MonthlyRow(
        account=_text(raw["account"], 20, blank=False),
        name_th=_text(raw["name_th"], 200, blank=False),
        name_en=_text(raw.get("name_en", ""), 200),
        type=_text(raw["type"], 10),
        role=_text(raw.get("role", ""), 40),
        account_source=_text(raw.get("account_source", ""), 20),
        source=_text(raw["source"], 20),
        period=_int(raw["period"]),
        amount=Decimal(amount),
        lines=_int(raw.get("lines", 0)),
    )
    year, month = divmod(row.period, 100)
    if (
        row.type not in _TYPES
        or row.source not in _SOURCES
        or row.account_source not in _SOURCES
        or not (1900 <= year <= 2999 and 1 <= month <= 12)
        or row.period > through
    ):
        raise ValueError("row")
    return row


def _text(value: Any, max_length: int, *, blank: bool = True) -> str:
    if not isinstance(value, str) or len(value) > max_length or (not blank and not value):
        raise ValueError("text")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
        raise ValueError("int")
    return value


# --- CODI's forms ----------------------------------------------------------------------------


def annual_forms(fund: Fund, as_of: dt.date) -> list[tuple[str, bytes]]:
    """CODI's annual fund-data form of the fiscal year of `as_of`, as of that day, in PDF and
    XLSX: (file name, content) each."""
    from kongtun.codiforms.rendering import annual_form_pdf, annual_form_xlsx, filename
    from kongtun.codiforms.selectors import annual_form
    from kongtun.contributions.matching import government_year_of

    # CODI's forms go by the government year, whatever year the fund keeps its books by.
    form = annual_form(fund, government_year_of(as_of), on=as_of)
    return [
        (filename(form, "pdf"), annual_form_pdf(form)),
        (filename(form, "xlsx"), annual_form_xlsx(form)),
    ]


# --- The fund's full data --------------------------------------------------------------------


def fund_models() -> list[type[models.Model]]:
    """Every model of Kongtun whose rows belong to one fund, parents before children.

    This app's own rows stay behind: the signing key's private half never leaves the computer.
    """
    found: dict[Any, list[type[models.Model]]] = {}
    for model in apps.get_models():
        config = model._meta.app_config
        if config is None or not config.name.startswith("kongtun.") or config.label == "exchange":
            continue
        try:
            field = model._meta.get_field("fund")
        except FieldDoesNotExist:
            continue
        if getattr(field, "related_model", None) is Fund:
            found.setdefault(config, []).append(model)
    return serializers.sort_dependencies(list(found.items()), allow_cycles=True)


def _rows(fund: Fund) -> Iterator[models.Model]:
    yield from Fund.objects.filter(pk=fund.pk)
    for model in fund_models():
        yield from model._default_manager.filter(fund=fund).order_by("pk").iterator(2000)


class _TextBuffer:
    """Collects the serializer's many small writes into large ones for the zip entry."""

    def __init__(self, target: Any, size: int = 256 * 1024) -> None:
        self.target, self.size, self.held = target, size, 0
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.held += len(text)
        if self.held >= self.size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            self.target.write("".join(self.parts).encode())
            self.parts, self.held = [], 0


def write_full_data(fund: Fund, target: Any) -> int:
    """Write every row of the fund as Django's JSON serialisation; return how many rows.

    National IDs go as they are stored, encrypted with this computer's key. Runs inside the
    fund's scope.
    """
    written = 0

    def counted() -> Iterator[models.Model]:
        nonlocal written
        for row in _rows(fund):
            written += 1
            yield row

    buffer = _TextBuffer(target)
    serializers.serialize("json", counted(), stream=buffer, ensure_ascii=False)
    buffer.flush()
    return written
