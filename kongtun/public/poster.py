"""The notice-board poster (ป้ายประกาศ): one month of one fund on one A4 page, in Thai.

A fund pins it on the village notice board each month, so that members who never open a web
page see what came in, what was paid and what the fund holds. Every figure comes from the
selectors the rest of the app reads (`ledger.summaries.movements` for the month's money,
`welfare_by_category` for the month's welfare, `fund_indicators` for the month end and the
fiscal year so far), so the poster always agrees with the books and the CODI forms.

The poster is Thai whatever language the site is in: it is printed for a Thai village board,
like the receipts. Counts of people and claims go through `suppress` ("<5" for 1 to 4), and
nothing on it names a member or a claim.

Posters are pinned up month after month, so a reader holds two in a row: any figure that
runs on through the year is read as the difference of two. The poster therefore prints no
count of the year so far (January's "claims this year" less December's is January's claims,
exactly, even where January says "<5"), and no baht of the year so far by category (it would
give back, the same way, the month's baht withheld beside a small count). Counts are of the
month; baht of the year so far only where no count stands behind them (money in by source,
the year's welfare in all). See `month_summary` for the members.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone, translation

from kongtun.audit.models import AuditEntry
from kongtun.audit.services import chain_for
from kongtun.contributions.matching import government_year
from kongtun.contributions.printing import qr_data_uri
from kongtun.funds.models import Fund
from kongtun.indicators import selectors as indicator_selectors
from kongtun.indicators.selectors import Indicators, MemberCounts, fund_indicators
from kongtun.ledger import summaries
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.core import ZERO, AccountType
from kongtun.ledger.models import Account, Source
from kongtun.lib.money import format_baht
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import MONTHS_TH, format_date
from kongtun.public.suppress import HIDDEN, Count, protect_group, total_of, withhold
from kongtun.welfare.selectors import regulation_in_force, welfare_by_category

NON_MEMBERS = "non_members"
CATEGORY_TH = {key: th for key, th, _en in WELFARE_CATEGORIES} | {
    NON_MEMBERS: "ช่วยเหลือผู้ยากลำบากที่ไม่ใช่สมาชิก"
}
CATEGORY_ORDER = [key for key, _th, _en in WELFARE_CATEGORIES] + [NON_MEMBERS]
HIDDEN_TH = "ปกปิด"
WITHHELD_TH = "—"  # baht not shown beside a count not shown
# The years a poster URL may name (BE): a wider year is no month a fund could have had, and a
# far one would overflow the date type (a 500 instead of a 404).
YEAR_MIN_BE, YEAR_MAX_BE = 2400, 3000
# Up to ROOMY_ROWS table rows the tables take large type (13.5pt); from there to DENSEST_ROWS (every
# source and every category) the type shrinks step by step, so that the sheet stays one page.
ROOMY_ROWS = 7
DENSEST_ROWS = 25
LONG_FIGURE = 10  # characters: "1,234,567.89" no longer fits a key box in large type


@dataclass(frozen=True)
class PosterMonth:
    year_be: int
    month: int
    first: dt.date
    last: dt.date
    as_of: dt.date  # the last day, or today while the month is still running

    @property
    def running(self) -> bool:
        return self.as_of < self.last

    @property
    def name_th(self) -> str:
        return f"{MONTHS_TH[self.month - 1]} {self.year_be}"


def poster_month(fund: Fund, year_be: int, month: int, today: dt.date) -> PosterMonth:
    """The month a poster URL names (year in BE), or 404: not a month, in the future, or
    before the fund was founded (the founding month itself has a poster)."""
    if not 1 <= month <= 12 or not YEAR_MIN_BE <= year_be <= YEAR_MAX_BE:
        raise Http404
    try:
        first = dt.date(year_be - 543, month, 1)
    except (ValueError, OverflowError):  # a year no date can have (the range above keeps out)
        raise Http404 from None
    last = first.replace(day=calendar.monthrange(first.year, month)[1])
    if first > today or last < fund.founded_on:
        raise Http404
    return PosterMonth(year_be, month, first, last, min(last, today))


@dataclass(frozen=True)
class MoneyLine:
    source: str
    month: Decimal
    year: Decimal  # fiscal year so far

    @property
    def label(self) -> str:
        return str(Source(self.source).label) if self.source in Source.values else self.source


@dataclass(frozen=True)
class WelfareRow:
    """One category's welfare in the month. `baht` is None where it is withheld: beside a
    claims count that is not shown, as a fixed benefit would turn the baht back into it."""

    category: str
    persons: Count
    claims: Count
    baht: Decimal | None

    @property
    def label(self) -> str:
        return CATEGORY_TH.get(self.category, self.category)


@dataclass(frozen=True)
class AuditMark:
    seq: int
    hash: str
    at: dt.datetime

    def groups(self, size: int = 4) -> list[str]:
        """The hash in groups of four digits: a person can read it out and copy it down."""
        return [self.hash[i : i + size] for i in range(0, len(self.hash), size)]


@dataclass(frozen=True)
class Regulation:
    title: str
    version: int
    in_force_from: dt.date | None


@dataclass(frozen=True)
class MonthSummary:
    fund: Fund
    month: PosterMonth
    fiscal_year_be: int
    year_start: dt.date
    money: list[MoneyLine]
    money_month: Decimal
    money_year: Decimal
    welfare: list[WelfareRow]  # the month's, protected against the total below
    welfare_total: WelfareRow  # the month's, its baht the full sum
    welfare_year: Decimal  # welfare paid in the fiscal year so far, all categories
    members_on: dt.date  # the day before the fiscal year began (30 September)
    members_year_start: Count
    new_members_month: Count
    money_on_hand: Decimal
    fund_balance: Decimal
    regulation: Regulation | None
    audit: AuditMark | None


def _income_by_source(fund: Fund, first: dt.date, last: dt.date) -> dict[str, Decimal]:
    """Money in (income accounts, credits positive) by source, as fund_indicators adds it."""
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund)}
    income: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_fund, account_id, source, *_rest), amount in summaries.movements(
        funds=[fund], start=first, end=last
    ).items():
        account = accounts[account_id]
        if account.type == AccountType.INCOME:
            income[source or account.source or Source.OTHER] -= amount
    return income


def _money_lines(month: dict[str, Decimal], year: Indicators) -> list[MoneyLine]:
    in_year = {m.source: m.year for m in year.money}
    order = list(Source.values)
    sources = sorted(
        {s for s, v in month.items() if v} | {s for s, v in in_year.items() if v},
        key=lambda s: order.index(s) if s in order else len(order),
    )
    return [MoneyLine(s, month.get(s, ZERO), in_year.get(s, ZERO)) for s in sources]


def protect_welfare(rows: list[WelfareRow]) -> tuple[list[WelfareRow], WelfareRow]:
    """The month's rows and their total as the sheet may show them. Each count column has its
    total shown: protect_group hides more counts wherever a small one could be worked out as
    the total less the others, and total_of hides the total when even that is not enough.
    Baht goes where the claims count goes (what a fixed rate multiplies); the total row keeps
    the full sum (suppress.withhold): it gives the withheld baht's sum, of two categories or
    more as protect_group hides two counts, but of the one when the month paid only one."""
    persons = protect_group([r.persons for r in rows])
    claims = protect_group([r.claims for r in rows])
    baht = withhold([r.baht or ZERO for r in rows], claims)
    shown = [WelfareRow(r.category, persons[i], claims[i], baht[i]) for i, r in enumerate(rows)]
    # A person helped in two categories counts in each, as CODI's forms add them up.
    claims_total = total_of(claims)
    if None in baht and claims_total.shown:
        # The month's claims and baht in all, with the regulation's fixed rates, are two
        # equations the withheld counts would solve.
        claims_total = replace(claims_total, hidden=True)
    total = WelfareRow(
        "total", total_of(persons), claims_total, sum((r.baht or ZERO for r in rows), ZERO)
    )
    return shown, total


def _welfare_rows(fund: Fund, month: PosterMonth) -> list[WelfareRow]:
    """The categories paid in the month, in CODI's order (welfare_by_category's)."""
    return [
        WelfareRow(r.category, Count(r.persons), Count(r.claims), r.baht)
        for r in welfare_by_category(fund, month.as_of, month.first)
    ]


def _members_at(fund: Fund, on: dt.date, new_since: dt.date) -> MemberCounts:
    """The register's counts at the end of `on`, new ones counted from `new_since`:
    fund_indicators' own count (as indicators.trace reads it too), without the year's money
    and welfare a whole fund_indicators call would add up for nothing."""
    return indicator_selectors._member_counts(fund, on, new_since)[0]


def _members_year_start(counts: MemberCounts) -> Count:
    """Members when the fiscal year began, shown or hidden exactly as the fund page for the
    year just closed shows its current members (kongtun.public.fund_pages.member_figures):
    beside that page's members since the start, a figure it hides would tell who left."""
    from kongtun.public.fund_pages import member_figures

    return member_figures(counts)[0]["current"]


def _audit_mark(fund: Fund, on: dt.date) -> AuditMark | None:
    """The last entry of the fund's audit trail recorded by the end of `on` (Thai time)."""
    end = dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    entry = (
        AuditEntry.objects.filter(chain=chain_for(fund), at__lt=end)
        .order_by("-seq")
        .only("seq", "hash", "at")
        .first()
    )
    return AuditMark(entry.seq, entry.hash, entry.at) if entry else None


def month_summary(*, fund: Fund, month: PosterMonth) -> MonthSummary:
    """The month's figures through `month.as_of`. The caller holds the fund's scope; a fund
    that keeps its records on its own computer has no month here (its caller says so).

    Members: the count at the month's end, less the one at the end of the month before, plus
    the month's new members, is the members who left in the month, exactly: with none new
    (a "0" the sheet shows) a month whose one member died reads as 10, then 9. So the sheet
    prints no member count that moves from month to month but the month's new members: the
    members it shows are those of the day before the fiscal year began (30 September),
    the same on every poster of the year, and the figure the fund's page shows for the year
    before, protected the same way.
    """
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        raise ValueError("a fund on its own computer has no month-level records here")
    on = month.as_of
    # One fund_indicators call: the year so far and the month's end. The month's own figures
    # come from the selectors it is built of, for the month alone.
    year = fund_indicators(fund=fund, on=on)
    money = _money_lines(_income_by_source(fund, month.first, on), year)
    welfare, welfare_total = protect_welfare(_welfare_rows(fund, month))
    regulation = regulation_in_force(fund, on)
    members_on = year.year_start - dt.timedelta(days=1)
    return MonthSummary(
        fund=fund,
        month=month,
        fiscal_year_be=year.fiscal_year_be,
        year_start=year.year_start,
        money=money,
        money_month=sum((m.month for m in money), ZERO),
        money_year=year.income_year,
        welfare=welfare,
        welfare_total=welfare_total,
        welfare_year=year.welfare_paid_year,
        members_on=members_on,
        # Counted as the fund page of the year just closed counts them (new since its start).
        members_year_start=_members_year_start(
            _members_at(fund, members_on, government_year(year.fiscal_year_be - 1)[0])
        ),
        # First admitted from the month's first day: a member returning is not new.
        new_members_month=Count(_members_at(fund, on, month.first).new_this_year),
        money_on_hand=year.money_on_hand,
        fund_balance=year.fund_balance,
        regulation=Regulation(regulation.title, regulation.version, regulation.effective_from)
        if regulation
        else None,
        audit=_audit_mark(fund, on),
    )


# ---------------------------------------------------------------- the printed sheet


def count_th(count: Count) -> str:
    shown = count.public()
    if shown == HIDDEN:
        return HIDDEN_TH
    return f"{shown:,}" if isinstance(shown, int) else shown


def baht_th(amount: Decimal | None) -> str:
    return WITHHELD_TH if amount is None else format_baht(amount)


def _welfare_cells(row: WelfareRow) -> dict[str, str]:
    return {
        "label": "รวมเดือนนี้" if row.category == "total" else row.label,
        "persons": count_th(row.persons),
        "claims": count_th(row.claims),
        "baht": baht_th(row.baht),
    }


def _fit(summary: MonthSummary) -> dict[str, Any]:
    """How small the type must be for the tables to fit one sheet."""
    # The money table sits beside the members and fund boxes, which are about six rows tall.
    rows = max(len(summary.money), 6) + len(summary.welfare)
    density = min(max((rows - ROOMY_ROWS) / (DENSEST_ROWS - ROOMY_ROWS), 0.0), 1.0)
    # As text: the template would print a float with the locale's decimal comma.
    return {
        "fit": {
            "table_pt": f"{13.5 - 3 * density:.2f}",
            "line_height": f"{1.3 - 0.1 * density:.2f}",
            "pad_mm": f"{0.5 * (1 - density):.2f}",
        },
        "compact": density >= 0.3,
    }


def _key(what: str, value: str, unit: str) -> dict[str, Any]:
    # A box is a quarter of the sheet: a figure of more than ten characters takes smaller type.
    return {"what": what, "value": value, "unit": unit, "long": len(value) > LONG_FIGURE}


def _place_th(fund: Fund) -> str:
    tambon = fund.tambon
    amphoe = tambon.amphoe
    return f"ตำบล{tambon.name_th} อำเภอ{amphoe.name_th} จังหวัด{amphoe.province.name_th}"


def poster_context(summary: MonthSummary, *, fund_url: str, printed_on: dt.date) -> dict[str, Any]:
    """What the sheet shows, as Thai text (call with Thai active: labels are translated)."""
    month = summary.month
    audit = summary.audit
    at_end = "ณ วันนี้" if month.running else "ณ สิ้นเดือน"
    members_on = format_date(summary.members_on, "short")
    return {
        "fund": summary.fund,
        "place": _place_th(summary.fund),
        "month": month,
        "month_name": month.name_th,
        "as_of": format_date(month.as_of, "long"),
        # Years and sequence numbers as text: the template would group their digits (2,569).
        "fiscal_year_be": str(summary.fiscal_year_be),
        "at_end": at_end,
        "year_start": format_date(summary.year_start, "short"),
        "money": [
            {"label": m.label, "month": format_baht(m.month), "year": format_baht(m.year)}
            for m in summary.money
        ],
        "keys": [
            _key("เงินเข้าเดือนนี้", format_baht(summary.money_month), "บาท"),
            _key("จ่ายสวัสดิการเดือนนี้", baht_th(summary.welfare_total.baht), "บาท"),
            # A headline that would read "ปกปิด คน" gives its box to the money on hand.
            _key(f"สมาชิก ณ {members_on}", count_th(summary.members_year_start), "คน")
            if summary.members_year_start.shown
            else _key(f"เงินคงเหลือ {at_end}", format_baht(summary.money_on_hand), "บาท"),
            _key(f"เงินกองทุน {at_end}", format_baht(summary.fund_balance), "บาท"),
        ],
        "money_month": format_baht(summary.money_month),
        "money_year": format_baht(summary.money_year),
        "welfare": [_welfare_cells(r) for r in summary.welfare],
        "welfare_total": _welfare_cells(summary.welfare_total),
        "welfare_year": format_baht(summary.welfare_year),
        "members_on": members_on,
        "members_year_start": count_th(summary.members_year_start),
        "members_year_start_shown": summary.members_year_start.shown,
        "new_members_month": count_th(summary.new_members_month),
        "money_on_hand": format_baht(summary.money_on_hand),
        "fund_balance": format_baht(summary.fund_balance),
        "regulation": summary.regulation,
        "regulation_version": str(summary.regulation.version) if summary.regulation else "",
        "regulation_from": format_date(summary.regulation.in_force_from, "long")
        if summary.regulation
        else "",
        "audit": audit,
        "audit_seq": str(audit.seq) if audit else "",
        "audit_groups": audit.groups() if audit else [],
        "audit_on": format_date(timezone.localtime(audit.at).date(), "long") if audit else "",
        "fund_url": fund_url,
        "qr": qr_data_uri(fund_url),
        "printed_on": format_date(printed_on, "long"),
        **_fit(summary),
    }


def poster_pdf(summary: MonthSummary, *, fund_url: str, printed_on: dt.date) -> bytes:
    """The poster on one A4 sheet, in Thai. `fund_url` is the absolute URL its QR code holds."""
    with translation.override("th"):
        context = poster_context(summary, fund_url=fund_url, printed_on=printed_on)
        return render_pdf("public/poster.html", context)
