"""The small-count rule, the typed tables and their JSON and CSV renderings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongtun.public.specs import PAGES
from kongtun.public.suppress import HIDDEN, SMALL, Count, protect_group, total_of, withhold
from kongtun.public.tables import Column, Page, Subject, TableSpec, page_json, table_csv


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, SMALL), (4, SMALL), (5, 5), (1234, 1234)])
def test_a_count_of_one_to_four_is_never_shown(n, shown):
    assert Count(n).public() == shown


def test_str_groups_thousands_and_keeps_the_marks():
    assert str(Count(12345)) == "12,345"
    assert str(Count(3)) == "<5"
    assert str(Count(9, hidden=True)) == HIDDEN


@pytest.mark.parametrize("bad", [-1, 2.0, True, "3", None])
def test_a_count_is_a_whole_number_of_at_least_zero(bad):
    with pytest.raises(TypeError):
        Count(bad)


def test_one_small_count_beside_a_shown_total_hides_the_next_smallest():
    cells = [Count(20), Count(3), Count(7), Count(0)]
    out = protect_group(cells)
    assert [c.public() for c in out] == [20, SMALL, HIDDEN, 0]
    # total − the shown ones no longer gives the small count
    assert total_of(out).public() == 30


def test_two_small_counts_need_nothing_more():
    cells = [Count(20), Count(3), Count(2)]
    assert [c.public() for c in protect_group(cells)] == [20, SMALL, SMALL]


counts = st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5)


def _values_a_reader_could_find(out: list[Count], total: int) -> list[set[int]]:
    """For each count not shown, every value that fits what the page shows, by brute force."""
    hidden = [i for i, c in enumerate(out) if not c.shown]
    known = sum(c.n for c in out if c.shown)
    ranges = [range(1, 5) if out[i].small else range(5, total + 1) for i in hidden]
    fits: list[set[int]] = [set() for _ in hidden]
    for values in itertools.product(*ranges):
        if known + sum(values) == total:
            for place, value in enumerate(values):
                fits[place].add(value)
    return fits


@given(counts)
def test_no_small_count_can_be_worked_out_from_the_total(values):
    """Whenever the total is shown, every count of 1 to 4 could be at least two numbers."""
    cells = [Count(v) for v in values]
    out = protect_group(cells)
    assert [c.n for c in out] == values  # the numbers are kept; only what is shown changes
    assert all(c.public() not in (1, 2, 3, 4) for c in out)
    total = total_of(out)
    assert total.n == sum(values)
    if total.shown:
        for fit in _values_a_reader_could_find(out, total.n):
            assert len(fit) >= 2, (values, [c.public() for c in out])


def test_the_total_is_hidden_when_nothing_else_can_be():
    out = protect_group([Count(1), Count(5)])
    assert [c.public() for c in out] == [SMALL, HIDDEN]
    assert total_of(out).public() == HIDDEN  # 6 − (at least 5) would leave exactly 1


SPEC = TableSpec(
    "t",
    "T",
    "",
    (
        Column("name", "text", "Name"),
        Column("people", "count", "People"),
        Column("baht", "money", "Baht"),
        Column("on", "date", "On"),
        Column("ok", "bool", "OK"),
    ),
)


def row(**changes):
    base = {
        "name": "กองทุน",
        "people": Count(3),
        "baht": Decimal("1234.5"),
        "on": dt.date(2026, 9, 30),
        "ok": True,
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    "bad",
    [
        {"people": 3},  # a raw number would skip the small-count rule
        {"baht": 1234.5},  # money is never a float
        {"ok": 1},
    ],
)
def test_a_mistyped_value_is_refused(bad):
    with pytest.raises(TypeError):
        SPEC.table([row(**bad)])


def test_a_missing_or_extra_column_is_refused():
    with pytest.raises(ValueError):
        SPEC.table([{k: v for k, v in row().items() if k != "ok"}])
    with pytest.raises(ValueError):
        SPEC.table([{**row(), "extra": "x"}])


def test_csv_has_a_bom_the_column_keys_and_escapes_formulas():
    table = SPEC.table([row(name='=HYPERLINK("http://x")'), row(people=Count(12))])
    body = table_csv(table)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["name", "people", "baht", "on", "ok"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "<5", "1234.50", "2026-09-30", "true"]
    assert rows[2][1] == "12"


def test_json_gives_money_as_text_and_small_counts_as_marks():
    from kongtun.public.tables import PageSpec

    spec = PageSpec("p", "P", "", (SPEC,), "p")
    page = Page(
        spec, Subject("site", "", ""), dt.date(2026, 9, 30), 2569, {"t": SPEC.table([row()])}
    )
    body = page_json(page, generated_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
    assert body["schema"] == "kongtun-public/1"
    assert body["tables"]["t"] == [
        {"name": "กองทุน", "people": "<5", "baht": "1234.50", "on": "2026-09-30", "ok": True}
    ]
    json.dumps(body)  # nothing a JSON encoder cannot take (no Decimal, no date)


def test_a_page_must_fill_every_table_of_its_spec():
    spec = PAGES["statements"]
    with pytest.raises(ValueError):
        Page(spec, Subject("fund", "x", "x"), dt.date(2026, 9, 30), 2569, {})


def test_every_column_key_is_unique_within_its_table():
    for page in PAGES.values():
        for table in page.tables:
            keys = [c.key for c in table.columns]
            assert len(keys) == len(set(keys)), (page.kind, table.key)


def test_an_amount_is_withheld_where_its_count_is_not_shown():
    counts = protect_group([Count(20), Count(3), Count(7)])
    amounts = [Decimal("10000"), Decimal("1500"), Decimal("3500")]
    assert withhold(amounts, counts) == [Decimal("10000"), None, None]
