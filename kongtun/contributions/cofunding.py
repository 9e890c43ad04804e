"""Co-funders' money: what CODI (by round), local government and donors paid the fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kongtun.audit.services import Change
from kongtun.contributions.models import CoContribution, Funder
from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.services import entry_post_locked, lock_books

# The income account each co-funder's money is credited to, by role in the chart.
INCOME_ROLE: dict[str, str] = {
    Funder.CODI: "income.codi",
    Funder.LOCAL_GOV: "income.tao",
    Funder.OTHER_GOV: "income.other_gov",
    Funder.DONOR: "income.donations",
}


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def cocontribution_record(
    *,
    fund: Fund,
    actor: Any,
    funder: str,
    fiscal_year: int,
    date: dt.date,
    amount: Decimal,
    round: int | None = None,
    payer: str = "",
    reference: str = "",
    money_account: Account | None = None,
    income_account: Account | None = None,
    idempotency_key: str | None = None,
) -> CoContribution:
    """Record money a co-funder paid, posted to the books in the same transaction.

    The money goes to the bank account unless another is named; the income account follows
    the co-funder (a municipality or PAO fund names its own local-government account).
    """
    if funder not in Funder.values:
        raise _refuse("funder", _("Choose who paid the money."))
    if amount <= 0:
        raise _refuse("amount", _("The amount must be more than zero."))
    if funder == Funder.CODI and not round:
        raise _refuse("round", _("Say which round of CODI's co-contribution this is."))
    with transaction.atomic():
        head = lock_books(fund)
        if idempotency_key:
            existing = CoContribution.objects.filter(
                fund=fund, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                if (existing.funder, existing.amount, existing.date) == (funder, amount, date):
                    return existing
                raise _refuse("amount", _("This form was already submitted with other amounts."))
        money = money_account or Account.objects.filter(fund=fund, role="bank").first()
        if money is None or money.fund_id != fund.pk or not money.is_money:
            raise _refuse("money_account", _("Choose the cash or bank account of this fund."))
        income = (
            income_account or Account.objects.filter(fund=fund, role=INCOME_ROLE[funder]).first()
        )
        if income is None or income.fund_id != fund.pk or income.type != core.AccountType.INCOME:
            raise _refuse("income_account", _("Choose an income account of this fund."))
        label = Funder(funder).label
        memo = f"{label} {_('fiscal year')} {fiscal_year}"
        if round:
            memo += f" {_('round')} {round}"
        if payer:
            memo += f" — {payer}"
        cofund = CoContribution(
            fund=fund,
            funder=funder,
            payer=payer.strip()[:200],
            fiscal_year=fiscal_year,
            round=round,
            date=date,
            amount=amount,
            reference=reference.strip()[:100],
            recorded_by=actor,
            idempotency_key=idempotency_key or None,
        )
        cofund.entry = entry_post_locked(
            fund=fund,
            head=head,
            actor=actor,
            entry=core.Entry(
                date,
                memo[:500],
                (core.Posting(money.code, amount), core.Posting(income.code, -amount)),
            ),
            kind=JournalEntry.Kind.OTHER,
            also=[
                Change(
                    "contributions.cocontribution.recorded",
                    "contributions.cocontribution",
                    str(cofund.code),
                    after={
                        "funder": funder,
                        "fiscal_year": fiscal_year,
                        "round": round,
                        "amount": str(amount),
                    },
                )
            ],
        )
        cofund.save()
    return cofund
