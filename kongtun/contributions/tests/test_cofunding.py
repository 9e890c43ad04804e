"""Co-funders' money into the books, matching terms per year, and the matching report built from
a worked example.

The worked example is FY2566 (1 Oct 2565 – 30 Sep 2566 BE, i.e. 1 Oct 2022 – 30 Sep 2023 CE;
cut-off 30 Sep 2023). Everyone who joined before the year paid the 20-baht entry fee before it
began, so the amounts paid in the year are contributions unless the test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.contributions import cofunding, matching
from kongtun.contributions.cofunding import (
    cocontribution_record,
    matching_record,
    matching_report,
    matching_terms_proposed,
    matching_terms_set,
)
from kongtun.contributions.models import (
    CoContribution,
    MatchedMember,
    MatchingTerms,
    OpeningImport,
    PastPayment,
    Plan,
    Receipt,
)
from kongtun.contributions.services import receipt_void
from kongtun.contributions.tests.conftest import new_member
from kongtun.funds.models import Fund
from kongtun.ledger.models import Account, JournalLine
from kongtun.ledger.selectors import trial_balance
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status

D = Decimal
FY = 2566
BEFORE_FY = dt.date(2022, 9, 1)


def lines_of(cofund: CoContribution) -> dict[str, Decimal]:
    return {
        line.account.code: line.amount
        for line in JournalLine.objects.filter(entry=cofund.entry).select_related("account")
    }


@pytest.fixture
def record(books: Fund, users: dict[str, User]) -> Callable[..., CoContribution]:
    def make(**kwargs: Any) -> CoContribution:
        kwargs.setdefault("funder", "codi")
        kwargs.setdefault("fiscal_year", FY)
        kwargs.setdefault("date", dt.date(2023, 3, 1))
        if kwargs["funder"] == "codi":
            kwargs.setdefault("round", 1)
        return cocontribution_record(fund=books, actor=users["treasurer"], **kwargs)

    return make


def account(fund: Fund, code: str) -> Account:
    return Account.objects.get(fund=fund, code=code)


# --- Co-contributions into the books ---------------------------------------------------------


def test_codi_money_goes_into_the_bank_as_income_from_codi(books, record):
    cofund = record(amount=D("15000.00"), round=2, reference="พอช. 123/2566")

    assert (cofund.funder, cofund.fiscal_year, cofund.round) == ("codi", FY, 2)
    assert lines_of(cofund) == {"1111": D("15000.00"), "4201": D("-15000.00")}
    trial = trial_balance(fund=books, on=dt.date(2023, 3, 31))
    assert trial.total_debit == trial.total_credit == D("15000.00")
    assert AuditEntry.objects.filter(action="contributions.cocontribution.recorded").count() == 1


def test_local_government_money_goes_to_the_account_chosen(books, record):
    tao = record(funder="local_gov", amount=D("5000.00"), payer="อบต.เวียงเหนือ")
    municipality = record(
        funder="local_gov",
        amount=D("2500.00"),
        payer="เทศบาลตำบลเวียงเหนือ",
        income_account=account(books, "4302"),
        money_account=account(books, "1101"),
    )

    assert lines_of(tao) == {"1111": D("5000.00"), "4301": D("-5000.00")}
    assert lines_of(municipality) == {"1101": D("2500.00"), "4302": D("-2500.00")}
    assert municipality.payer == "เทศบาลตำบลเวียงเหนือ"


def test_donations_and_other_government_money_follow_the_funder(books, record):
    donation = record(funder="donor", amount=D("1000.00"), payer="วัดเวียงเหนือ")
    other = record(funder="other_gov", amount=D("300.00"))

    assert lines_of(donation) == {"1111": D("1000.00"), "4501": D("-1000.00")}
    assert lines_of(other) == {"1111": D("300.00"), "4401": D("-300.00")}


def test_codi_money_without_a_round_is_refused_and_nothing_is_written(books, record):
    with pytest.raises(ValidationError) as exc:
        record(amount=D("1000.00"), round=None)

    assert "round" in exc.value.message_dict
    assert not CoContribution.objects.filter(fund=books).exists()
    assert not JournalLine.objects.filter(fund=books).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": D("0.00")}, "amount"),
        ({"amount": D("10.001")}, "amount"),
        ({"amount": D("10.00"), "fiscal_year": 2023}, "fiscal_year"),
        ({"amount": D("10.00"), "round": 100}, "round"),
        ({"amount": D("10.00"), "funder": "bank"}, "funder"),
    ],
)
def test_impossible_co_contributions_are_refused(books, record, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        record(**kwargs)
    assert field in exc.value.message_dict
    assert not CoContribution.objects.filter(fund=books).exists()


def test_local_government_money_cannot_go_to_another_income_account(books, record):
    with pytest.raises(ValidationError) as exc:
        record(funder="local_gov", amount=D("100.00"), income_account=account(books, "4201"))
    assert "income_account" in exc.value.message_dict


def test_the_same_form_sent_twice_is_recorded_once(books, record):
    first = record(amount=D("8000.00"), idempotency_key="k-1")
    again = record(amount=D("8000.00"), idempotency_key="k-1")

    assert again.pk == first.pk
    assert CoContribution.objects.filter(fund=books).count() == 1
    assert JournalLine.objects.filter(fund=books).count() == 2
    with pytest.raises(ValidationError):
        record(amount=D("9000.00"), idempotency_key="k-1")


def test_co_contributions_are_listed_by_year_then_funder_with_codi_first(books, record):
    record(funder="donor", amount=D("50.00"), fiscal_year=2566)
    record(amount=D("400.00"), round=2, date=dt.date(2023, 8, 15))
    record(amount=D("1500.00"), round=1)
    record(amount=D("700.00"), fiscal_year=2567, date=dt.date(2024, 2, 1))

    years = cofunding.cocontribution_years(fund=books)

    assert [y.fiscal_year for y in years] == [2567, 2566]
    assert [f.funder for f in years[1].funders] == ["codi", "donor"]
    assert [p.round for p in years[1].funders[0].payments] == [1, 2]
    assert years[1].funders[0].total == D("1900.00") and years[1].total == D("1950.00")


# --- Matching terms --------------------------------------------------------------------------


def test_terms_are_set_per_year_and_audited_with_before_and_after(books, users):
    def set_terms(ratio: str) -> MatchingTerms:
        return matching_terms_set(
            fund=books,
            actor=users["treasurer"],
            funder="codi",
            fiscal_year=FY,
            ratio=D(ratio),
            cap_per_member=D("365.00"),
            max_rounds=3,
            min_membership_days=365,
        )

    first = set_terms("1.000")
    changed = set_terms("0.500")
    set_terms("0.500")  # nothing changed: nothing audited

    assert changed.pk == first.pk and changed.ratio == D("0.500")
    assert MatchingTerms.objects.filter(fund=books).count() == 1
    audits = list(AuditEntry.objects.filter(action="contributions.matching_terms.set"))
    assert len(audits) == 2
    assert '"ratio":"0.500"' in audits[1].data and '"ratio":"1.000"' in audits[1].data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ratio", D("0")),
        ("ratio", D("1.0005")),
        ("ratio", D("1000")),
        ("cap_per_member", D("0")),
        ("max_rounds", 0),
        ("min_membership_days", 4000),
    ],
)
def test_impossible_terms_are_refused(books, users, field, value):
    terms: dict[str, Any] = {
        "ratio": D("1"),
        "cap_per_member": D("365.00"),
        "max_rounds": 3,
        "min_membership_days": 365,
    }
    terms[field] = value
    with pytest.raises(ValidationError) as exc:
        matching_terms_set(
            fund=books, actor=users["treasurer"], funder="codi", fiscal_year=FY, **terms
        )
    assert field in exc.value.message_dict
    assert not MatchingTerms.objects.filter(fund=books).exists()


def test_the_terms_form_starts_from_the_same_funders_latest_earlier_year(books, users):
    assert matching_terms_proposed(fund=books, funder="codi", fiscal_year=FY) == matching.Rule(
        D("1.000"), D("365.00"), 3, 365
    )
    for year, cap in ((2564, "300.00"), (2565, "330.00"), (2567, "400.00")):
        matching_terms_set(
            fund=books,
            actor=users["treasurer"],
            funder="codi",
            fiscal_year=year,
            ratio=D("1"),
            cap_per_member=D(cap),
            max_rounds=2,
            min_membership_days=180,
        )

    proposed = matching_terms_proposed(fund=books, funder="codi", fiscal_year=FY)
    assert proposed == matching.Rule(D("1.000"), D("330.00"), 2, 180)
    other = matching_terms_proposed(fund=books, funder="local_gov", fiscal_year=FY)
    assert other.cap == D("365.00")


# --- The worked example ----------------------------------------------------------------------


class Example:
    """FY2566 with CODI 1 : 1, at most 365 baht, 3 rounds, 365 days; local government 0.5."""

    def __init__(self, fund: Fund, actor: User, pay: Callable[..., Receipt]) -> None:
        self.fund, self.actor, self.pay = fund, actor, pay
        self.seed = 500
        for funder, ratio in (("codi", "1.000"), ("local_gov", "0.500")):
            matching_terms_set(
                fund=fund,
                actor=actor,
                funder=funder,
                fiscal_year=FY,
                ratio=D(ratio),
                cap_per_member=D("365.00"),
                max_rounds=3,
                min_membership_days=365,
            )
        self.batch = OpeningImport.objects.create(
            fund=fund, sha256="0" * 64, filename="old.xlsx", as_of=BEFORE_FY, created_by=actor
        )

    def member(self, joined: dt.date, *, fee_paid: bool = True) -> Member:
        self.seed += 1
        m = new_member(self.fund, self.actor, self.seed, joined)
        if fee_paid:
            self.pay(m, "20.00", BEFORE_FY if joined < BEFORE_FY else joined)
        return m

    def past(self, member: Member, amount: str, on: dt.date) -> None:
        PastPayment.objects.create(
            fund=self.fund, member=member, date=on, amount=D(amount), batch=self.batch
        )

    def change(self, member: Member, event: str, on: dt.date) -> Member:
        return member_change_status(member=member, actor=self.actor, event=event, effective_on=on)


@pytest.fixture
def example(plan: Plan, books: Fund, users: dict[str, User], pay) -> dict[str, Member]:
    ex = Example(books, users["treasurer"], pay)
    m: dict[str, Member] = {}

    # A: a member for years; the first and last days of the year count, the days around do not.
    m["A"] = ex.member(dt.date(2021, 1, 10))
    pay(m["A"], "30.00", dt.date(2022, 9, 30))
    pay(m["A"], "300.00", dt.date(2022, 10, 1))
    pay(m["A"], "65.00", dt.date(2023, 9, 30))
    pay(m["A"], "30.00", dt.date(2023, 10, 1))
    # B joined on 1 Oct 2022: exactly 365 days by the cut-off. Its first receipt pays the entry
    # fee too: 385 = 20 fee + 365 contribution; only the contribution is matched.
    m["B"] = ex.member(dt.date(2022, 10, 1), fee_paid=False)
    pay(m["B"], "385.00", dt.date(2022, 10, 1))
    # B2 joined a day later: 364 days.
    m["B2"] = ex.member(dt.date(2022, 10, 2), fee_paid=False)
    pay(m["B2"], "385.00", dt.date(2022, 10, 2))
    # C joined in June 2023.
    m["C"] = ex.member(dt.date(2023, 6, 1), fee_paid=False)
    pay(m["C"], "140.00", dt.date(2023, 6, 1))
    # D paid more than the cap; E little.
    m["D"] = ex.member(dt.date(2020, 5, 1))
    pay(m["D"], "500.00", dt.date(2023, 1, 5))
    m["E"] = ex.member(dt.date(2020, 5, 1))
    pay(m["E"], "120.00", dt.date(2023, 1, 5))
    # F was matched by CODI in the three years before.
    m["F"] = ex.member(dt.date(2019, 1, 1))
    pay(m["F"], "365.00", dt.date(2023, 2, 1))
    for year in (2563, 2564, 2565):
        MatchedMember.objects.create(
            fund=books,
            member=m["F"],
            funder="codi",
            fiscal_year=year,
            expected=D("365.00"),
            recorded_by=users["treasurer"],
        )
    # G paid, then died before the cut-off.
    m["G"] = ex.member(dt.date(2019, 1, 1))
    pay(m["G"], "365.00", dt.date(2022, 11, 1))
    ex.change(m["G"], Event.DIED, dt.date(2023, 8, 1))
    # H's first payment was voided; only the second counts.
    m["H"] = ex.member(dt.date(2019, 1, 1))
    receipt_void(
        receipt=pay(m["H"], "365.00", dt.date(2022, 11, 1)),
        actor=users["treasurer"],
        reason="พิมพ์ผิด",
        on=dt.date(2022, 11, 2),
    )
    pay(m["H"], "100.00", dt.date(2022, 12, 1))
    # P paid 100 here and 200 in the old books during the year (the 300 before it is outside).
    m["P"] = ex.member(dt.date(2018, 1, 1))
    pay(m["P"], "100.00", dt.date(2023, 1, 10))
    ex.past(m["P"], "200.00", dt.date(2022, 10, 15))
    ex.past(m["P"], "300.00", dt.date(2022, 9, 15))
    # L lapsed in May and was reinstated in September: active on the cut-off.
    m["L"] = ex.member(dt.date(2019, 1, 1))
    pay(m["L"], "130.00", dt.date(2022, 11, 1))
    ex.change(m["L"], Event.LAPSED, dt.date(2023, 5, 1))
    ex.change(m["L"], Event.REINSTATED, dt.date(2023, 9, 1))
    # R resigned after the cut-off: still active on it, whatever the register says today.
    m["R"] = ex.member(dt.date(2019, 1, 1))
    pay(m["R"], "365.00", dt.date(2023, 3, 1))
    m["R"] = ex.change(m["R"], Event.RESIGNED, dt.date(2023, 10, 5))
    # Z paid nothing in the year.
    m["Z"] = ex.member(dt.date(2019, 1, 1))
    # X died years ago: not part of the year at all.
    m["X"] = ex.member(dt.date(2010, 2, 1), fee_paid=False)
    ex.change(m["X"], Event.DIED, dt.date(2015, 1, 1))
    # Joined after the cut-off: not part of the year either.
    m["N"] = ex.member(dt.date(2023, 10, 1), fee_paid=False)
    return m


def funder_section(report: cofunding.MatchingReport, funder: str) -> cofunding.FunderMatching:
    return next(f for f in report.funders if f.funder == funder)


def expected_by_member(section: cofunding.FunderMatching, m: dict[str, Member]) -> dict[str, D]:
    names = {member.pk: name for name, member in m.items()}
    return {names[d.facts.who.pk]: d.expected for d in section.outcome.eligible}


def reasons_by_member(section: cofunding.FunderMatching, m: dict[str, Member]) -> dict[str, Any]:
    names = {member.pk: name for name, member in m.items()}
    return {
        names[d.facts.who.pk]: {r.value for r in d.reasons} for d in section.outcome.not_eligible
    }


def test_codi_matching_of_the_worked_example(books, example):
    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")

    assert expected_by_member(codi, example) == {
        "A": D("365.00"),  # 300 on 1 Oct + 65 on 30 Sep
        "B": D("365.00"),  # the 20-baht fee is not matched
        "D": D("365.00"),  # 500 paid, capped
        "E": D("120.00"),
        "H": D("100.00"),  # the voided 365 does not count
        "P": D("300.00"),  # 100 receipt + 200 from the old books
        "L": D("130.00"),
        "R": D("365.00"),
    }
    assert codi.outcome.expected_total == D("2110.00")
    assert reasons_by_member(codi, example) == {
        "B2": {"joined_too_late"},
        "C": {"joined_too_late"},
        "F": {"rounds_used"},
        "G": {"not_active"},
        "Z": {"no_contributions"},
    }


def test_a_member_who_rejoined_counts_membership_from_the_fresh_start(books, plan, users, pay):
    """Under "rejoin" terms a lapsed member starts again; for matching, a member who joined in
    2019 and rejoined on 1 August 2023 has two months of membership on the cut-off."""
    from kongtun.contributions.services import member_reinstate, terms_update

    treasurer = users["treasurer"]
    terms_update(
        fund=books,
        actor=treasurer,
        default_plan=plan,
        lapse_after=3,
        lapse_unit="months",
        reinstatement="rejoin",
        reinstatement_fee=D("0"),
    )
    Example(books, treasurer, pay)  # the year's terms
    member = new_member(books, treasurer, 777, dt.date(2019, 1, 1))
    member_change_status(
        member=member, actor=treasurer, event=Event.LAPSED, effective_on=dt.date(2023, 3, 1)
    )
    member_reinstate(member=member, actor=treasurer, on=dt.date(2023, 8, 1))
    pay(member, "100.00", dt.date(2023, 8, 5))
    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    assert reasons_by_member(codi, {"M": member}) == {"M": {"joined_too_late"}}


def test_local_government_matches_half_and_has_its_own_rounds(books, example):
    local = funder_section(matching_report(fund=books, fiscal_year=FY), "local_gov")

    expected = expected_by_member(local, example)
    assert expected["E"] == D("60.00")
    assert expected["D"] == D("250.00")
    assert expected["F"] == D("182.50")  # CODI's rounds are not local government's
    assert local.outcome.expected_total == D("1305.00")


def test_the_contributions_of_the_year_are_counted_within_its_bounds(books, example):
    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    paid = {d.facts.who.pk: d.facts.contributions for d in codi.outcome.decisions}

    assert paid[example["A"].pk] == D("365.00")
    assert paid[example["C"].pk] == D("120.00")  # 140 less the 20-baht fee
    assert example["X"].pk not in paid and example["N"].pk not in paid


def test_received_against_expected_shows_what_is_still_to_come_then_the_excess(
    books, example, record
):
    record(amount=D("1500.00"), round=1, date=dt.date(2023, 3, 1))
    record(amount=D("400.00"), round=2, date=dt.date(2023, 8, 15))
    record(amount=D("9999.00"), round=1, fiscal_year=2567, date=dt.date(2024, 3, 1))

    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    assert codi.balance.received == D("1900.00")
    assert codi.balance.settlement is matching.Settlement.TO_COME
    assert codi.balance.to_come == D("210.00")

    record(amount=D("500.00"), round=3, date=dt.date(2023, 9, 20))
    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    assert codi.balance.settlement is matching.Settlement.EXCESS
    assert codi.balance.excess == D("290.00")


def test_recording_the_round_writes_the_eligible_members_once(books, example, users):
    added = matching_record(fund=books, actor=users["treasurer"], funder="codi", fiscal_year=FY)

    rows = MatchedMember.objects.filter(fund=books, funder="codi", fiscal_year=FY)
    assert len(added) == rows.count() == 8
    assert {r.member_id: r.expected for r in rows}[example["P"].pk] == D("300.00")
    assert sum(r.expected for r in rows) == D("2110.00")
    assert AuditEntry.objects.filter(action="contributions.matching.recorded").count() == 1

    again = matching_record(fund=books, actor=users["treasurer"], funder="codi", fiscal_year=FY)
    assert again == []
    assert MatchedMember.objects.filter(fund=books, funder="codi", fiscal_year=FY).count() == 8
    assert AuditEntry.objects.filter(action="contributions.matching.recorded").count() == 1
    section = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    assert (section.recorded_count, section.recorded_total) == (8, D("2110.00"))


def test_a_recorded_round_counts_towards_the_limit_in_later_years(books, example, users, pay):
    a = example["A"]
    for year in (2564, 2565):
        MatchedMember.objects.create(
            fund=books,
            member=a,
            funder="codi",
            fiscal_year=year,
            expected=D("365.00"),
            recorded_by=users["treasurer"],
        )
    matching_terms_set(
        fund=books,
        actor=users["treasurer"],
        funder="codi",
        fiscal_year=2567,
        ratio=D("1"),
        cap_per_member=D("365.00"),
        max_rounds=3,
        min_membership_days=365,
    )
    pay(example["D"], "365.00", dt.date(2024, 1, 5))

    before = funder_section(matching_report(fund=books, fiscal_year=2567), "codi")
    assert {d.facts.who.pk for d in before.outcome.eligible} == {a.pk, example["D"].pk}

    matching_record(fund=books, actor=users["treasurer"], funder="codi", fiscal_year=FY)
    after = funder_section(matching_report(fund=books, fiscal_year=2567), "codi")
    assert {d.facts.who.pk for d in after.outcome.eligible} == {example["D"].pk}
    assert reasons_by_member(after, example)["A"] == {"rounds_used"}
    # The year itself is judged on its earlier years only: recording it changes nothing in it.
    codi = funder_section(matching_report(fund=books, fiscal_year=FY), "codi")
    assert codi.outcome.expected_total == D("2110.00")


def test_a_round_is_not_recorded_before_the_cut_off_or_without_terms(books, users):
    this_year = matching.government_year_of(timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        matching_record(fund=books, actor=users["treasurer"], funder="codi", fiscal_year=this_year)
    assert "funder" in exc.value.message_dict
    with pytest.raises(ValidationError):
        matching_record(fund=books, actor=users["treasurer"], funder="donor", fiscal_year=FY)
    assert not MatchedMember.objects.filter(fund=books).exists()


def test_a_year_without_terms_has_no_matching(books):
    report = matching_report(fund=books, fiscal_year=FY)
    assert report.funders == []
    assert (report.start, report.cutoff) == (dt.date(2022, 10, 1), dt.date(2023, 9, 30))
