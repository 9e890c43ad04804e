"""Opening balances from Excel: the rules, all or nothing, once per file, and what is written.

Every workbook is a real .xlsx made with openpyxl (`opening_files`). The fund has the monthly
plan of 30 baht (conftest); the members joined on 1 January 2024; the balances are as of
30 September 2025 (30/09/2568).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kongtun.contributions.models import (
    MemberPlan,
    OpeningImport,
    PastPayment,
    Plan,
    Standing,
)
from kongtun.contributions.opening import (
    build_template_xlsx,
    opening_import,
    opening_preview,
    opening_reconciliation,
)
from kongtun.contributions.services import payment_record, plan_create, verify_standing
from kongtun.contributions.tests import opening_files as files
from kongtun.contributions.tests.conftest import new_member
from kongtun.ledger.models import Account, JournalEntry, JournalLine
from kongtun.ledger.verify import verify_ledger
from kongtun.members.models import Member

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 9, 30)


@pytest.fixture
def members(plan: Plan, books: Any, users: Any) -> list[Member]:
    return [new_member(books, users["treasurer"], seed) for seed in (201, 202, 203)]


@pytest.fixture
def treasurer(users: Any) -> Any:
    return users["treasurer"]


def _months(number: str, first: dt.date, count: int, amount: Any = 30) -> list[list[Any]]:
    """`count` monthly payments of `amount` from `first`, dates typed in BE."""
    rows = []
    day = first
    for k in range(count):
        rows.append([number, f"{day.day:02d}/{day.month:02d}/{day.year + 543}", amount, f"R{k}"])
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=first.day)
    return rows


def _good(members: list[Member]) -> bytes:
    a, b, c = (m.number for m in members)
    return files.workbook(
        members=[
            [a, "30/09/2568", "", 0],
            [b, "31/08/2568", "รายเดือน 30 บาท", "20"],
            [c, "31/12/2567", "", ""],
        ],
        history=_months(a, dt.date(2024, 1, 5), 21)
        + _months(b, dt.date(2024, 1, 10), 20)
        + [[c, "05/01/2567", 365, ""]],
        money={"1101": "1,000.00", "1111": 9000},
        sources={"members": "6,000", "codi": 3000, "interest": "1000.00"},
    )


def _nothing_written() -> None:
    assert not OpeningImport.objects.exists()
    assert not PastPayment.objects.exists()
    assert not Standing.objects.exists()
    assert not MemberPlan.objects.exists()
    assert not JournalEntry.objects.exists()


# --- A good import ---------------------------------------------------------------------------


def test_it_imports_paid_through_dates_history_standing_and_the_opening_entry(
    members: list[Member], treasurer: Any
) -> None:
    a, b, c = members
    outcome = opening_import(
        fund=a.fund, actor=treasurer, filename="opening.xlsx", data=_good(members)
    )
    opening = outcome.opening
    assert not outcome.already_imported
    assert (opening.as_of, opening.members, opening.payments) == (AS_OF, 3, 42)
    assert opening.payments_total == Decimal(30 * 41 + 365)

    standings = {s.member_id: s for s in Standing.objects.all()}
    assert {pk: s.paid_through for pk, s in standings.items()} == {
        a.pk: dt.date(2025, 9, 30),
        b.pk: dt.date(2025, 8, 31),
        c.pk: dt.date(2024, 12, 31),
    }
    assert {pk: s.fees_due for pk, s in standings.items()} == {
        a.pk: Decimal("0.00"),
        b.pk: Decimal("20.00"),
        c.pk: Decimal("0.00"),
    }
    assert all(s.credit == Decimal("0.00") and s.epoch == 1 for s in standings.values())
    plans = {p.member_id: (p.starts_on, p.epoch, p.plan.name) for p in MemberPlan.objects.all()}
    assert plans[a.pk] == (dt.date(2025, 10, 1), 1, "รายเดือน 30 บาท")
    assert plans[c.pk] == (dt.date(2025, 1, 1), 1, "รายเดือน 30 บาท")
    assert all(verify_standing(m) == [] for m in members)

    past = PastPayment.objects.filter(batch=opening).order_by("member", "date")
    assert past.count() == 42
    first = past.filter(member=a).first()
    assert first is not None
    assert (first.date, first.amount, first.reference) == (
        dt.date(2024, 1, 5),
        Decimal("30.00"),
        "R0",
    )
    last_c = past.get(member=c)
    assert (last_c.date, last_c.amount, last_c.reference) == (
        dt.date(2024, 1, 5),
        Decimal("365.00"),
        "",
    )

    entry = opening.entry
    assert entry is not None
    assert (entry.kind, entry.date) == (JournalEntry.Kind.OPENING, AS_OF)
    lines = {
        (ln.account.code, ln.source): ln.amount for ln in entry.lines.select_related("account")
    }
    assert lines == {
        ("1101", ""): Decimal("1000.00"),
        ("1111", ""): Decimal("9000.00"),
        ("3201", "members"): Decimal("-6000.00"),
        ("3201", "codi"): Decimal("-3000.00"),
        ("3201", "interest"): Decimal("-1000.00"),
    }
    assert sum(lines.values()) == 0
    assert verify_ledger(a.fund) == []


def test_the_reconciliation_of_a_good_import_is_all_equal(
    members: list[Member], treasurer: Any
) -> None:
    opening = opening_import(
        fund=members[0].fund, actor=treasurer, filename="o.xlsx", data=_good(members)
    ).opening
    with translation.override("en"):  # lines are found by their English labels
        report = opening_reconciliation(opening=opening)
    figures = {line.label: (line.sheet, line.kongtun) for s in report.sections for line in s.lines}
    assert report.recorded
    assert report.all_equal, figures
    assert figures["Members with a paid-through date"] == (3, 3)
    assert figures["Past payments"] == (42, 42)
    assert figures["Members whose payments add up as on the sheet"] == (3, 3)
    assert figures["Fund balance, total"] == (Decimal("10000.00"), Decimal("10000.00"))
    assert figures["Money, total"] == (Decimal("10000.00"), Decimal("10000.00"))
    assert report.differences == []


def test_the_reconciliation_shows_what_changed_after_the_import(
    members: list[Member], treasurer: Any, pay: Any
) -> None:
    opening = opening_import(
        fund=members[0].fund, actor=treasurer, filename="o.xlsx", data=_good(members)
    ).opening
    pay(members[0], "30", AS_OF)  # a receipt dated on the opening day moves the cash
    report = opening_reconciliation(opening=opening)
    assert not report.all_equal
    different = [line for s in report.sections for line in s.lines if not line.equal]
    assert {line.kongtun for line in different} == {Decimal("1030.00"), Decimal("10030.00")}


def test_a_later_payment_continues_from_the_imported_paid_through_date(
    members: list[Member], treasurer: Any
) -> None:
    a, b, _c = members
    opening_import(fund=a.fund, actor=treasurer, filename="o.xlsx", data=_good(members))
    receipt = payment_record(
        member=a, actor=treasurer, amount=Decimal("60"), date=dt.date(2025, 10, 3)
    )
    assert receipt.paid_through == dt.date(2025, 11, 30)
    assert (receipt.fee, receipt.contribution) == (Decimal("0.00"), Decimal("60.00"))
    # b still owes the 20-baht fee, paid first.
    receipt = payment_record(
        member=b, actor=treasurer, amount=Decimal("50"), date=dt.date(2025, 10, 3)
    )
    assert (receipt.fee, receipt.contribution, receipt.paid_through) == (
        Decimal("20.00"),
        Decimal("30.00"),
        dt.date(2025, 9, 30),
    )
    assert verify_standing(a) == [] and verify_standing(b) == []


def test_the_same_file_twice_imports_once(members: list[Member], treasurer: Any) -> None:
    data = _good(members)
    fund = members[0].fund
    first = opening_import(fund=fund, actor=treasurer, filename="o.xlsx", data=data)
    again = opening_import(fund=fund, actor=treasurer, filename="copy.xlsx", data=data)
    assert again.already_imported and again.opening.pk == first.opening.pk
    assert OpeningImport.objects.count() == 1
    assert PastPayment.objects.count() == 42
    assert JournalEntry.objects.filter(kind="opening").count() == 1
    preview = opening_preview(fund=fund, filename="o.xlsx", data=data, today=timezone.localdate())
    assert preview.already_imported == first.opening and not preview.accepted


def test_a_second_opening_from_another_file_is_refused(
    members: list[Member], treasurer: Any
) -> None:
    fund = members[0].fund
    opening_import(fund=fund, actor=treasurer, filename="o.xlsx", data=_good(members))
    other = files.workbook(money={"1101": 5}, sources={"donations": 5})
    with pytest.raises(ValidationError):
        opening_import(fund=fund, actor=treasurer, filename="p.xlsx", data=other)
    assert OpeningImport.objects.count() == 1
    preview = opening_preview(fund=fund, filename="p.xlsx", data=other, today=timezone.localdate())
    assert preview.file_error and not preview.accepted


# --- Row-level problems: each names its sheet and row, and nothing is written ----------------


def _problems(fund: Any, data: bytes) -> list[tuple[str, int, str]]:
    preview = opening_preview(fund=fund, filename="x.xlsx", data=data, today=timezone.localdate())
    assert preview.file_error is None
    assert not preview.accepted
    return [(e.sheet, e.row, e.column) for e in preview.errors]


def _refused(fund: Any, actor: Any, data: bytes) -> None:
    with pytest.raises(ValidationError):
        opening_import(fund=fund, actor=actor, filename="x.xlsx", data=data)
    _nothing_written()


CASES: dict[str, tuple[Callable[[str], dict[str, Any]], tuple[str, int, str]]] = {
    "unknown member on the members sheet": (
        lambda a: {"members": [[a, "30/09/2568"], ["99999", "30/09/2568"]]},
        ("สมาชิก", 3, "เลขที่สมาชิก"),
    ),
    "unknown member in the history": (
        lambda a: {"history": [[a, "05/01/2567", 30], ["88888", "05/01/2567", 30]]},
        ("ประวัติการส่ง", 3, "เลขที่สมาชิก"),
    ),
    "a date that does not exist": (
        lambda a: {"history": [[a, "31/02/2567", 30]]},
        ("ประวัติการส่ง", 2, "วันที่ส่ง"),
    ),
    "a payment in the future": (
        lambda a: {"history": [[a, "05/01/2567", 30], [a, "01/01/2650", 30]]},
        ("ประวัติการส่ง", 3, "วันที่ส่ง"),
    ),
    "a payment after the opening date": (
        lambda a: {"history": [[a, "01/10/2568", 30]]},
        ("ประวัติการส่ง", 2, "วันที่ส่ง"),
    ),
    "a payment before the member joined": (
        lambda a: {"history": [[a, "31/12/2566", 30]]},
        ("ประวัติการส่ง", 2, "วันที่ส่ง"),
    ),
    "paid through before the member joined": (
        lambda a: {"members": [[a, "30/12/2566"]]},
        ("สมาชิก", 2, "ส่งถึงวันที่"),
    ),
    "paid through, a bad date": (
        lambda a: {"members": [[a, "32/01/2568"]]},
        ("สมาชิก", 2, "ส่งถึงวันที่"),
    ),
    "a negative amount": (
        lambda a: {"history": [[a, "05/01/2567", 30], [a, "05/02/2567", -30]]},
        ("ประวัติการส่ง", 3, "จำนวนเงิน"),
    ),
    "a zero amount": (
        lambda a: {"history": [[a, "05/01/2567", 0]]},
        ("ประวัติการส่ง", 2, "จำนวนเงิน"),
    ),
    "an amount that is not money": (
        lambda a: {"history": [[a, "05/01/2567", "สามสิบ"]]},
        ("ประวัติการส่ง", 2, "จำนวนเงิน"),
    ),
    "the same member twice": (
        lambda a: {"members": [[a, "30/09/2568"], [a, "31/08/2568"]]},
        ("สมาชิก", 3, "เลขที่สมาชิก"),
    ),
    "an unknown plan": (
        lambda a: {"members": [[a, "30/09/2568", "รายวัน"]]},
        ("สมาชิก", 2, "แบบการส่ง"),
    ),
    "negative fees": (
        lambda a: {"members": [[a, "30/09/2568", "", -20]]},
        ("สมาชิก", 2, "ค่าสมัครค้างชำระ"),
    ),
    "balances that do not add up": (
        lambda a: {"money": {"1101": 100}, "sources": {"members": 90}},
        ("ยอดยกมา", 0, "จำนวนเงิน (บาท)"),
    ),
    "a negative balance": (
        lambda a: {"money": {"1101": -100, "1111": 200}, "sources": {"members": 100}},
        ("ยอดยกมา", 4, "จำนวนเงิน (บาท)"),
    ),
    "an unknown balance item": (
        lambda a: {"money": {"1101": 100, "9999": 5}, "sources": {"members": 105}},
        ("ยอดยกมา", 5, "รายการ"),
    ),
    "an opening date in the future": (
        lambda a: {"as_of": "01/01/2650"},
        ("ยอดยกมา", 1, "ยอดยกมา ณ วันที่"),
    ),
    "no opening date": (lambda a: {"as_of": None}, ("ยอดยกมา", 1, "ยอดยกมา ณ วันที่")),
    "no opening date, nor its label": (
        lambda a: {"as_of_label": False},
        ("ยอดยกมา", 0, "ยอดยกมา ณ วันที่"),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_rule_is_a_row_level_problem_and_nothing_is_written(
    case: str, members: list[Member], treasurer: Any
) -> None:
    make, expected = CASES[case]
    data = files.workbook(**make(members[0].number))
    fund = members[0].fund
    assert _problems(fund, data) == [expected]
    _refused(fund, treasurer, data)


def test_a_member_who_already_pays_in_kongtun_is_a_row_problem(
    members: list[Member], treasurer: Any, pay: Any
) -> None:
    a, b, _c = members
    pay(b, "50", dt.date(2025, 10, 1))
    data = files.workbook(members=[[a.number, "30/09/2568"], [b.number, "30/09/2568"]])
    assert _problems(a.fund, data) == [("สมาชิก", 3, "เลขที่สมาชิก")]
    with pytest.raises(ValidationError):
        opening_import(fund=a.fund, actor=treasurer, filename="x.xlsx", data=data)
    assert not OpeningImport.objects.exists() and not PastPayment.objects.exists()
    assert Standing.objects.get().member_id == b.pk  # only b's, from the payment


def test_balances_cannot_be_dated_on_or_after_money_already_in_the_books(
    members: list[Member], treasurer: Any, pay: Any
) -> None:
    # The receipt's cash is in the books; a count of cash taken later would hold it again.
    other = new_member(members[0].fund, treasurer, 204)
    pay(other, "50", dt.date(2025, 9, 5))
    data = _good(members)
    problems = _problems(members[0].fund, data)
    assert problems and all(sheet == "ยอดยกมา" for sheet, _row, _col in problems)
    with pytest.raises(ValidationError):
        opening_import(fund=members[0].fund, actor=treasurer, filename="x.xlsx", data=data)
    assert not OpeningImport.objects.exists() and not PastPayment.objects.exists()


def test_the_refusal_names_the_sheet_row_and_column(members: list[Member], treasurer: Any) -> None:
    data = files.workbook(history=[[members[0].number, "05/01/2567", 0]])
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        opening_import(fund=members[0].fund, actor=treasurer, filename="x.xlsx", data=data)
    assert refusal.value.messages == [
        "Sheet “ประวัติการส่ง”, row 2, column “จำนวนเงิน”: The amount must be more than zero."
    ]


def test_a_bad_last_row_writes_nothing(members: list[Member], treasurer: Any) -> None:
    a, b, c = (m.number for m in members)
    history = _months(a, dt.date(2024, 1, 5), 21) + _months(b, dt.date(2024, 1, 5), 21)
    history.append([c, "05/01/2567", "30.123"])
    data = files.workbook(members=[[a, "30/09/2568"], [b, "30/09/2568"]], history=history)
    assert _problems(members[0].fund, data) == [("ประวัติการส่ง", 44, "จำนวนเงิน")]
    _refused(members[0].fund, treasurer, data)


def test_every_problem_is_counted(members: list[Member]) -> None:
    bad = [["77777", "05/01/2567", 30]] * 500
    data = files.workbook(history=bad)
    preview = opening_preview(
        fund=members[0].fund, filename="x.xlsx", data=data, today=timezone.localdate()
    )
    assert preview.error_count == 500
    assert 0 < len(preview.errors) < 500
    assert [e.row for e in preview.errors[:2]] == [2, 3]


# --- Reading cells as people type them -------------------------------------------------------


def test_it_reads_numbers_dates_and_amounts_as_people_type_them(
    members: list[Member], treasurer: Any
) -> None:
    a, b, _c = members
    short = str(int(a.number))  # Excel dropped the leading zeros
    data = files.workbook(
        members=[[short, dt.datetime(2568, 9, 30)], [b.number, "31 ส.ค. 2568", "", "๒๐"]],
        history=[[short, dt.datetime(2024, 1, 5), "๓๐"], [b.number, "2024-01-05", "1,250.50 บาท"]],
        as_of=dt.datetime(2025, 9, 30),
        money={"1101": "1,280.50"},
        sources={"members": 1280.5},
    )
    opening = opening_import(fund=a.fund, actor=treasurer, filename="x.xlsx", data=data).opening
    assert Standing.objects.get(member=a).paid_through == dt.date(2025, 9, 30)
    assert Standing.objects.get(member=b).fees_due == Decimal("20.00")
    assert sorted(PastPayment.objects.values_list("amount", flat=True)) == [
        Decimal("30.00"),
        Decimal("1250.50"),
    ]
    assert opening.payments_total == Decimal("1280.50")


def test_the_downloaded_template_round_trips(members: list[Member], treasurer: Any) -> None:
    a = members[0]
    accounts = list(Account.objects.filter(fund=a.fund, role__in=("cash", "bank")))
    template = build_template_xlsx(accounts=accounts)
    empty = opening_preview(
        fund=a.fund, filename="t.xlsx", data=template, today=timezone.localdate()
    )
    assert empty.file_error is None and empty.error_count == 1  # only the date is missing
    data = files.fill_template(
        template,
        members=[[a.number, "30/09/2568", "", ""]],
        history=[[a.number, "05/09/2568", 30, ""]],
        as_of="30/09/2568",
        amounts={"1101": 30, "members": 30},
    )
    preview = opening_preview(fund=a.fund, filename="t.xlsx", data=data, today=timezone.localdate())
    assert preview.accepted, preview.errors
    assert (preview.members, preview.payments) == (1, 1)
    assert len(preview.notes) == 2  # the two example rows were left out
    opening = opening_import(fund=a.fund, actor=treasurer, filename="t.xlsx", data=data).opening
    assert opening_reconciliation(opening=opening).all_equal


def test_a_plan_named_on_the_sheet_is_used(members: list[Member], treasurer: Any) -> None:
    a = members[0]
    yearly = plan_create(
        fund=a.fund, actor=treasurer, name="รายปี", frequency="yearly", amount=Decimal("365")
    )
    data = files.workbook(members=[[a.number, "31/12/2567", " รายปี "]])
    opening_import(fund=a.fund, actor=treasurer, filename="x.xlsx", data=data)
    assert MemberPlan.objects.get(member=a).plan == yearly
    receipt = payment_record(
        member=a, actor=treasurer, amount=Decimal("365"), date=dt.date(2025, 1, 2)
    )
    assert receipt.paid_through == dt.date(2025, 12, 31)


def test_only_balances_post_an_entry_without_members(books: Any, treasurer: Any) -> None:
    data = files.workbook(sheets=[files.BALANCES_SHEET])
    opening = opening_import(fund=books, actor=treasurer, filename="x.xlsx", data=data).opening
    assert opening.entry is not None and opening.members == 0
    assert JournalLine.objects.filter(entry=opening.entry).count() == 4


# --- Whole files refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"number,date\n1,2\n",
        files.workbook(sheets=[files.MEMBERS_SHEET, files.HISTORY_SHEET]),
    ],
    ids=["empty", "csv", "no balances sheet"],
)
def test_a_file_that_is_not_the_workbook_is_refused(
    data: bytes, books: Any, treasurer: Any
) -> None:
    preview = opening_preview(fund=books, filename="x.xlsx", data=data, today=timezone.localdate())
    assert preview.file_error and not preview.accepted
    with pytest.raises(ValidationError):
        opening_import(fund=books, actor=treasurer, filename="x.xlsx", data=data)
    _nothing_written()


def test_a_sheet_with_a_dtd_is_refused_unread(books: Any) -> None:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(files.workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + body
            target.writestr(item, body)
    preview = opening_preview(
        fund=books, filename="x.xlsx", data=buffer.getvalue(), today=timezone.localdate()
    )
    assert preview.file_error and not preview.accepted
