"""The notice-board poster: one month of the indicators' town on one A4 page, in Thai.

The month's figures are checked against the selectors the books and CODI's forms read
(`movements`, `welfare_by_category`, `fund_indicators`) and against the town's story by hand
(kongtun/indicators/tests/conftest.py); the PDF is read back with poppler and zbar, as the
receipts are. The town's audit trail has entries at fixed past moments (fund_fixtures.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.audit.services import chain_for
from kongtun.conftest import make_national_id
from kongtun.contributions.tests.test_receipts import pdf_pages, pdf_text, qr_codes, squash
from kongtun.funds.models import Fund
from kongtun.indicators.selectors import MemberCounts, TypeCount, fund_indicators
from kongtun.indicators.tests.conftest import REGISTER, Town
from kongtun.ledger.core import AccountType
from kongtun.ledger.models import Account, Source
from kongtun.ledger.summaries import movements
from kongtun.ledger.tests.conftest import post_entry
from kongtun.lib.thaidate import format_date
from kongtun.public import fund_pages, poster, views_poster
from kongtun.public.fund_pages_common import poster_months
from kongtun.public.poster import (
    CATEGORY_ORDER,
    AuditMark,
    MoneyLine,
    MonthSummary,
    PosterMonth,
    Regulation,
    WelfareRow,
    _members_year_start,
    month_summary,
    poster_context,
    poster_month,
    poster_pdf,
    protect_welfare,
)
from kongtun.public.suppress import HIDDEN, Count
from kongtun.public.tests.fund_fixtures import BKK, build_public_town, make_laptop_fund
from kongtun.welfare.selectors import welfare_by_category

pytestmark = pytest.mark.django_db
D = Decimal
CODE = "lp-wiang-nuea"
# The town's fiscal year 2569, October 2025 to September 2026, as (BE year, month).
YEAR_2569 = [(2568, m) for m in (10, 11, 12)] + [(2569, m) for m in range(1, 10)]


@pytest.fixture
def pub(in_fund: Fund, users: dict[str, User]) -> Town:
    return build_public_town(in_fund, users)


def url(year: int, month: int, code: str = CODE) -> str:
    return reverse("public-poster", kwargs={"code": code, "year": year, "month": month})


def month_of(fund: Fund, year: int, month: int) -> PosterMonth:
    return poster_month(fund, year, month, timezone.localdate())


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year + 543, today.month


# --- the printed sheet ------------------------------------------------------------------------


def test_a_closed_month_prints_its_figures_on_one_page(pub: Town, tmp_path: Path) -> None:
    response = english(Client()).get(url(2569, 2))
    with translation.override("th"):
        printed_on = format_date(timezone.localdate(), "long")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="poster-lp-wiang-nuea-2569-02.pdf"'
    assert pdf_pages(response.content, tmp_path / "p.pdf") == 1
    text = pdf_text(response.content, tmp_path / "p.pdf")
    # Thai although the visitor reads the site in English: the sheet is for a Thai board.
    for expected in (
        pub.fund.name,
        "ตำบลเวียงเหนือ อำเภอเมืองลำปาง จังหวัดลำปาง",
        "ประกาศสรุปผลการดำเนินงาน ประจำเดือนกุมภาพันธ์ 2569",
        "ณ สิ้นเดือน",
        # Money in, by source: nothing in February; the year so far 1,200 + 5,000 + 2,000.
        "เงินสมทบ (สัจจะ) สมาชิก 0.00 1,200.00",
        "องค์กรปกครองส่วนท้องถิ่น 0.00 7,000.00",
        "รวม 0.00 8,200.00",
        # Welfare in February: c4 (birth, 1,000) and c5 (education, 500) on 5 Feb, one
        # claim each: their baht is withheld beside the "<5", the month's total is whole. The
        # year so far adds c3 (December), in all only.
        "สวัสดิการเด็กแรกเกิด/คลอดบุตร <5 <5 —",
        "สวัสดิการการศึกษา/ทุนการศึกษา <5 <5 —",
        "รวมเดือนนี้ <5 <5 1,500.00",
        "รวมทั้งปีงบประมาณ 2569 ถึงสิ้นเดือนนี้ 2,500.00",
        # Members on 30 Sep 2025, before the year began: 001–006, 011, 012 (013 had
        # resigned); none new in February. The fund: 20,000 + 1,000 + 500 − 1,000 − 500 (the
        # year before) + 1,200 + 5,000 − 1,000 + 2,000 − 150 − 1,500 = 25,550.
        # Shown as the fund page of 2568 shows them (it hides its 9 since the start instead).
        "สมาชิก ณ 30 ก.ย. 2568 8 คน",
        "สมาชิก ณ 30 ก.ย. 2568 (ก่อนเริ่มปีงบประมาณ 2569) 8 คน",
        "สมาชิกใหม่เดือนนี้ 0 คน",
        "25,550.00 บาท",
        "ระเบียบกองทุนสวัสดิการ (ทดสอบ) (ฉบับที่ 1 ใช้ตั้งแต่ 1 มกราคม 2563)",
        "เหรัญญิก",
        "ประธานกรรมการ",
        "วันที่ติดประกาศ",
        "พิมพ์เมื่อ " + printed_on,
    ):
        assert squash(expected) in text, expected
    assert squash("ยังไม่สิ้นสุด") not in text
    # Nothing counted over the year so far: see test_no_count_runs_on_from_poster_to_poster.
    assert squash("สมาชิกใหม่ปีงบประมาณ") not in text and squash("สิ้นเดือน 9 คน") not in text


def test_the_qr_code_opens_the_funds_public_page(pub: Town, tmp_path: Path) -> None:
    response = Client().get(url(2569, 4))

    codes = qr_codes(response.content, tmp_path / "p.pdf")

    assert codes == [f"http://testserver/public/fund/{CODE}/"]


def test_the_poster_names_no_one(pub: Town, tmp_path: Path) -> None:
    secrets = []
    for seed, member in enumerate(pub.members.values(), start=1):
        secrets += [member.full_name, member.first_name, member.national_id_masked]
        secrets.append(make_national_id(seed))
    assert len(secrets) == 4 * len(REGISTER)
    # The claims' people and the decisions' numbers, and the committee's names.
    secrets += [c.person_name for c in pub.claims.values() if c.person_name]
    secrets += ["สมมติ", "ยากจน", "ขาดแคลน", "กรรมการ 1", "-c4"]
    for year, month in ((2569, 2), (2569, 5), (2568, 12)):
        text = pdf_text(Client().get(url(year, month)).content, tmp_path / "p.pdf")
        for secret in secrets:
            assert squash(secret) not in text, (year, month, secret)


def test_the_audit_hash_is_the_last_entry_by_the_end_of_the_month(
    pub: Town, tmp_path: Path
) -> None:
    entries = list(AuditEntry.objects.filter(chain=chain_for(pub.fund)).order_by("seq"))
    # #3 was written at 00:30 on 4 October in Thailand (still 3 October in UTC); #4 on
    # 1 March 2026; the town's own entries today.
    third, fourth = entries[2], entries[3]

    october = pdf_text(Client().get(url(2568, 10)).content, tmp_path / "p.pdf")
    february = pdf_text(Client().get(url(2569, 2)).content, tmp_path / "p.pdf")
    march = pdf_text(Client().get(url(2569, 3)).content, tmp_path / "p.pdf")

    assert squash("รายการที่ 3 วันที่ 4 ตุลาคม 2568") in october
    assert third.hash in october and third.hash in february
    assert squash("รายการที่ 4 วันที่ 1 มีนาคม 2569") in march and fourth.hash in march
    assert fourth.hash not in february
    # Readable: four hex digits to a group.
    assert AuditMark(4, fourth.hash, fourth.at).groups()[0] == fourth.hash[:4]
    assert len(AuditMark(4, fourth.hash, fourth.at).groups()) == 16


def test_the_month_running_stands_at_today_and_is_never_cached(pub: Town, tmp_path: Path) -> None:
    year, month = this_month()
    today = timezone.localdate()

    response = Client().get(url(year, month))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    text = pdf_text(response.content, tmp_path / "p.pdf")
    with translation.override("th"):
        assert squash(f"ข้อมูลถึงวันที่ {format_date(today, 'long')}") in text
    assert squash("เดือนนี้ยังไม่สิ้นสุด") in text and squash("ฐานะของกองทุน ณ วันนี้") in text
    # Today's entries (the town's) are in, the last of them on the poster.
    last = AuditEntry.objects.filter(chain=chain_for(pub.fund)).order_by("-seq").first()
    assert last is not None and last.hash in text


def test_a_closed_month_may_be_cached_publicly(pub: Town) -> None:
    response = Client().get(url(2569, 9))

    assert response.status_code == 200
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache == {"public", "max-age=86400"}


@pytest.mark.parametrize(
    "year, month",
    [
        (2569, 0),
        (2569, 13),
        (2552, 12),
        (99999, 1),
        (1, 1),
        (9999999999, 1),
        (10**30, 1),
        (2399, 1),
        (3001, 1),
    ],
    ids=[
        "month-0",
        "month-13",
        "before-founding",
        "no-such-year",
        "year-1",
        "overflowing-year",
        "far-overflowing-year",
        "before-2400",
        "after-3000",
    ],
)
def test_months_that_are_not_on_offer_are_not_found(fund: Fund, year: int, month: int) -> None:
    assert fund.founded_on == dt.date(2010, 1, 15)
    assert Client().get(url(year, month)).status_code == 404


@pytest.mark.parametrize("year", [9999999999, 10**30, -(10**30), 2399, 3001])
def test_a_year_beyond_any_poster_is_not_found_before_any_date_is_made(
    fund: Fund, year: int
) -> None:
    # 9999999999 − 543 overflowed dt.date (OverflowError, a 500) before the range check.
    with pytest.raises(Http404):
        poster_month(fund, year, 1, dt.date(2026, 5, 1))


def test_the_month_after_this_one_and_an_unknown_fund_are_not_found(fund: Fund) -> None:
    year, month = this_month()
    later = (year + 1, 1) if month == 12 else (year, month + 1)

    assert Client().get(url(*later)).status_code == 404
    assert Client().get(url(year, month, code="no-such-fund")).status_code == 404


def test_the_founding_month_of_a_fund_without_records_prints(fund: Fund, tmp_path: Path) -> None:
    response = Client().get(url(2553, 1))  # founded 15 January 2010

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path / "p.pdf")
    assert squash("ยังไม่มีเงินเข้าในปีงบประมาณนี้") in text
    assert squash("ไม่มีการจ่ายสวัสดิการในเดือนนี้") in text
    assert squash("ยังไม่มีระเบียบที่ประกาศใช้") in text


def test_a_fund_on_its_own_computer_gets_a_page_saying_so(pub: Town, other_fund: Fund) -> None:
    make_laptop_fund(other_fund, pub.fund, dt.date(2026, 6, 30))

    response = english(Client()).get(url(2569, 5, code=other_fund.code))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "printed with the program on the fund's own computer" in body
    assert reverse("public-fund", kwargs={"code": other_fund.code}) in body


# --- the figures agree with the books ---------------------------------------------------------


def income_from_the_books(fund: Fund, first: dt.date, last: dt.date) -> dict[str, Decimal]:
    """Money in by source as the ledger's monthly totals give it: credits to income."""
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund)}
    found: dict[str, Decimal] = defaultdict(Decimal)
    for (_fund, account, source, *_rest), amount in movements(
        funds=[fund], start=first, end=last
    ).items():
        if accounts[account].type == AccountType.INCOME:
            found[source or accounts[account].source or Source.OTHER] -= amount
    return {source: amount for source, amount in found.items() if amount}


def test_money_in_by_source_is_the_months_movements(pub: Town) -> None:
    for year, month in YEAR_2569:
        found = month_summary(fund=pub.fund, month=month_of(pub.fund, year, month))
        shown = {m.source: m.month for m in found.money if m.month}
        assert shown == income_from_the_books(pub.fund, found.month.first, found.month.last)
        assert found.money_month == sum(shown.values(), D("0.00"))

    april = month_summary(fund=pub.fund, month=month_of(pub.fund, 2569, 4))
    assert [(m.source, m.month, m.year) for m in april.money] == [
        (Source.MEMBERS, D("800.00"), D("2000.00")),
        (Source.LOCAL_GOV, D("0.00"), D("7000.00")),
        (Source.DONATIONS, D("300.00"), D("300.00")),
    ]
    assert (april.money_month, april.money_year) == (D("1100.00"), D("9300.00"))


def test_the_year_so_far_is_the_indicators_on_the_month_end(pub: Town) -> None:
    for year, month in YEAR_2569:
        found = month_summary(fund=pub.fund, month=month_of(pub.fund, year, month))
        ind = fund_indicators(fund=pub.fund, on=found.month.last)
        assert found.fiscal_year_be == ind.fiscal_year_be == 2569
        assert {m.source: m.year for m in found.money if m.year} == {
            m.source: m.year for m in ind.money if m.year
        }
        assert found.money_year == ind.income_year
        assert (found.money_on_hand, found.fund_balance) == (ind.money_on_hand, ind.fund_balance)
        assert found.welfare_year == ind.welfare_paid_year
        # The members before the year began, as the indicators count them on 30 September,
        # shown as the fund page of fiscal year 2568 shows them: that page hides its 9 members
        # since the start beside them (one left), and keeps the 8.
        before = fund_indicators(fund=pub.fund, on=dt.date(2025, 9, 30))
        assert found.members_on == dt.date(2025, 9, 30)
        assert found.members_year_start.n == before.members.current == 8
        page = fund_pages.fund_page(fund=pub.fund, fiscal_year=2568, today=dt.date(2026, 11, 1))
        (members,) = page.tables["members"].rows
        assert found.members_year_start == members["current"]
        assert found.members_year_start.public() == 8
        assert members["cumulative"].public() == HIDDEN


def test_welfare_is_welfare_by_category_for_the_month(pub: Town) -> None:
    for year, month in YEAR_2569:
        found = month_summary(fund=pub.fund, month=month_of(pub.fund, year, month))
        rows = welfare_by_category(pub.fund, found.month.last, found.month.first)
        assert [(w.category, w.persons.n, w.claims.n) for w in found.welfare] == [
            (r.category, r.persons, r.claims) for r in rows
        ]
        assert found.welfare_total.baht == sum((r.baht for r in rows), D("0.00"))

    february = month_summary(fund=pub.fund, month=month_of(pub.fund, 2569, 2))
    assert [(w.category, w.claims.n) for w in february.welfare] == [
        ("birth", 1),  # c4
        ("education", 1),  # c5, 001's child; c3 (December) is not February's
    ]


def test_new_members_are_those_first_admitted_in_the_month(pub: Town) -> None:
    new = {
        (year, month): month_summary(
            fund=pub.fund, month=month_of(pub.fund, year, month)
        ).new_members_month.n
        for year, month in YEAR_2569
    }
    # 007 approved 1 Dec 2025, 010 admitted 1 May 2026; 013's return in November is not new.
    assert {k: v for k, v in new.items() if v} == {(2568, 12): 1, (2569, 5): 1}
    september = fund_indicators(fund=pub.fund, on=dt.date(2026, 9, 30))
    assert sum(new.values()) == september.members.new_this_year == 2


def test_a_small_count_with_its_total_shown_hides_the_next_smallest(fund: Fund) -> None:
    rows = [
        WelfareRow("birth", Count(3), Count(3), D("3000")),
        WelfareRow("illness", Count(7), Count(9), D("900")),
        WelfareRow("death", Count(12), Count(12), D("12000")),
    ]
    shown, total = protect_welfare(rows)
    summary = dataclasses.replace(
        synthetic(fund, money=1, welfare=0), welfare=shown, welfare_total=total
    )

    context = poster_context(summary, fund_url="http://x/", printed_on=dt.date(2026, 10, 1))

    assert [w["persons"] for w in context["welfare"]] == ["<5", "ปกปิด", "12"]
    assert [w["claims"] for w in context["welfare"]] == ["<5", "ปกปิด", "12"]
    assert context["welfare_total"]["persons"] == "22"


def test_a_total_that_would_give_a_small_count_away_is_hidden_too(fund: Fund) -> None:
    # One birth and five deaths: with both counts hidden, a total of 6 still says 1 + 5.
    rows = [
        WelfareRow("birth", Count(1), Count(1), D("1000")),
        WelfareRow("death", Count(5), Count(5), D("5000")),
    ]
    shown, total = protect_welfare(rows)
    summary = dataclasses.replace(
        synthetic(fund, money=1, welfare=0), welfare=shown, welfare_total=total
    )

    context = poster_context(summary, fund_url="http://x/", printed_on=dt.date(2026, 10, 1))

    assert [w["persons"] for w in context["welfare"]] == ["<5", "ปกปิด"]
    assert context["welfare_total"]["persons"] == "ปกปิด"


def test_baht_beside_a_claims_count_not_shown_is_withheld(fund: Fund) -> None:
    # Three births at a fixed 1,000 baht: "3,000.00" beside "<5" would say 3. The illness
    # claims are hidden to protect them, so their baht goes too; the total keeps every baht.
    rows = [
        WelfareRow("birth", Count(3), Count(3), D("3000.00")),
        WelfareRow("illness", Count(7), Count(9), D("900.00")),
        WelfareRow("death", Count(12), Count(12), D("12000.00")),
        WelfareRow("elderly", Count(6), Count(0), D("0.00")),
    ]
    shown, total = protect_welfare(rows)
    summary = dataclasses.replace(
        synthetic(fund, money=1, welfare=0), welfare=shown, welfare_total=total
    )

    context = poster_context(summary, fund_url="http://x/", printed_on=dt.date(2026, 10, 1))

    assert [w.baht for w in shown] == [None, None, D("12000.00"), D("0.00")]
    assert [w["baht"] for w in context["welfare"]] == ["—", "—", "12,000.00", "0.00"]
    assert context["welfare_total"]["baht"] == "15,900.00"
    assert context["keys"][1]["value"] == "15,900.00"  # the month's welfare, in full


def test_the_towns_small_months_print_no_baht_beside_their_counts(
    pub: Town, tmp_path: Path
) -> None:
    # March: c6, one birth of a fixed 1,000 baht; May: c7, one non-member's 1,000.
    march = pdf_text(Client().get(url(2569, 3)).content, tmp_path / "p.pdf")
    may = pdf_text(Client().get(url(2569, 5)).content, tmp_path / "p.pdf")

    assert squash("สวัสดิการเด็กแรกเกิด/คลอดบุตร <5 <5 —") in march
    assert squash("ช่วยเหลือผู้ยากลำบากที่ไม่ใช่สมาชิก <5 <5 —") in may
    for text in (march, may):
        assert squash("รวมเดือนนี้ <5 <5 1,000.00") in text  # the total keeps its baht
        assert squash('"—" คือไม่แสดงจำนวนเงิน') in text  # and the sheet says why


# --- two posters side by side -----------------------------------------------------------------


def test_no_count_runs_on_from_poster_to_poster(pub: Town, tmp_path: Path) -> None:
    """Two posters in a row give no count of people by subtraction: every count is the
    month's own, but one that stays the same all year."""
    summaries = [
        month_summary(fund=pub.fund, month=month_of(pub.fund, year, month))
        for year, month in YEAR_2569
    ]
    counts = {f.name for f in dataclasses.fields(MonthSummary) if "Count" in str(f.type)}
    # A count added here must be of the month, or the same on every poster of the year.
    assert counts == {"members_year_start", "new_members_month"}
    assert {s.members_year_start for s in summaries} == {Count(8)}
    # The welfare rows are the month's (test_welfare_is_welfare_by_category_for_the_month);
    # a row carries no figure of the year so far.
    assert [f.name for f in dataclasses.fields(WelfareRow)] == [
        "category",
        "persons",
        "claims",
        "baht",
    ]


def test_a_member_who_left_cannot_be_worked_out_from_two_posters(pub: Town, tmp_path: Path) -> None:
    # 006 died on 15 June 2026, no one was new in June and no one returned: a poster showing
    # the members at each month's end (10 in May, 9 in June) beside June's "0 new" would
    # say that one member left in June. Both print the year's opening count.
    may = pdf_text(Client().get(url(2569, 5)).content, tmp_path / "p.pdf")
    june = pdf_text(Client().get(url(2569, 6)).content, tmp_path / "p.pdf")

    assert squash("สมาชิกใหม่เดือนนี้ 0 คน") in june
    for text in (may, june):
        assert squash("สมาชิก ณ 30 ก.ย. 2568 (ก่อนเริ่มปีงบประมาณ 2569) 8 คน") in text
        assert squash("ณ สิ้นเดือน 10 คน") not in text and squash("ณ สิ้นเดือน 9 คน") not in text
        # Nor a count of the year so far, whose difference is the month's.
        assert squash("สมาชิกใหม่ปีงบประมาณ") not in text
        assert squash("คน ครั้ง บาท คน ครั้ง บาท") not in text


def test_the_members_figure_is_hidden_as_the_funds_page_hides_it(fund: Fund) -> None:
    # One orphan and five general members: the total of 6 would give the orphan's 1 away
    # beside the fund page's members by type, so the fund page hides it, and so does this.
    one_type = MemberCounts(
        cumulative=6,
        current=6,
        eligible_for_matching=6,
        eligible_as_of=dt.date(2025, 9, 30),
        new_this_year=0,
        by_type={"general": TypeCount(5, 5), "orphan": TypeCount(1, 1)},
    )

    assert _members_year_start(one_type) == Count(6, hidden=True)
    safe = dataclasses.replace(
        one_type, by_type={"general": TypeCount(3, 3), "orphan": TypeCount(3, 3)}
    )
    assert _members_year_start(safe) == Count(6)


# --- the cost of a poster ---------------------------------------------------------------------


def test_a_poster_asks_fund_indicators_once(pub: Town) -> None:
    # February is no October: the month's new members were once fund_indicators at the end
    # of January subtracted from it at the end of February.
    with mock.patch.object(poster, "fund_indicators", wraps=poster.fund_indicators) as spy:
        response = Client().get(url(2569, 2))

    assert response.status_code == 200
    assert spy.call_count == 1


def test_a_closed_months_pdf_is_printed_once_until_its_records_change(
    pub: Town, tmp_path: Path
) -> None:
    with mock.patch.object(views_poster, "month_summary", wraps=views_poster.month_summary) as spy:
        first = Client().get(url(2569, 4))
        again = Client().get(url(2569, 4))
        assert spy.call_count == 1 and again.content == first.content
        assert Client().get(url(2569, 5)).status_code == 200
        assert spy.call_count == 2  # another month is another sheet

        # A donation of 100 recorded late for April: the fund's audit trail moves on.
        post_entry(
            pub.fund,
            pub.users["treasurer"],
            dt.date(2026, 4, 25),
            ("cash", "100.00"),
            ("income.donations", "-100.00"),
        )
        corrected = Client().get(url(2569, 4))

    assert spy.call_count == 3
    assert squash("รวม 1,100.00 9,300.00") in pdf_text(first.content, tmp_path / "p.pdf")
    assert squash("รวม 1,200.00 9,400.00") in pdf_text(corrected.content, tmp_path / "p.pdf")
    assert corrected["Cache-Control"] == first["Cache-Control"]


def test_the_month_running_is_printed_afresh_each_time(pub: Town) -> None:
    year, month = this_month()
    with mock.patch.object(views_poster, "month_summary", wraps=views_poster.month_summary) as spy:
        Client().get(url(year, month))
        Client().get(url(year, month))

    assert spy.call_count == 2


def test_a_kept_pdf_is_kept_for_its_own_address_and_day(
    pub: Town, tmp_path: Path, settings: Any
) -> None:
    # The QR code holds the fund page's absolute URL, the foot the day it was printed.
    settings.ALLOWED_HOSTS = ["testserver", "kongtun.example.org"]
    here = Client().get(url(2569, 4))
    elsewhere = Client(HTTP_HOST="kongtun.example.org").get(url(2569, 4))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch.object(views_poster.timezone, "localdate", return_value=tomorrow):
        later = Client().get(url(2569, 4))

    assert qr_codes(elsewhere.content, tmp_path / "p.pdf") == [
        f"http://kongtun.example.org/public/fund/{CODE}/"
    ]
    with translation.override("th"):
        assert squash("พิมพ์เมื่อ " + format_date(tomorrow, "long")) in pdf_text(
            later.content, tmp_path / "p.pdf"
        )
    assert here.content != later.content


# --- one page, whatever the fund --------------------------------------------------------------


def synthetic(fund: Fund, *, money: int, welfare: int) -> MonthSummary:
    """A month with `money` sources and `welfare` categories, every figure as wide as a large
    fund's, the month still running and a long regulation title: the fullest sheet."""
    first = dt.date(2026, 9, 1)
    month = PosterMonth(2569, 9, first, dt.date(2026, 9, 30), dt.date(2026, 9, 29))
    rows = [
        WelfareRow(c, Count(3 if i % 2 else 999), Count(3 if i % 2 else 2345), D("999999.99"))
        for i, c in enumerate(CATEGORY_ORDER[:welfare])
    ]
    shown, total = protect_welfare(rows)
    return MonthSummary(
        fund=fund,
        month=month,
        fiscal_year_be=2569,
        year_start=dt.date(2025, 10, 1),
        money=[MoneyLine(s, D("999999.99"), D("9999999.99")) for s in Source.values[:money]],
        money_month=D("9999999.99"),
        money_year=D("99999999.99"),
        welfare=shown,
        welfare_total=total,
        welfare_year=D("99999999.99"),
        members_on=dt.date(2025, 9, 30),
        members_year_start=Count(12345),
        new_members_month=Count(3),
        money_on_hand=D("99999999.99"),
        fund_balance=D("99999999.99"),
        regulation=Regulation(
            "ระเบียบกองทุนสวัสดิการชุมชนตำบลเวียงเหนือ ว่าด้วยการจัดสวัสดิการแก่สมาชิก พ.ศ. 2568",
            12,
            dt.date(2025, 1, 1),
        ),
        audit=AuditMark(123456, "0123456789abcdef" * 4, dt.datetime(2026, 9, 29, 9, tzinfo=BKK)),
    )


@pytest.mark.parametrize(
    "money, welfare",
    [(0, 0), (6, 5), (6, 6), (6, 9), (10, 5), (10, 10), (6, 15), (10, 15)],
)
def test_the_poster_is_one_page_however_many_sources_and_categories(
    fund: Fund, money: int, welfare: int, tmp_path: Path
) -> None:
    assert len(Source.values) == 10 and len(CATEGORY_ORDER) == 15
    pdf = poster_pdf(
        synthetic(fund, money=money, welfare=welfare),
        fund_url="https://kongtun.example.org/public/fund/lp-wiang-nuea/",
        printed_on=dt.date(2026, 9, 29),
    )

    assert pdf_pages(pdf, tmp_path / "p.pdf") == 1
    text = pdf_text(pdf, tmp_path / "p.pdf")
    assert squash(fund.name) in text and squash("วันที่ติดประกาศ") in text


def test_the_context_never_carries_a_raw_small_count(fund: Fund) -> None:
    context = poster_context(
        synthetic(fund, money=2, welfare=3), fund_url="http://x/", printed_on=dt.date(2026, 9, 29)
    )

    assert context["new_members_month"] == "<5"
    # 999, 3, 999 people: the 3 is "<5", the first 999 hidden so that 2,001 less the other
    # 999 gives only the pair's sum; their baht goes with their claims.
    assert [w["persons"] for w in context["welfare"]] == ["ปกปิด", "<5", "999"]
    assert [w["baht"] for w in context["welfare"]] == ["—", "—", "999,999.99"]
    assert context["welfare_total"]["persons"] == "2,001"
    assert context["keys"][2]["value"] == "12,345"


def test_the_months_listed_with_a_poster_are_those_that_print(fund: Fund) -> None:
    """fund_pages_common.poster_months (the links) and poster_month (the 404s) agree, in the
    year the fund was founded (15 January 2010, fiscal year 2553) and in the year running."""
    today = timezone.localdate()
    running = today.year + 543 + (1 if today.month >= 10 else 0)
    for fiscal_year, as_of in ((2553, dt.date(2010, 9, 30)), (running, today)):
        start = dt.date(fiscal_year - 544, 10, 1)
        printable = []
        for i in range(12):
            year, month = start.year + (start.month + i - 1) // 12, (start.month + i - 1) % 12 + 1
            try:
                poster_month(fund, year + 543, month, as_of)
            except Http404:
                continue
            printable.append((year + 543, month))
        assert poster_months(fund, fiscal_year, as_of) == printable, fiscal_year
