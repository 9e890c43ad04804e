"""The fund's rules over what the sheets say. Reads the database once per file; writes nothing.

Members must be in the register and not yet paying through Kongtun; dates must have happened,
in the member's membership and before the opening date; money must be more than nothing; the
balances must be the fund's own cash and bank accounts and sources, and add up.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from kongtun.contributions.models import MemberPlan, OpeningImport, Plan, Receipt, Standing, Terms
from kongtun.contributions.opening.cells import BALANCES, HISTORY, MEMBERS, shown
from kongtun.contributions.opening.sheets import Sheets
from kongtun.contributions.services import MAX_PAYMENT, PAYING
from kongtun.funds.models import Fund
from kongtun.ledger.models import Account, JournalEntry, Source
from kongtun.ledger.services import closed_period_on
from kongtun.ledger.statements import SOURCE_TH
from kongtun.lib.fields import from_satang
from kongtun.lib.thaidate import format_date
from kongtun.members.importing.columns import _key
from kongtun.members.importing.grid import _Refused
from kongtun.members.models import Member, Status

ZERO = Decimal("0.00")
MAX_YEARS_AHEAD = 5  # paid ahead further than this from the opening date is a typing slip
_MAX_SATANG = int(MAX_PAYMENT * 100)


@dataclass
class _Register:
    """What every row is checked against, loaded once: no query per row."""

    members: dict[str, tuple[int, int, str]]  # number → (pk, joined_on ordinal, status)
    by_value: dict[int, str]  # numbers typed without their leading zeros (1 → "00001")
    joined: dict[int, dt.date]
    numbers: dict[int, str]  # pk → the number as the register writes it
    started: set[int]  # members with a standing, a plan or a receipt already
    plans: dict[str, Plan]
    default_plan: Plan | None
    money: dict[str, Account]  # active cash and bank accounts by code
    opening_code: str

    def find(self, number: str) -> tuple[int, int, str] | None:
        found = self.members.get(number)
        if found is None and number.isdigit():
            full = self.by_value.get(int(number))
            found = self.members.get(full) if full else None
        return found


@dataclass
class Checked:
    """The sheets resolved against the fund: ready to write once there are no problems."""

    members: list[tuple[int, dt.date, Plan, Decimal]] = field(default_factory=list)
    numbers: dict[int, str] = field(default_factory=dict)  # member pk → number
    history_members: array[int] = field(default_factory=lambda: array("q"))
    per_member: dict[int, list[int]] = field(default_factory=dict)  # pk → [payments, satang]
    payments_satang: int = 0
    money: dict[str, Decimal] = field(default_factory=dict)  # account code → balance
    sources: dict[str, Decimal] = field(default_factory=dict)
    opening_code: str = ""


def check(*, fund: Fund, sheets: Sheets, today: dt.date) -> Checked:
    """Check the sheets against the fund; problems go into `sheets.problems`.

    Raises `_Refused` when the whole file cannot be taken (a second opening, no chart).
    """
    earlier = OpeningImport.objects.filter(fund=fund).order_by("pk").first()
    if earlier is not None:
        raise _Refused(
            _(
                "This fund's opening balances were already imported on %(date)s from "
                "“%(file)s”. Payments since then are recorded as receipts."
            )
            % {"date": format_date(earlier.created_at), "file": earlier.filename}
        )
    register = _load(fund, needs_plan=bool(sheets.members))
    checked = Checked(opening_code=register.opening_code)
    _check_as_of(fund, sheets, today)
    _check_balances(sheets, register, checked)
    _check_members(sheets, register, checked, today)
    _check_history(sheets, register, checked, today)
    return checked


def _load(fund: Fund, *, needs_plan: bool) -> _Register:
    members: dict[str, tuple[int, int, str]] = {}
    joined: dict[int, dt.date] = {}
    numbers: dict[int, str] = {}
    values: dict[int, list[str]] = {}
    rows = Member.objects.filter(fund=fund).values_list("pk", "number", "joined_on", "status")
    for pk, number, joined_on, status in rows:
        members[number] = (pk, joined_on.toordinal(), status)
        joined[pk] = joined_on
        numbers[pk] = number
        if number.isdigit():
            values.setdefault(int(number), []).append(number)
    started: set[int] = set(Standing.objects.filter(fund=fund).values_list("member_id", flat=True))
    started |= set(MemberPlan.objects.filter(fund=fund).values_list("member_id", flat=True))
    started |= set(Receipt.objects.filter(fund=fund).values_list("member_id", flat=True))
    terms = Terms.objects.select_related("default_plan").filter(fund=fund).first()
    if needs_plan and terms is None:
        raise _Refused(
            _("The fund has no contribution plan yet. Set up its plans first, then import.")
        )
    accounts = list(Account.objects.filter(fund=fund, role__in=("cash", "bank", "opening")))
    opening = next((a for a in accounts if a.role == "opening"), None)
    if opening is None:
        raise _Refused(_("The fund's books have no account for opening balances."))
    return _Register(
        members=members,
        by_value={value: found[0] for value, found in values.items() if len(found) == 1},
        joined=joined,
        numbers=numbers,
        started=started,
        plans={_key(p.name): p for p in Plan.objects.filter(fund=fund)},
        default_plan=terms.default_plan if terms else None,
        money={a.code: a for a in accounts if a.is_money and a.is_active},
        opening_code=opening.code,
    )


# --- The as-of date and the balances ---------------------------------------------------------


def _check_as_of(fund: Fund, sheets: Sheets, today: dt.date) -> None:
    as_of = sheets.as_of
    if as_of is None:
        return
    message = ""
    if as_of > today:
        message = _("The date of the balances cannot be in the future.")
    elif as_of < fund.founded_on:
        message = _("This is before the fund was founded (%(date)s).") % {
            "date": format_date(fund.founded_on)
        }
    elif (closed := closed_period_on(fund, as_of)) is not None:
        message = _(
            "The books from %(start)s to %(end)s are closed; the opening balances cannot be "
            "dated inside."
        ) % {"start": format_date(closed.start), "end": format_date(closed.end)}
    elif (first := _first_entry_day(fund)) is not None and as_of >= first:
        # The sheet's cash and payments would then count again what Kongtun already holds.
        message = _(
            "Kongtun already has book entries from %(date)s. The opening balances must be "
            "dated before that day."
        ) % {"date": format_date(first)}
    if message:
        sheets.problems.add(sheets.title(BALANCES), sheets.as_of_row, "ยอดยกมา ณ วันที่", message)
        sheets.as_of = None  # later rules do not compare with a date that is wrong itself


def _first_entry_day(fund: Fund) -> dt.date | None:
    entries = JournalEntry.objects.filter(fund=fund).exclude(kind=JournalEntry.Kind.OPENING)
    return entries.order_by("date").values_list("date", flat=True).first()


def _source_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for source in Source:
        for name in (source.value, str(source.label), SOURCE_TH.get(source, "")):
            if name:
                keys[_key(name)] = source.value
    return keys


def _check_balances(sheets: Sheets, register: _Register, checked: Checked) -> None:
    sources = _source_keys()
    accounts = {_key(a.name_th): code for code, a in register.money.items()}
    accounts |= {_key(a.name_en): code for code, a in register.money.items() if a.name_en}
    seen: dict[str, int] = {}
    problems = sheets.problems.count
    for line in sheets.balances:
        code = line.code if line.code in register.money else ""
        source = "" if code else sources.get(_key(line.code), "")
        if not code and not source:
            code = accounts.get(_key(line.item), "")
            source = "" if code else sources.get(_key(line.item), "")
        if not code and not source:
            sheets.problem(
                BALANCES,
                line.row,
                "item",
                _(
                    "Unknown item “%(item)s”. Use the rows of the template: the fund's cash and "
                    "bank accounts and the sources of its money."
                )
                % {"item": shown(line.item or line.code)},
            )
            continue
        if line.amount < 0:
            sheets.problem(BALANCES, line.row, "amount", _("A balance cannot be negative."))
            continue
        key = code or f"source:{source}"
        if key in seen:
            sheets.problem(
                BALANCES, line.row, "item", _("Also in row %(row)d.") % {"row": seen[key]}
            )
            continue
        seen[key] = line.row
        if code:
            checked.money[code] = line.amount
        else:
            checked.sources[source] = line.amount
    money, funds = sum(checked.money.values(), ZERO), sum(checked.sources.values(), ZERO)
    # With a line refused the totals say nothing more: the line is what to correct.
    if money != funds and sheets.problems.count == problems:
        sheets.problem(
            BALANCES,
            0,
            "amount",
            _(
                "The money (%(money)s baht in cash and bank) and the fund's balance by source "
                "(%(sources)s baht) must be the same total; they differ by %(difference)s baht."
            )
            % {
                "money": f"{money:,.2f}",
                "sources": f"{funds:,.2f}",
                "difference": f"{abs(money - funds):,.2f}",
            },
        )


# --- Members ---------------------------------------------------------------------------------


def _check_members(sheets: Sheets, register: _Register, checked: Checked, today: dt.date) -> None:
    seen: dict[int, int] = {}
    anchor = sheets.as_of or today
    ahead = anchor.replace(year=anchor.year + MAX_YEARS_AHEAD, day=min(anchor.day, 28))
    for row in sheets.members:
        found = register.find(row.number)
        if found is None:
            sheets.problem(MEMBERS, row.row, "number", _unknown(row.number))
            continue
        pk, _joined, status = found
        problems: list[tuple[str, str]] = []
        if pk in seen:
            problems.append(("number", _("Also in row %(row)d.") % {"row": seen[pk]}))
        seen.setdefault(pk, row.row)
        if status not in PAYING:
            problems.append(("number", _no_longer_member(status)))
        if pk in register.started:
            problems.append(
                (
                    "number",
                    _(
                        "This member already has contributions in Kongtun (receipts or a "
                        "plan). Leave the member out of this sheet."
                    ),
                )
            )
        joined = register.joined[pk]
        if row.paid_through < joined - dt.timedelta(days=1):
            problems.append(
                (
                    "paid_through",
                    _("This is before the member joined (%(date)s).")
                    % {"date": format_date(joined)},
                )
            )
        elif row.paid_through > ahead:
            problems.append(
                (
                    "paid_through",
                    _("Paid more than %(years)d years ahead: check the year.")
                    % {"years": MAX_YEARS_AHEAD},
                )
            )
        plan = register.plans.get(_key(row.plan)) if row.plan else register.default_plan
        if plan is None:
            problems.append(("plan", _unknown_plan(row.plan, register)))
        if row.fees_due < 0:
            problems.append(("fees_due", _("The fees owed cannot be negative.")))
        for name, message in problems:
            sheets.problem(MEMBERS, row.row, name, message)
        if not problems and plan is not None:
            checked.members.append((pk, row.paid_through, plan, row.fees_due))
            checked.numbers[pk] = register.numbers[pk]


def _unknown(number: str) -> str:
    return _(
        "No member with number %(number)s in the register. Import the members first "
        "(Members → Import), then this file."
    ) % {"number": number}


def _no_longer_member(status: str) -> str:
    return _(
        "This person is no longer a member (%(status)s). Leave them out of this sheet; their "
        "past payments may stay in the history."
    ) % {"status": Status(status).label}


def _unknown_plan(name: str, register: _Register) -> str:
    names = ", ".join(sorted(p.name for p in register.plans.values()))
    return _("The fund has no plan “%(plan)s”. Use one of: %(plans)s.") % {
        "plan": shown(name),
        "plans": names,
    }


# --- The payment history ---------------------------------------------------------------------


def _check_history(sheets: Sheets, register: _Register, checked: Checked, today: dt.date) -> None:
    """600,000 rows: the rules as plain comparisons of integers (ordinals, satang)."""
    history = sheets.history
    today_day = today.toordinal()
    as_of_day = sheets.as_of.toordinal() if sheets.as_of else today_day
    members, find = register.members, register.find
    ids = checked.history_members
    per_member = checked.per_member
    total = 0
    for i, number in enumerate(history.numbers):
        found = members.get(number) or find(number)
        row = history.rows[i]
        if found is None:
            sheets.problem(HISTORY, row, "number", _unknown(number))
            ids.append(0)
            continue
        pk, joined_day, _status = found
        day, satang = history.days[i], history.satang[i]
        ids.append(pk)
        if day > as_of_day or day < joined_day:
            sheets.problem(
                HISTORY, row, "date", _date_problem(day, today_day, as_of_day, pk, register)
            )
        if satang <= 0 or satang > _MAX_SATANG:
            sheets.problem(HISTORY, row, "amount", _amount_problem(satang))
        sums = per_member.get(pk)
        if sums is None:
            per_member[pk] = [1, satang]
            checked.numbers.setdefault(pk, register.numbers[pk])
        else:
            sums[0] += 1
            sums[1] += satang
        total += satang
    checked.payments_satang = total


def _date_problem(day: int, today_day: int, as_of_day: int, pk: int, register: _Register) -> str:
    if day > today_day:
        return _("This date is in the future.")
    if day > as_of_day:
        return _(
            "This payment is after the date of the opening balances (%(date)s); record it as "
            "a receipt instead."
        ) % {"date": format_date(dt.date.fromordinal(as_of_day))}
    return _("This is before the member joined (%(date)s).") % {
        "date": format_date(register.joined[pk])
    }


def _amount_problem(satang: int) -> str:
    if satang == 0:
        return _("The amount must be more than zero.")
    if satang < 0:
        return _("The amount cannot be negative.")
    return _("The amount is too large for one payment (at most %(max)s baht).") % {
        "max": f"{from_satang(_MAX_SATANG):,.2f}"
    }
