"""Money stored as whole satang in a 64-bit integer: exact on SQLite and PostgreSQL alike.

SQLite keeps a DecimalField's numbers as floating point, so sums over many rows could drift;
integers never do. Python code sees a Decimal with two places; floats are refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

SATANG = Decimal("0.01")


def to_satang(value: Decimal | int) -> int:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    amount = Decimal(value)
    if amount != amount.quantize(SATANG):
        raise ValueError(f"{value} has more than two decimal places")
    return int(amount * 100)


def from_satang(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(SATANG)


if TYPE_CHECKING:
    _MoneyBase = models.Field[Decimal | int | str | models.expressions.Combinable, Decimal]
    _OptionalMoneyBase = models.Field[
        Decimal | int | str | models.expressions.Combinable | None, Decimal | None
    ]
else:
    _MoneyBase = _OptionalMoneyBase = models.Field


class _Money:
    """The behaviour both money fields share (they differ only in their types for mypy)."""

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else from_satang(int(value))

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            raise TypeError("money must not be a float")
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter an amount in baht, e.g. 1,250.50")) from exc
        if amount != amount.quantize(SATANG):
            raise ValidationError(_("An amount has at most two decimal places (satang)."))
        return amount

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, models.expressions.Combinable):
            return value
        return to_satang(value)

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", forms.DecimalField)
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        return super().formfield(**kwargs)  # type: ignore[misc]


class MoneyField(_Money, _MoneyBase):
    description = _("Amount in baht (stored as satang)")


class OptionalMoneyField(_Money, _OptionalMoneyBase):
    """A money field that may be empty (a cap that is not set); declare it with null=True."""

    description = _("Amount in baht (stored as satang), or nothing")
