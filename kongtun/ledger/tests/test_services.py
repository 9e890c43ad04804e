"""What the ledger's services promise: gapless chained numbers, refusals that write nothing,
idempotent retries, linked reversals, maker-checker vouchers, closed periods, an audit entry
for every write, and money that adds up to the satang on either database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation

from kongtun.audit.models import AuditEntry
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger import core, selectors
from kongtun.ledger.models import (
    Account,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PeriodClose,
    ReconciliationItem,
    Voucher,
    VoucherLine,
)
from kongtun.ledger.services import (
    ReconciliationItemInput,
    VoucherLineInput,
    account_add,
    attachment_add,
    chart_install,
    entry_as_core,
    entry_post,
    entry_reverse,
    period_close,
    period_reopen,
    reconciliation_create,
    voucher_approve,
    voucher_create,
    voucher_reject,
)
from kongtun.lib.fields import from_satang, to_satang
from kongtun.lib.thaidate import be_year, format_date

D = Decimal
DAY = dt.date(2024, 3, 15)


def entry(*lines: tuple[str, str], on: dt.date = DAY, memo: str = "test") -> core.Entry:
    return core.Entry(on, memo, tuple(core.Posting(code, D(amount)) for code, amount in lines))


def messages(info: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(m for ms in info.value.message_dict.values() for m in ms)


def last_month() -> tuple[dt.date, dt.date]:
    """The whole of last month: ended, so it may be closed."""
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def actions(fund) -> list[str]:
    return list(
        AuditEntry.objects.filter(fund=fund).order_by("seq").values_list("action", flat=True)
    )


@pytest.fixture
def treasurer(users):
    return users["treasurer"]


@pytest.fixture
def give(books, treasurer):
    """give(*lines, on=..., key=...) posts an entry as the treasurer."""

    def make(*lines: tuple[str, str], on: dt.date = DAY, key: str | None = None, **kw: Any):
        return entry_post(
            fund=books, actor=treasurer, entry=entry(*lines, on=on, **kw), kind="other",
            idempotency_key=key,
        )  # fmt: skip

    return make


def state(fund) -> tuple[int, int, tuple[int, str]]:
    head = LedgerHead.objects.get(fund=fund)
    return (
        JournalEntry.objects.filter(fund=fund).count(),
        JournalLine.objects.filter(fund=fund).count(),
        (head.number, head.hash),
    )


# --- Posting ---------------------------------------------------------------------------------


class TestPost:
    def test_it_numbers_entries_gaplessly_and_chains_their_hashes(self, books, give):
        give(("1101", "100.00"), ("4101", "-100.00"))
        with pytest.raises(ValidationError):
            give(("1101", "100.00"), ("4101", "-99.00"))  # refused: must not use up a number
        give(("5104", "40.00"), ("1101", "-40.00"))
        give(("1111", "60.00"), ("1101", "-60.00"), key="k")
        entries = list(JournalEntry.objects.filter(fund=books).order_by("number"))
        assert [e.number for e in entries] == [1, 2, 3]
        prev = "0" * 64
        for e in entries:
            assert e.prev_hash == prev
            body = core.entry_body(
                number=e.number, entry=entry_as_core(e), reverses=None, fund=books.pk
            )
            assert core.digest(e.prev_hash, body) == e.hash
            prev = e.hash
        head = LedgerHead.objects.get(fund=books)
        assert (head.number, head.hash) == (3, entries[-1].hash)

    def test_lines_keep_the_entry_date_fund_and_account_source(self, books, give):
        posted = give(("1101", "100.00"), ("4101", "-100.00"))
        lines = list(posted.lines.select_related("account").order_by("pk"))
        assert [(ln.account.code, ln.amount, ln.source) for ln in lines] == [
            ("1101", D("100.00"), ""),
            ("4101", D("-100.00"), "members"),
        ]
        assert {(ln.fund_id, ln.account.fund_id, ln.date) for ln in lines} == {
            (books.pk, books.pk, DAY)
        }

    @pytest.mark.parametrize(
        ("lines", "field", "text"),
        [
            ((("1101", "100.00"), ("4101", "-99.99")), "lines", "differ by 0.01"),
            ((("1101", "1.00"),), "lines", "at least two lines"),
            ((("1101", "1.00"), ("9999", "-1.00")), "lines", "Unknown account: 9999"),
        ],
        ids=["unbalanced", "one-line", "unknown-account"],
    )
    def test_it_refuses_bad_entries_and_writes_nothing(self, books, give, lines, field, text):
        before = state(books)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            give(*lines)
        assert text in " ".join(info.value.message_dict[field])
        assert state(books) == before

    def test_it_refuses_an_account_no_longer_in_use(self, books, give):
        Account.objects.filter(fund=books, code="4501").update(is_active=False)
        before = state(books)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            give(("1101", "1.00"), ("4501", "-1.00"))
        assert "no longer in use: 4501" in messages(info)
        assert state(books) == before

    def test_it_refuses_a_date_in_the_future(self, books, give):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            give(("1101", "1.00"), ("4101", "-1.00"), on=tomorrow)
        assert "future" in messages(info)
        give(("1101", "1.00"), ("4101", "-1.00"), on=timezone.localdate())  # today is fine

    def test_it_refuses_a_date_in_a_closed_period_naming_it_in_buddhist_era(
        self, books, give, users
    ):
        start, end = last_month()
        period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        before = state(books)
        for day in (start, end):
            with translation.override("en"), pytest.raises(ValidationError) as info:
                give(("1101", "1.00"), ("4101", "-1.00"), on=day)
            text = messages(info)
            with translation.override("en"):
                assert format_date(start) in text and format_date(end) in text
            assert str(be_year(end)) in text and str(end.year) not in text
        assert state(books) == before
        give(("1101", "1.00"), ("4101", "-1.00"), on=start - dt.timedelta(days=1))
        # A floats-in-disguise caller cannot sneak past validation either.
        with pytest.raises(ValidationError):
            entry_post(
                fund=books, actor=users["chair"], kind="other",
                entry=core.Entry(DAY, "x", (core.Posting("1101", 1.0), core.Posting("4101", -1.0))),  # type: ignore[arg-type]
            )  # fmt: skip

    def test_codes_resolve_within_the_fund_so_lines_never_cross_funds(
        self, books, give, other_fund, users
    ):
        with fund_scope(other_fund):
            chart_install(fund=other_fund)
            account_add(fund=other_fund, actor=users["other_chair"], code="1901",
                        name_th="บัญชีของอีกกองทุน", type="asset")  # fmt: skip
        before = state(books)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            give(("1901", "5.00"), ("4101", "-5.00"))
        assert "Unknown account: 1901" in messages(info)
        assert state(books) == before
        posted = give(("1101", "5.00"), ("4101", "-5.00"))  # both funds have 1101: ours is used
        for line in posted.lines.select_related("account"):
            assert line.fund_id == line.account.fund_id == posted.fund_id == books.pk
        with fund_scope(other_fund):
            assert JournalLine.objects.filter(fund=other_fund).count() == 0


class TestIdempotency:
    def test_a_retry_with_the_same_content_returns_the_first_entry(self, books, give):
        first = give(("1101", "100.00"), ("4101", "-100.00"), key="form-1")
        # Same lines in another order, the default source spelt out or left out: same entry.
        again = give(("4101", "-100.00"), ("1101", "100.00"), key="form-1")
        assert again.pk == first.pk
        spelt = entry_post(
            fund=books, actor=None, kind="other", idempotency_key="form-1",
            entry=core.Entry(DAY, "test", (core.Posting("1101", D("100.00")),
                                           core.Posting("4101", D("-100.00"), "members"))),
        )  # fmt: skip
        assert spelt.pk == first.pk
        assert JournalEntry.objects.filter(fund=books).count() == 1
        assert LedgerHead.objects.get(fund=books).number == 1

    @pytest.mark.parametrize(
        "lines",
        [
            (("1101", "100.01"), ("4101", "-100.01")),
            (("1111", "100.00"), ("4101", "-100.00")),
            (("1101", "100.00"), ("4101", "-60.00"), ("4501", "-40.00")),
        ],
        ids=["amount", "account", "lines"],
    )
    def test_a_retry_with_other_content_is_refused(self, books, give, lines):
        give(("1101", "100.00"), ("4101", "-100.00"), key="form-1")
        with translation.override("en"), pytest.raises(ValidationError) as info:
            give(*lines, key="form-1")
        assert "already submitted" in messages(info)
        assert JournalEntry.objects.filter(fund=books).count() == 1

    def test_a_retry_on_another_date_is_refused(self, books, give):
        give(("1101", "100.00"), ("4101", "-100.00"), key="form-1")
        with pytest.raises(ValidationError):
            give(
                ("1101", "100.00"), ("4101", "-100.00"), key="form-1", on=DAY + dt.timedelta(days=1)
            )

    def test_keys_belong_to_one_fund(self, books, give, other_fund):
        give(("1101", "100.00"), ("4101", "-100.00"), key="form-1")
        with fund_scope(other_fund):
            chart_install(fund=other_fund)
            other = entry_post(fund=other_fund, actor=None, kind="other", idempotency_key="form-1",
                               entry=entry(("1101", "7.00"), ("4101", "-7.00")))  # fmt: skip
            assert (other.fund_id, other.number) == (other_fund.pk, 1)


# --- Reversal --------------------------------------------------------------------------------


class TestReverse:
    def test_a_reversal_is_linked_and_nets_every_account_to_zero(self, books, give, treasurer):
        original = give(("5104", "3000.00"), ("1101", "-2000.00"), ("1111", "-1000.00"))
        with translation.override("en"):
            undo = entry_reverse(entry=original, actor=treasurer, on=DAY, reason="wrong member")
        assert undo.kind == JournalEntry.Kind.REVERSAL
        assert undo.reverses == original
        assert JournalEntry.objects.get(pk=original.pk).reversed_by == undo
        assert "#1" in undo.memo and "wrong member" in undo.memo
        assert set(selectors.balances(fund=books).values()) == {D("0.00")}
        body = core.entry_body(number=2, entry=entry_as_core(undo), reverses=1, fund=books.pk)
        assert core.digest(original.hash, body) == undo.hash

    def test_it_cannot_reverse_twice_or_reverse_a_reversal(self, books, give, treasurer):
        original = give(("1101", "5.00"), ("4101", "-5.00"))
        undo = entry_reverse(entry=original, actor=treasurer, on=DAY, reason="typo")
        with translation.override("en"), pytest.raises(ValidationError) as twice:
            entry_reverse(entry=original, actor=treasurer, on=DAY, reason="again")
        assert "already reversed" in messages(twice)
        with translation.override("en"), pytest.raises(ValidationError) as of_reversal:
            entry_reverse(entry=undo, actor=treasurer, on=DAY, reason="undo the undo")
        assert "cannot itself be reversed" in messages(of_reversal)
        assert JournalEntry.objects.filter(fund=books).count() == 2

    def test_it_refuses_a_reversal_dated_before_the_entry(self, books, give, treasurer):
        original = give(("1101", "5.00"), ("4101", "-5.00"))
        with translation.override("en"), pytest.raises(ValidationError) as info:
            entry_reverse(
                entry=original, actor=treasurer, on=DAY - dt.timedelta(days=1), reason="x"
            )
        assert "before the entry" in messages(info)
        with pytest.raises(ValidationError):
            entry_reverse(entry=original, actor=treasurer, on=DAY, reason="   ")
        assert JournalEntry.objects.filter(fund=books).count() == 1

    def test_a_reversal_inside_a_closed_period_is_refused(self, books, give, users):
        start, end = last_month()
        original = give(("1101", "5.00"), ("4101", "-5.00"), on=start - dt.timedelta(days=1))
        period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        with pytest.raises(ValidationError):
            entry_reverse(entry=original, actor=users["treasurer"], on=start, reason="late")
        undo = entry_reverse(
            entry=original, actor=users["treasurer"], on=end + dt.timedelta(days=1), reason="late"
        )
        assert undo.number == 2


# --- Vouchers --------------------------------------------------------------------------------


@pytest.fixture
def make_voucher(books, treasurer):
    def make(
        *, on: dt.date = DAY, kind: str = Voucher.Kind.PAYMENT, amounts=("1000.00",), actor=None
    ):
        # A payment of a death benefit, or a receipt of a donation.
        code = "4501" if kind == Voucher.Kind.RECEIPT else "5104"
        death = Account.objects.get(fund=books, code=code)
        return voucher_create(
            fund=books, actor=actor or treasurer, kind=kind, date=on, party="นางสมศรี",
            description="ค่าทำศพ", money_account=Account.objects.get(fund=books, code="1101"),
            lines=[VoucherLineInput(death, D(a)) for a in amounts],
        )  # fmt: skip

    return make


class TestVouchers:
    def test_a_voucher_reaches_the_books_only_when_another_person_approves(
        self, books, make_voucher, users
    ):
        voucher = make_voucher(amounts=("600.00", "400.50"))
        assert voucher.status == Voucher.Status.DRAFT and voucher.entry is None
        assert voucher.number.startswith("PV") and voucher.number.endswith("-0001")
        assert JournalEntry.objects.filter(fund=books).count() == 0
        with translation.override("en"), pytest.raises(ValidationError) as info:
            voucher_approve(voucher=voucher, actor=users["treasurer"])
        assert "cannot approve" in messages(info)
        approved = voucher_approve(voucher=voucher, actor=users["chair"])
        assert approved.entry is not None
        assert approved.status == Voucher.Status.APPROVED
        assert approved.decided_by == users["chair"]
        lines = sorted(
            (ln.account.code, ln.amount) for ln in approved.entry.lines.select_related("account")
        )
        assert lines == [("1101", D("-1000.50")), ("5104", D("400.50")), ("5104", D("600.00"))]
        assert approved.entry.created_by == users["chair"]

    def test_a_second_click_by_the_approver_returns_quietly(self, books, make_voucher, users):
        voucher = make_voucher()
        first = voucher_approve(voucher=voucher, actor=users["chair"])
        again = voucher_approve(voucher=voucher, actor=users["chair"])
        assert again.entry_id == first.entry_id
        assert JournalEntry.objects.filter(fund=books).count() == 1
        with pytest.raises(ValidationError):
            voucher_approve(voucher=voucher, actor=users["committee"])  # someone else: refused

    def test_a_rejected_voucher_cannot_be_approved(self, books, make_voucher, users):
        voucher = make_voucher(kind=Voucher.Kind.RECEIPT)
        assert voucher.number.startswith("RV")
        with pytest.raises(ValidationError):
            voucher_reject(voucher=voucher, actor=users["chair"], reason=" ")
        rejected = voucher_reject(voucher=voucher, actor=users["chair"], reason="no receipt")
        assert (rejected.status, rejected.rejection_reason) == (
            Voucher.Status.REJECTED,
            "no receipt",
        )
        for actor in (users["chair"], users["committee"]):
            with translation.override("en"), pytest.raises(ValidationError) as info:
                voucher_approve(voucher=voucher, actor=actor)
            assert "no longer waiting" in messages(info)
        # A second click by the same person returns quietly; anyone else is told it is decided.
        again = voucher_reject(voucher=voucher, actor=users["chair"], reason="again")
        assert (again.status, again.rejection_reason) == (Voucher.Status.REJECTED, "no receipt")
        with pytest.raises(ValidationError):
            voucher_reject(voucher=voucher, actor=users["committee"], reason="again")
        assert JournalEntry.objects.filter(fund=books).count() == 0
        assert actions(books).count("ledger.voucher.rejected") == 1

    def test_voucher_numbers_run_per_kind(self, books, make_voucher):
        numbers = [
            make_voucher().number,
            make_voucher().number,
            make_voucher(kind="receipt").number,
        ]
        assert [n[-4:] for n in numbers] == ["0001", "0002", "0001"]

    def test_it_refuses_bad_vouchers(self, books, make_voucher, treasurer):
        cash = Account.objects.get(fund=books, code="1101")
        death = Account.objects.get(fund=books, code="5104")
        common: dict[str, Any] = {"fund": books, "actor": treasurer, "kind": "payment", "date": DAY,
                  "party": "x", "description": "x"}  # fmt: skip
        bad: list[dict[str, Any]] = [
            {"money_account": cash, "lines": []},
            {"money_account": death, "lines": [VoucherLineInput(death, D("1.00"))]},
            {"money_account": cash, "lines": [VoucherLineInput(cash, D("1.00"))]},
            {"money_account": cash, "lines": [VoucherLineInput(death, D("0.00"))]},
            {"money_account": cash, "lines": [VoucherLineInput(death, D("-1.00"))]},
        ]
        for kwargs in bad:
            with pytest.raises(ValidationError):
                voucher_create(**common, **kwargs)
        with pytest.raises(ValidationError):
            make_voucher(on=timezone.localdate() + dt.timedelta(days=1))
        assert Voucher.objects.filter(fund=books).count() == 0


# --- Periods ---------------------------------------------------------------------------------


class TestPeriods:
    def test_it_refuses_to_close_a_period_with_vouchers_waiting(self, books, make_voucher, users):
        start, end = last_month()
        voucher = make_voucher(on=start)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        assert "1 vouchers" in messages(info) or "1 voucher" in messages(info)
        voucher_approve(voucher=voucher, actor=users["chair"])
        period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)

    def test_it_refuses_a_period_not_yet_ended(self, books, users):
        today = timezone.localdate()
        for start, end in [(today.replace(day=1), today), (today, today + dt.timedelta(days=30))]:
            with translation.override("en"), pytest.raises(ValidationError) as info:
                period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
            assert "has ended" in messages(info)
        with pytest.raises(ValidationError):
            period_close(
                fund=books,
                actor=users["chair"],
                kind="month",
                start=DAY,
                end=DAY - dt.timedelta(days=1),
            )
        assert PeriodClose.objects.filter(fund=books).count() == 0

    def test_closing_a_closed_period_again_returns_the_same_close(self, books, users):
        start, end = last_month()
        first = period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        again = period_close(
            fund=books, actor=users["treasurer"], kind="month", start=start, end=end
        )
        assert again == first
        assert PeriodClose.objects.filter(fund=books).count() == 1
        assert actions(books).count("ledger.period.closed") == 1
        period_reopen(close=first, actor=users["chair"], reason="fix")
        second = period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        assert second != first  # a reopened period closes anew

    def test_reopening_needs_a_reason_and_is_audited(self, books, give, users):
        start, end = last_month()
        close = period_close(fund=books, actor=users["chair"], kind="month", start=start, end=end)
        with pytest.raises(ValidationError):
            period_reopen(close=close, actor=users["chair"], reason="  ")
        reopened = period_reopen(close=close, actor=users["chair"], reason="bank charge missed")
        assert (
            reopened.reopened_by == users["chair"]
            and reopened.reopen_reason == "bank charge missed"
        )
        log = AuditEntry.objects.filter(fund=books, action="ledger.period.reopened").get()
        assert log.actor_id == users["chair"].pk
        assert log.object_id == str(close.pk)
        assert log.payload["reason"] == "bank charge missed"
        assert log.payload["after"] == {"start": str(start), "end": str(end)}
        with pytest.raises(ValidationError):
            period_reopen(close=close, actor=users["chair"], reason="again")
        give(("1101", "1.00"), ("4101", "-1.00"), on=start)  # open again: posting works


# --- Audit -----------------------------------------------------------------------------------


def test_every_service_writes_an_audit_entry(books, give, make_voucher, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    chair, treasurer = users["chair"], users["treasurer"]
    assert actions(books) == []
    steps: list[tuple[str, Any]] = [
        ("ledger.account.added", lambda: account_add(
            fund=books, actor=chair, code="1112", name_th="ออมทรัพย์ 2", type="asset", role="bank")),
        ("ledger.entry.posted", lambda: give(("1112", "10.00"), ("4101", "-10.00"))),
        ("ledger.entry.posted", lambda: entry_reverse(
            entry=JournalEntry.objects.get(fund=books, number=1), actor=chair, on=DAY, reason="x")),
        ("ledger.voucher.made", lambda: make_voucher()),
        ("ledger.voucher.approved", lambda: voucher_approve(
            voucher=Voucher.objects.get(fund=books, number__endswith="0001"), actor=chair)),
        ("ledger.voucher.made", lambda: make_voucher()),
        ("ledger.attachment.added", lambda: attachment_add(
            voucher=Voucher.objects.get(fund=books, number__endswith="0002"), actor=treasurer,
            name="bill.pdf", data=b"%PDF-1.4 test")),
        ("ledger.voucher.rejected", lambda: voucher_reject(
            voucher=Voucher.objects.get(fund=books, number__endswith="0002"), actor=chair,
            reason="x")),
        ("ledger.period.closed", lambda: period_close(
            fund=books, actor=chair, kind="month", start=last_month()[0], end=last_month()[1])),
        ("ledger.period.reopened", lambda: period_reopen(
            close=PeriodClose.objects.get(fund=books), actor=chair, reason="x")),
        ("ledger.bank.reconciled", lambda: reconciliation_create(
            fund=books, actor=treasurer, account=Account.objects.get(fund=books, code="1112"),
            statement_date=DAY, statement_balance=D("10.00"),
            items=[ReconciliationItemInput("other", "none", D("0.00"))])),
    ]  # fmt: skip
    for expected, run in steps:
        before = len(actions(books))
        run()
        new = actions(books)[before:]
        assert expected in new, (expected, new)
    # Approving posts an entry and records the approval: both in the trail.
    assert actions(books).count("ledger.entry.posted") == 3


# --- Money -----------------------------------------------------------------------------------


class TestMoneyIsExact:
    def test_ten_thousand_satang_make_exactly_one_hundred_baht(self, books, give):
        lines = [("5203", "0.01")] * 10_000 + [("1101", "-100.00")]
        posted = give(*lines)
        assert posted.lines.count() == 10_001
        stationery = Account.objects.get(fund=books, code="5203")
        assert selectors.account_balance(fund=books, account=stationery) == D("100.00")
        assert selectors.balances(fund=books)[stationery.pk] == D("100.00")
        tb = selectors.trial_balance(fund=books, on=DAY)
        assert tb.total_debit == tb.total_credit == D("100.00")
        book = selectors.account_book(fund=books, accounts=[stationery], start=DAY, end=DAY)
        assert book.closing == D("100.00") and len(book.lines) == 10_000
        assert all(isinstance(ln.balance, Decimal) for ln in book.lines)

    def test_tenths_and_fifths_add_up_where_floats_would_not(self, books, give):
        assert 0.1 + 0.2 != 0.3  # the trap this test guards against
        for amount in ("0.10", "0.20") * 50:
            give(("1101", amount), ("4501", f"-{amount}"))
        cash = Account.objects.get(fund=books, code="1101")
        assert selectors.account_balance(fund=books, account=cash) == D("15.00")
        first_two = selectors.account_balance(fund=books, account=cash, on=DAY)
        assert first_two == D("15.00")
        total = JournalLine.objects.filter(fund=books, amount__gt=0).aggregate(t=Sum("amount"))["t"]
        assert total == D("15.00") and isinstance(total, Decimal)

    def test_large_amounts_stay_exact(self, books, give):
        for _ in range(3):
            give(("1111", "33333333333.33"), ("4201", "-33333333333.33"))
        give(("1111", "0.01"), ("4201", "-0.01"))
        bank = Account.objects.get(fund=books, code="1111")
        assert selectors.account_balance(fund=books, account=bank) == D("100000000000.00")
        tb = selectors.trial_balance(fund=books, on=DAY)
        assert tb.total_debit == tb.total_credit == D("100000000000.00")

    def test_money_fields_refuse_floats(self, books, make_voucher):
        with pytest.raises(TypeError):
            to_satang(0.1)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            to_satang(D("0.001"))
        assert (to_satang(D("1234.56")), from_satang(123456)) == (123456, D("1234.56"))
        line = VoucherLine.objects.filter(voucher=make_voucher()).get()
        float_amount: Any = 12.5  # as a careless caller might pass it, past the type checker
        line.amount = float_amount
        # Each refusal inside its own atomic block: a failed save spoils the transaction around it.
        with pytest.raises(TypeError), transaction.atomic():
            line.save()
        with pytest.raises(TypeError), transaction.atomic():
            VoucherLine.objects.filter(amount=float_amount).exists()
        assert VoucherLine.objects.get(pk=line.pk).amount == D("1000.00")
        item = ReconciliationItem._meta.get_field("amount")
        assert item.to_python("12.5") == D("12.50")
        with pytest.raises(ValidationError):
            item.to_python("twelve")


class TestReviewRules:
    """Rules added after review: maker-checker on rejection, evidence frozen, honest retries."""

    def test_the_maker_cannot_reject_their_own_voucher(self, books, make_voucher, users):
        voucher = make_voucher()
        with translation.override("en"), pytest.raises(ValidationError) as info:
            voucher_reject(voucher=voucher, actor=users["treasurer"], reason="changed my mind")
        assert "cannot decide" in messages(info)

    def test_evidence_cannot_be_added_after_the_decision(
        self, books, make_voucher, users, settings, tmp_path
    ):
        settings.VAR_DIR = tmp_path
        voucher = voucher_approve(voucher=make_voucher(), actor=users["chair"])
        with pytest.raises(ValidationError):
            attachment_add(voucher=voucher, actor=users["treasurer"], name="x.pdf", data=b"%PDF-1")

    def test_a_reused_form_token_with_other_amounts_is_refused(self, books, users):
        cash = Account.objects.get(fund=books, code="1101")
        death = Account.objects.get(fund=books, code="5104")

        def make(amount: str) -> Voucher:
            return voucher_create(
                fund=books, actor=users["treasurer"], kind=Voucher.Kind.PAYMENT, date=DAY,
                party="x", description="x", money_account=cash,
                lines=[VoucherLineInput(death, D(amount))], idempotency_key="token-1",
            )  # fmt: skip

        first = make("100.00")
        assert make("100.00").pk == first.pk
        with pytest.raises(ValidationError):
            make("999.00")

    def test_a_deposit_of_cash_into_the_bank_is_a_payment_out_of_cash(self, books, users):
        cash, bank = (Account.objects.get(fund=books, code=c) for c in ("1101", "1111"))
        voucher = voucher_create(
            fund=books, actor=users["treasurer"], kind=Voucher.Kind.PAYMENT, date=DAY,
            party="ธนาคาร", description="นำเงินสดฝากธนาคาร", money_account=cash,
            lines=[VoucherLineInput(bank, D("500.00"))],
        )  # fmt: skip
        entry = voucher_approve(voucher=voucher, actor=users["chair"]).entry
        assert entry is not None
        assert sorted((ln.account.code, ln.amount) for ln in entry.lines.all()) == [
            ("1101", D("-500.00")),
            ("1111", D("500.00")),
        ]
        with pytest.raises(ValidationError):
            voucher_create(
                fund=books, actor=users["treasurer"], kind=Voucher.Kind.PAYMENT, date=DAY,
                party="x", description="x", money_account=cash,
                lines=[VoucherLineInput(cash, D("1.00"))],
            )  # fmt: skip
