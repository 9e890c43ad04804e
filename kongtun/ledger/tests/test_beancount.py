"""The auditor's export is a Beancount file that bean-check accepts and whose balances are ours."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data, realization
from django.core.management import call_command

from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.beancount import account_names, fund_to_beancount, quoted
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.selectors import account_balance
from kongtun.ledger.services import account_add, entry_post, entry_reverse

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
MEMOS = [
    "ยอดยกมาจากสมุดเงินสด",
    "เงินสัจจะ มี.ค. 2567",
    'ค่าทำศพ "นายสมมติ" ตามมติกรรมการ',
    "ฝากธนาคาร \\ ใบฝาก 12/3",
    "ค่าสมัคร\nและเงินบริจาค",
]


@pytest.fixture
def ledger(
    books: Fund, post: Callable[..., JournalEntry], users: dict[str, Any]
) -> list[JournalEntry]:
    """Entries on several accounts (one of the fund's own, oddly coded), with a reversal."""
    own = account_add(
        fund=books, actor=users["chair"], code="5.30 ก", name_th='ค่า "อื่น"', type="expense"
    )
    day = dt.date(2024, 3, 1)
    entries = [
        post(day, ("cash", "5000"), ("opening", "-5000"), memo=MEMOS[0], kind="opening"),
        post(day, ("cash", "300"), ("income.members", "-300"), memo=MEMOS[1], kind="contribution"),
        post(dt.date(2024, 3, 5), ("welfare.death", "1000.00"), ("cash", "-1000"), memo=MEMOS[2]),
        post(dt.date(2024, 3, 6), ("bank", "2000"), ("cash", "-2000"), memo=MEMOS[3]),
        post(dt.date(2024, 3, 8), ("cash", "150.50"), ("income.entry_fees", "-50.50"),
             ("income.donations", "-100"), memo=MEMOS[4]),
    ]  # fmt: skip
    postings = (core.Posting(own.code, Decimal("12.25")), core.Posting("1101", Decimal("-12.25")))
    entries.append(
        entry_post(fund=books, actor=users["treasurer"], kind="other",
                   entry=core.Entry(dt.date(2024, 3, 9), "อื่น ๆ", postings))
    )  # fmt: skip
    entries.append(
        entry_reverse(
            entry=entries[2], actor=users["chair"], on=dt.date(2024, 3, 10), reason="จ่ายซ้ำ"
        )
    )
    return entries


def bean_check(path: Path) -> subprocess.CompletedProcess[str]:
    # Missing bean-check fails the test: the export is only proven by the real checker.
    assert BEAN_CHECK.exists(), f"{BEAN_CHECK} is missing: pip install -r requirements-dev.txt"
    return subprocess.run(
        [str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_bean_check_accepts_the_export_and_its_balances_are_ours(ledger, books, tmp_path):
    path = tmp_path / "books.beancount"
    path.write_text(fund_to_beancount(books), encoding="utf-8")
    result = bean_check(path)
    assert result.returncode == 0, result.stdout + result.stderr

    entries, errors, options = loader.load_file(str(path))
    assert errors == []
    assert options["title"] == f"{books.name} ({books.code})"
    assert options["operating_currency"] == ["THB"]

    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.meta["number"] for t in transactions] == [e.number for e in ledger]
    assert [t.narration for t in transactions] == [e.memo for e in ledger]
    assert [t.meta["hash"] for t in transactions] == [e.hash for e in ledger]
    assert transactions[-1].meta["reverses"] == 3

    # Beancount's own sums per account, against Kongtun's SQL balances, to the satang.
    code_of = {e.account: e.meta["code"] for e in entries if isinstance(e, data.Open)}
    real = realization.realize(entries)
    theirs = {
        code_of[name]: realization.get(real, name).balance.get_currency_units("THB").number
        for name in code_of
    }
    ours = {
        a.code: account_balance(fund=books, account=a) for a in Account.objects.filter(fund=books)
    }
    assert theirs == ours
    assert (
        ours["1101"]
        == Decimal("5000") + 300 - 1000 - 2000 + Decimal("150.50") - Decimal("12.25") + 1000
    )
    assert ours["5101"] == 0  # the welfare payment, reversed


def test_accounts_are_opened_with_their_thai_names(ledger, books):
    text = fund_to_beancount(books)
    assert f'{books.founded_on} open Assets:A1101 THB\n  code: "1101"\n  name: "เงินสด"' in text
    assert "open Income:A4101 THB" in text
    assert "open Expenses:A5-30--" in text
    assert 'name: "ค่า \\"อื่น\\""' in text


def test_a_tampered_export_fails_bean_check(ledger, books, tmp_path):
    """The check is real: one posting changed by a satang and bean-check refuses the file."""
    text = fund_to_beancount(books)
    lines = text.splitlines()
    at = next(
        i
        for i, ln in enumerate(lines)
        if ln.strip().startswith("Income:A4101 ") and "-300.00" in ln
    )
    lines[at] = lines[at].replace("-300.00", "-300.01")
    path = tmp_path / "tampered.beancount"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = bean_check(path)
    assert result.returncode != 0
    assert "does not balance" in result.stdout + result.stderr


def test_an_empty_fund_exports_a_valid_file(books, tmp_path):
    path = tmp_path / "empty.beancount"
    path.write_text(fund_to_beancount(books), encoding="utf-8")
    result = bean_check(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_command_writes_the_file(ledger, books, tmp_path, capsys):
    out = tmp_path / "out.beancount"
    call_command("export_beancount", books.code, "-o", str(out))
    assert out.read_text(encoding="utf-8") == fund_to_beancount(books)
    call_command("export_beancount", books.code)
    assert capsys.readouterr().out == fund_to_beancount(books)


def test_names_are_valid_and_unique_whatever_the_codes():
    accounts = [
        Account(pk=1, code="1101", type="asset"),
        Account(pk=2, code="11.01", type="asset"),
        Account(pk=3, code="11-01", type="asset"),
        Account(pk=4, code="รายได้", type="income"),
    ]
    names = account_names(accounts)
    assert names == {
        1: "Assets:A1101",
        3: "Assets:A11-01",
        2: "Assets:A11-01-2",
        4: "Income:A------",
    }


def test_strings_are_escaped():
    assert quoted('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_the_auditor_downloads_the_books(fund, client_for, users):
    from django.urls import reverse

    response = client_for("auditor").get(
        reverse("ledger-beancount", kwargs={"fund_code": fund.code})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'option "operating_currency" "THB"' in response.content.decode()
