"""The pure ledger rules in kongtun.ledger.core: no database, so they can be hammered freely."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongtun.ledger import core
from kongtun.ledger.core import AccountType, Entry, Posting

D = Decimal
DAY = dt.date(2025, 3, 14)
CODES = ["1101", "1111", "4101", "4201", "5101", "5201", "2101", "3101"]


def entry(*lines: tuple[str, Decimal | float | int] | Posting, memo: str = "test") -> Entry:
    postings = tuple(ln if isinstance(ln, Posting) else Posting(ln[0], ln[1]) for ln in lines)  # type: ignore[arg-type]
    return Entry(DAY, memo, postings)


def codes(e: Entry) -> list[str]:
    return [err.code for err in core.validate_entry(e)]


# --- validate_entry ---------------------------------------------------------------------------


def test_it_accepts_a_balanced_entry():
    assert codes(entry(("1101", D("100.00")), ("4101", D("-100.00")))) == []


def test_it_accepts_several_debits_against_one_credit():
    e = entry(("5101", D("0.10")), ("5201", D("0.20")), ("1101", D("-0.30")))
    assert codes(e) == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], ["too_few_postings", "no_debit", "no_credit"]),
        ([("1101", D("1.00"))], ["too_few_postings", "no_credit", "unbalanced"]),
        (
            [("1101", D("0.00")), ("4101", D("0.00"))],
            ["zero_amount", "zero_amount", "no_debit", "no_credit"],
        ),
        ([("1101", D("1.005")), ("4101", D("-1.005"))], ["not_satang", "not_satang"]),
        ([("1101", D("-1.00")), ("4101", D("-1.00"))], ["no_debit", "unbalanced"]),
        ([("1101", D("1.00")), ("4101", D("1.00"))], ["no_credit", "unbalanced"]),
        ([("1101", D("100.00")), ("4101", D("-99.99"))], ["unbalanced"]),
    ],
    ids=["empty", "one-line", "zero", "sub-satang", "no-debit", "no-credit", "unbalanced"],
)
def test_it_names_every_problem(lines, expected):
    assert codes(entry(*lines)) == expected


def test_the_unbalanced_message_says_by_how_much():
    (error,) = core.validate_entry(entry(("1101", D("100.00")), ("4101", D("-99.99"))))
    assert error.code == "unbalanced"
    assert "0.01" in error.message


@pytest.mark.parametrize("amount", [0.1, 100.0, 1])
def test_it_refuses_amounts_that_are_not_decimals(amount):
    # A float like 0.1 is not 0.10 baht; ints are refused too so every caller builds Decimals.
    e = entry(("1101", amount), ("4101", D("-0.10")))
    assert codes(e) == ["not_decimal"]


def test_it_refuses_infinite_and_nan_amounts():
    assert codes(entry(("1101", D("Infinity")), ("4101", D("-1.00")))) == ["not_finite"]
    assert codes(entry(("1101", D("1.00")), ("4101", D("NaN")))) == ["not_finite"]


def test_trailing_zeros_do_not_matter():
    assert codes(entry(("1101", D("5")), ("4101", D("-5.000")))) == []


# --- reversal ---------------------------------------------------------------------------------


def test_a_reversal_negates_every_line_and_keeps_accounts_and_sources():
    original = entry(
        Posting("1101", D("250.50"), ""),
        Posting("4101", D("-200.00"), "members"),
        Posting("4201", D("-50.50"), "codi"),
    )
    undo = core.reversal(original, on=dt.date(2025, 4, 1), memo="undo")
    assert undo.date == dt.date(2025, 4, 1)
    assert undo.memo == "undo"
    assert [(p.account, p.source) for p in undo.postings] == [
        (p.account, p.source) for p in original.postings
    ]
    assert [p.amount for p in undo.postings] == [D("-250.50"), D("200.00"), D("50.50")]
    assert core.validate_entry(undo) == []
    together = core.balances([*original.postings, *undo.postings])
    assert set(together.values()) == {D("0.00")}


# --- balances and display sign ----------------------------------------------------------------


def test_balances_sum_signed_amounts_per_account():
    postings = [
        Posting("1101", D("100.00")),
        Posting("4101", D("-100.00")),
        Posting("1101", D("-30.25")),
        Posting("5101", D("30.25")),
    ]
    assert core.balances(postings) == {"1101": D("69.75"), "4101": D("-100.00"), "5101": D("30.25")}
    assert core.balances([]) == {}


@pytest.mark.parametrize(
    ("account_type", "signed", "expected"),
    [
        (AccountType.ASSET, D("100.00"), D("100.00")),
        (AccountType.EXPENSE, D("100.00"), D("100.00")),
        (AccountType.INCOME, D("-100.00"), D("100.00")),
        (AccountType.LIABILITY, D("-100.00"), D("100.00")),
        (AccountType.EQUITY, D("-100.00"), D("100.00")),
        ("asset", D("-5.00"), D("-5.00")),  # an overdrawn asset still shows as negative
        ("income", D("5.00"), D("-5.00")),  # a refund exceeding income shows as negative
    ],
)
def test_shown_turns_credit_normal_balances_positive(account_type, signed, expected):
    assert core.shown(account_type, signed) == expected


def test_shown_refuses_unknown_types():
    with pytest.raises(ValueError):
        core.shown("savings", D("1.00"))


# --- digest -----------------------------------------------------------------------------------


def lines(cash: str = "1101", amount: str = "10.00", source: str = "") -> tuple[Posting, ...]:
    return (Posting(cash, D(amount), source), Posting("4101", -D(amount), "members"))


def body(**changes: object) -> dict[str, object]:
    kwargs: dict[str, object] = {
        "number": 7,
        "entry": Entry(DAY, "test", lines()),
        "reverses": None,
        "fund": 1,
    }
    kwargs.update(changes)
    return core.entry_body(**kwargs)  # type: ignore[arg-type]


def test_the_digest_is_stable_and_chained():
    assert core.digest("0" * 64, body()) == core.digest("0" * 64, body())
    assert core.digest("0" * 64, body()) != core.digest("1" * 64, body())
    assert len(core.digest("0" * 64, body())) == 64


@pytest.mark.parametrize(
    "changes",
    [
        {"number": 8},
        {"fund": 2},
        {"reverses": 3},
        {"entry": Entry(DAY + dt.timedelta(days=1), "test", lines())},
        {"entry": Entry(DAY, "other", lines())},
        {"entry": Entry(DAY, "test", lines(cash="1111"))},
        {"entry": Entry(DAY, "test", lines(amount="10.01"))},
        {"entry": Entry(DAY, "test", lines(source="codi"))},
        {"entry": Entry(DAY, "test", lines()[::-1])},
    ],
    ids=["number", "fund", "reverses", "date", "memo", "account", "amount", "source", "order"],
)
def test_the_digest_changes_when_any_field_changes(changes):
    assert core.digest("0" * 64, body(**changes)) != core.digest("0" * 64, body())


def test_the_body_covers_every_field_the_tests_change():
    # If entry_body gains a field, the list above needs a case for it.
    assert set(body()) == {"fund", "number", "date", "memo", "reverses", "postings"}


# --- properties -------------------------------------------------------------------------------

satang = st.integers(min_value=1, max_value=9_999_999_999)


@st.composite
def balanced_entries(draw: st.DrawFn) -> Entry:
    """Debits and credits that split the same total into 1–4 parts each."""
    debits, credits = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    total = draw(st.integers(min_value=max(debits, credits), max_value=9_999_999_999))

    def split(parts: int) -> list[int]:
        cuts = draw(
            st.lists(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1, unique=True)
            if parts > 1
            else st.just([])
        )
        edges = [0, *sorted(cuts), total]
        return [b - a for a, b in itertools.pairwise(edges)]

    amounts = split(debits) + [-x for x in split(credits)]
    accounts = draw(st.lists(st.sampled_from(CODES), min_size=len(amounts), max_size=len(amounts)))
    order = draw(st.permutations(range(len(amounts))))
    postings = tuple(Posting(accounts[i], D(amounts[i]) / 100) for i in order)
    return Entry(DAY, "generated", postings)


@given(balanced_entries())
def test_balanced_entries_validate(e):
    assert core.validate_entry(e) == []
    assert sum((p.amount for p in e.postings), core.ZERO) == 0
    assert core.validate_entry(core.reversal(e, on=DAY, memo="r")) == []
    assert set(
        core.balances([*e.postings, *core.reversal(e, on=DAY, memo="r").postings]).values()
    ) == {0}


@given(balanced_entries(), st.data())
def test_any_single_amount_change_is_caught(e, data):
    index = data.draw(st.integers(0, len(e.postings) - 1))
    delta = D(data.draw(satang.filter(lambda s: s != 0))) / 100
    delta = delta if data.draw(st.booleans()) else -delta
    changed = list(e.postings)
    changed[index] = changed[index]._replace(amount=changed[index].amount + delta)
    found = codes(e._replace(postings=tuple(changed)))
    assert "unbalanced" in found


@given(balanced_entries(), st.data())
def test_a_sub_satang_change_is_caught_too(e, data):
    index = data.draw(st.integers(0, len(e.postings) - 1))
    changed = list(e.postings)
    changed[index] = changed[index]._replace(amount=changed[index].amount + D("0.001"))
    found = codes(e._replace(postings=tuple(changed)))
    assert "not_satang" in found
    assert "unbalanced" in found
