"""Every URL of a fund, requested as every kind of user: the tenancy and role promises.

The URLs are found by walking the URLconf, so a new fund page is covered without editing this.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.conftest import member_data
from kongtun.funds.models import FundRole
from kongtun.funds.permissions import Role, role_permissions
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger import core
from kongtun.ledger import services as ledger
from kongtun.ledger.models import Account
from kongtun.members.models import Member
from kongtun.members.services import (
    BeneficiaryInput,
    beneficiary_add,
    consent_record,
    member_register,
)


def _fund_patterns() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<slug:fund_code>" in route and p.name:
                found.append((p.name, p.callback))

    walk(get_resolver().url_patterns, "")
    return found


FUND_URLS = _fund_patterns()


def test_it_finds_the_fund_urls():
    names = {name for name, _ in FUND_URLS}
    assert {"funds-home", "members-list", "members-detail", "members-import"} <= names


@pytest.mark.parametrize(("name", "view"), FUND_URLS, ids=[n for n, _ in FUND_URLS])
def test_it_declares_a_permission_on_every_fund_view(name, view):
    assert getattr(view, "fund_permission", None), f"{name} has no @fund_permission_required"


def _contributions(fund, actor, member) -> dict[str, Any]:
    """One of each thing the contribution pages show: a plan, an open collection session with a
    receipt in it, and a co-funder's payment."""
    from kongtun.contributions import services as contributions
    from kongtun.contributions.cofunding import cocontribution_record
    from kongtun.members.services import member_change_status

    plan = contributions.plan_create(
        fund=fund, actor=actor, name="รายเดือน", frequency="monthly", amount=Decimal("30.00")
    )
    if member.status == "applicant":
        member_change_status(
            member=member, actor=actor, event="approved", effective_on=member.joined_on
        )
    session = contributions.session_open(fund=fund, collector=actor)
    receipt = contributions.payment_record(
        member=member, actor=actor, amount=Decimal("30.00"), session=session
    )
    cofund = cocontribution_record(
        fund=fund,
        actor=actor,
        funder="codi",
        fiscal_year=2567,
        round=1,
        date=dt.date(2024, 3, 1),
        amount=Decimal("1000.00"),
    )
    from kongtun.contributions.models import OpeningImport

    opening = OpeningImport.objects.create(
        fund=fund, sha256="0" * 64, filename="o.xlsx", as_of=dt.date(2024, 3, 1), created_by=actor
    )
    return {"plan": plan, "session": session, "receipt": receipt, "cofund": cofund,
            "opening": opening}  # fmt: skip


def _welfare(fund, users, member) -> dict[str, Any]:
    """One of each thing the welfare pages show: the regulation, a committee meeting, and a
    claim decided there and paid, with its evidence and its payee."""
    from kongtun.funds.models import CommitteeMember
    from kongtun.welfare import services as welfare
    from kongtun.welfare.tests.conftest import install_regulation

    regulation = install_regulation(fund, users["chair"])
    seats = [
        CommitteeMember.objects.create(
            fund=fund,
            full_name=f"กรรมการ {i}",
            position="member",
            term_start=dt.date(2020, 1, 1),
            term_end=dt.date(2030, 12, 31),
        )
        for i in range(3)
    ]
    claim = welfare.claim_file(
        fund=fund,
        actor=users["secretary"],
        data=welfare.ClaimInput(
            benefit_key="birth", recipient="member", member=member, event_date=dt.date(2024, 2, 1)
        ),
        filed_on=dt.date(2024, 2, 2),
    )
    document = welfare.document_add(
        claim=claim, actor=users["secretary"], name="cert.pdf", data=b"%PDF-1.4 certificate"
    )
    meeting = welfare.meeting_open(
        fund=fund, actor=users["chair"], number="2/2567", date=dt.date(2024, 2, 10)
    )
    welfare.attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in seats})
    welfare.claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=welfare.Resolution(True, "2/2567/1", 3, 0),
    )
    claim = welfare.claim_pay(claim=claim, actor=users["treasurer"], date=dt.date(2024, 2, 11))
    return {
        "regulation": regulation,
        "benefit": regulation.benefits.get(key="birth"),
        "claim": claim,
        "document": document,
        "payee": claim.payees.get(),
        "meeting": meeting,
    }


def _books(fund, actor) -> dict[str, Any]:
    """One of each thing the books' pages show, in `fund`: a waiting voucher with a file, a
    posted entry, a reconciliation and a closed month."""
    ledger.chart_install(fund=fund)
    cash = Account.objects.get(fund=fund, role="cash")
    expense = Account.objects.get(fund=fund, role="welfare.death")
    entry = ledger.entry_post(
        fund=fund,
        actor=actor,
        entry=core.Entry(
            dt.date(2024, 3, 1),
            "opening",
            (core.Posting(cash.code, Decimal("100.00")), core.Posting("3201", Decimal("-100.00"))),
        ),
        kind="opening",
    )
    voucher = ledger.voucher_create(
        fund=fund,
        actor=actor,
        kind="payment",
        date=dt.date(2024, 3, 5),
        party="นางสมศรี",
        description="ค่าทำศพ",
        money_account=cash,
        lines=[ledger.VoucherLineInput(expense, Decimal("50.00"))],
    )
    attachment = ledger.attachment_add(
        voucher=voucher, actor=actor, name="bill.png", data=b"\x89PNG\r\n\x1a\n" + bytes(16)
    )
    rec = ledger.reconciliation_create(
        fund=fund,
        actor=actor,
        account=Account.objects.get(fund=fund, role="bank"),
        statement_date=dt.date(2024, 3, 31),
        statement_balance=Decimal("0.00"),
        items=[],
    )
    close = ledger.period_close(
        fund=fund, actor=actor, kind="month", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)
    )
    return {
        "voucher": voucher,
        "attachment": attachment,
        "entry": entry,
        "account": cash,
        "rec": rec,
        "close": close,
    }


# Each URL parameter of the books' pages and the object it names.
BOOK_KWARGS = {
    "<uuid:voucher>": ("voucher", "code"),
    "<uuid:entry>": ("entry", "code"),
    "<int:account>": ("account", "pk"),
    "<int:rec>": ("rec", "pk"),
    "<int:close>": ("close", "pk"),
    "<int:attachment>": ("attachment", "pk"),
    "<int:grant>": ("grant", "pk"),
    "<uuid:member>": ("member", "code"),
    "<int:plan>": ("plan", "pk"),
    "<uuid:session>": ("session", "code"),
    "<uuid:receipt>": ("receipt", "code"),
    "<uuid:cofund>": ("cofund", "code"),
    "<int:opening>": ("opening", "pk"),
    "<uuid:regulation>": ("regulation", "code"),
    "<int:benefit>": ("benefit", "pk"),
    "<uuid:claim>": ("claim", "code"),
    "<uuid:document>": ("document", "code"),
    "<int:payee>": ("payee", "pk"),
    "<uuid:meeting>": ("meeting", "code"),
}


@pytest.fixture
def objects(fund, other_fund, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # voucher attachments
    with fund_scope(fund):
        member = member_register(fund=fund, actor=users["chair"], data=member_data(1))
        beneficiary = beneficiary_add(
            member=member,
            actor=users["chair"],
            data=BeneficiaryInput("ผู้รับ ทดสอบ", "child", share_percent=100),  # type: ignore[arg-type]
        )
        consent = consent_record(
            member=member,
            actor=users["chair"],
            purpose="membership",
            channel="paper",
            given_on=dt.date(2024, 1, 1),
        )
        books = _books(fund, users["chair"])
        books.update(_contributions(fund, users["chair"], member))
        books.update(_welfare(fund, users, member))
    with fund_scope(other_fund):
        foreign = member_register(fund=other_fund, actor=users["other_chair"], data=member_data(2))
        foreign_books = _books(other_fund, users["other_chair"])
        foreign_books.update(_contributions(other_fund, users["other_chair"], foreign))
        foreign_books.update(_welfare(other_fund, _others(other_fund, users), foreign))
        foreign_books["member"] = foreign
    return {
        "member": member,
        "beneficiary": beneficiary,
        "consent": consent,
        "foreign": foreign,
        **books,
        **{f"foreign_{key}": value for key, value in foreign_books.items()},
        "grant": FundRole.objects.get(fund=fund, user=users["collector"]),
        "foreign_grant": FundRole.objects.get(fund=other_fund, user=users["other_chair"]),
    }


def _others(fund, users) -> dict[str, Any]:
    """Users with the roles the welfare objects need in the other fund."""
    from kongtun.accounts.models import User

    cast = {"chair": users["other_chair"]}
    for role in ("secretary", "committee", "treasurer"):
        cast[role] = User.objects.create_user(username=f"other_{role}", full_name=role)
        FundRole.objects.create(fund=fund, user=cast[role], role=role)
    return cast


def _url(
    name: str,
    fund_code: str,
    objects: dict[str, Any],
    member: Member | None = None,
    foreign_books: bool = False,
) -> str:
    """The URL of `name` in the fund, its parameters filled from `objects` (or, with
    `foreign_books`, the books' objects of the other fund)."""
    pattern_kwargs: dict[str, Any] = {"fund_code": fund_code}
    route = next(str(p) for n, p in _routes() if n == name)
    if "<uuid:code>" in route:
        pattern_kwargs["code"] = (member or objects["member"]).code
    if "beneficiaries/<int:pk>" in route:
        pattern_kwargs["pk"] = objects["beneficiary"].pk
    if "consents/<int:pk>" in route:
        pattern_kwargs["pk"] = objects["consent"].pk
    if "<int:year>" in route:
        pattern_kwargs["year"] = 2567
    if "<str:key>" in route:
        pattern_kwargs["key"] = "members.current"  # an indicator's trace
    for param, (key, attr) in BOOK_KWARGS.items():
        if param in route:
            obj = objects[f"foreign_{key}" if foreign_books else key]
            pattern_kwargs[key] = getattr(obj, attr)
    return reverse(name, kwargs=pattern_kwargs)


def _routes() -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif p.name:
                routes.append((p.name, route))

    walk(get_resolver().url_patterns, "")
    return routes


def _method(client: Any, url: str) -> str:
    """POST-only views answer GET with 405; those are tested with POST."""
    return "post" if client.get(url).status_code == 405 else "get"


# A collector works only in their own collection sessions; the treasurer and chair see any.
MANAGE = "contributions.manage"
OWN_SESSION_URLS = {
    "contributions-session",
    "contributions-session-find",
    "contributions-session-pay",
    "contributions-session-close",
    "contributions-session-receipts-pdf",
}


@pytest.mark.parametrize(("name", "view"), FUND_URLS, ids=[n for n, _ in FUND_URLS])
def test_it_enforces_tenancy_and_roles(name, view, fund, client_for, objects):
    url = _url(name, fund.code, objects)
    method = _method(client_for("chair"), url)
    permission = view.fund_permission

    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    for outsider in ("other_chair", "officer", "nobody", "admin"):
        response = getattr(client_for(outsider), method)(url)
        assert response.status_code == 404, f"{outsider} got {response.status_code} on {url}"

    for role in Role:
        # Undo what each request wrote, so one role's removal leaves the object for the next.
        with transaction.atomic():
            response = getattr(client_for(role.value), method)(url)
            transaction.set_rollback(True)
        allowed = permission in role_permissions(role)
        if allowed and name in OWN_SESSION_URLS and MANAGE not in role_permissions(role):
            # The fixture's session is the chair's: to another collector it is not there.
            assert response.status_code == 404, (role, url, response.status_code)
        elif allowed:
            assert response.status_code not in (403, 404, 500), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


# --- IDOR (S7): every route with an object id, across two funds and every role -------------

OBJECT_URLS = [
    (name, view)
    for name, view in FUND_URLS
    if "<uuid:code>" in dict(_routes())[name]
    or any(param in dict(_routes())[name] for param in BOOK_KWARGS)
]


def _foreign_markers(objects: dict[str, Any], other_fund: Any) -> list[str]:
    """Text that only the other fund's data contains (not its code: the 404 page's language
    switch echoes the requested address, which the user typed)."""
    foreign = objects["foreign"]
    return [other_fund.name, foreign.first_name]


@pytest.mark.parametrize(("name", "view"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_no_role_reaches_another_funds_objects(name, view, fund, other_fund, client_for, objects):
    """A user of fund A, whatever their role, naming fund B's objects under fund A's URL, or
    asking for fund B's URL itself, gets 404; a role without the page's permission gets the same
    403 it gets for its own fund's objects (no oracle either way). No body holds fund B's data."""
    foreign = objects["foreign"]
    # Each kind of parameter foreign on its own (the other one mine), then all of them.
    mine = {
        _url(name, fund.code, objects, member=foreign),
        _url(name, fund.code, objects, foreign_books=True),
        _url(name, fund.code, objects, member=foreign, foreign_books=True),
    } - {_url(name, fund.code, objects)}
    theirs = _url(name, other_fund.code, objects, member=foreign, foreign_books=True)
    method = _method(client_for("chair"), _url(name, fund.code, objects))
    markers = _foreign_markers(objects, other_fund)
    for role in Role:
        client = client_for(role.value)
        allowed = view.fund_permission in role_permissions(role)
        checks = [(url, 404 if allowed else 403) for url in sorted(mine)] + [(theirs, 404)]
        for url, expected in checks:
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            assert response.status_code == expected, (role.value, url, response.status_code)
            body = response.content.decode(errors="replace")
            leaked = [m for m in markers if m in body]
            assert leaked == [], (role.value, url, leaked)


def test_it_never_lists_another_funds_members(fund, client_for, objects):
    response = client_for("chair").get(reverse("members-list", kwargs={"fund_code": fund.code}))
    assert objects["member"].first_name in response.content.decode()
    assert objects["foreign"].first_name not in response.content.decode()


def test_it_raises_on_fund_data_queried_outside_a_scope(objects):
    from django_scopes import ScopeError

    with pytest.raises(ScopeError):
        list(Member.objects.all())
    with scopes_disabled():
        assert Member.objects.count() == 2


def test_every_model_that_belongs_to_a_fund_is_scoped(db):
    """A fund-owned model with a plain manager would leak across funds: fail closed."""
    from django.apps import apps
    from django_scopes import ScopeError

    from kongtun.funds.models import Fund

    # FundRole is read by the tenancy middleware itself to decide the scope.
    allowed_unscoped = {"funds.fundrole"}
    unscoped = []
    for model in apps.get_models():
        label = model._meta.label_lower
        points_at_fund = any(
            getattr(f, "related_model", None) is Fund for f in model._meta.get_fields()
        )
        if not points_at_fund or model is Fund or label in allowed_unscoped:
            continue
        if not model._meta.app_config.name.startswith("kongtun."):
            continue
        try:
            model._default_manager.filter(pk=0).exists()
        except ScopeError:
            continue
        unscoped.append(label)
    assert unscoped == []


# --- Network routes with object ids: only officers whose area holds the object ------------------


def _network_routes() -> list[tuple[str, str]]:
    return [(n, r) for n, r in _routes() if r.startswith("network/") and "<" in r]


NETWORK_ROUTES = _network_routes()


@pytest.fixture
def network_objects(fund, users) -> dict[str, str]:
    """One of each object the network's pages name, all in Lampang (province 52)."""
    from kongtun.exchange.models import TrustedKey
    from kongtun.funds.models import CofundingApplication, Fund
    from kongtun.geo.models import Province
    from kongtun.outcomes.models import YearReport
    from kongtun.vetting.models import CommitteeMeeting

    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    now = timezone.now()
    with fund_scope(fund):
        YearReport.objects.create(
            fund=fund, fiscal_year_be=2567, status=YearReport.Status.SUBMITTED,
            made_by=users["chair"], updated_by=users["chair"], updated_at=now,
            submitted_by=users["chair"], submitted_at=now,
        )  # fmt: skip
        application = CofundingApplication.objects.create(fund=fund, fiscal_year_be=2568)
        key = TrustedKey.objects.create(
            fund=fund, public_key=bytes(32), fingerprint="ab" * 8, registered_by=users["officer"]
        )
    meeting = CommitteeMeeting.objects.create(
        province=Province.objects.get(code="52"),
        fiscal_year_be=2568,
        number=1,
        held_on=dt.date(2025, 2, 16),
        recorded_by=users["officer"],
    )
    return {
        "<int:fiscal_year>": "2568",
        "<int:year>": "2567",
        "<uuid:meeting>": str(meeting.code),
        "<uuid:application>": str(application.code),
        "<slug:check>": "books",
        "<slug:fund>": fund.code,
        "<slug:code>": fund.code,
        "<int:key>": str(key.pk),
        "<str:level>": "province",
        "<str:code>": "52",
    }


def _network_url(route: str, values: dict[str, str]) -> str:
    path = "/" + route
    for param, value in values.items():
        path = path.replace(param, value)
    assert "<" not in path, path
    return path


# Parameters that name one object (a fund, an application, a meeting, a key, an area); the
# others only pick a year of the officer's own areas.
OBJECT_PARAMS = ("<uuid:", "<slug:fund>", "<slug:code>", "<int:key>", "<str:code>")
# Pages whose object the fixture does not make in full (a CODI form needs a year of books;
# screening everything needs a province in the form): 404 for the province's officer too, so
# these are checked for outsiders only. The same fund's CODI page is checked in full.
FIXTURE_LACKS = {
    "codi-network-annual-pdf",
    "codi-network-annual-xlsx",
    "codi-network-proposal-pdf",
    "codi-network-proposal-xlsx",
    "vetting-screen-all",
}


def test_it_finds_the_network_routes_with_ids():
    names = {n for n, _ in NETWORK_ROUTES}
    assert {"vetting-application", "vetting-pack-pdf", "exchange-key-revoke",
            "codi-network-fund", "outcomes-network-report", "network-fund"} <= names  # fmt: skip


@pytest.mark.parametrize(("name", "route"), NETWORK_ROUTES, ids=[n for n, _ in NETWORK_ROUTES])
def test_network_objects_exist_only_for_officers_of_their_area(
    name, route, fund, users, client_for, network_objects
):
    """The province's officer reaches the page; an officer of another province, every role of
    a fund (even the fund the object belongs to) and a user with no role get 404, never a hint
    that it exists; no refused body names the fund."""
    from kongtun.accounts.models import User
    from kongtun.funds.models import OfficerAssignment

    far = User.objects.create_user(username="far_officer", full_name="far")
    OfficerAssignment.objects.create(user=far, level="province", area_code="50")
    url = _network_url(route, network_objects)
    method = _method(client_for("officer"), url)

    with transaction.atomic():
        own = getattr(client_for("officer"), method)(url)
        transaction.set_rollback(True)
    if name not in FIXTURE_LACKS:
        assert own.status_code not in (403, 404, 500), (url, own.status_code)
    names_an_object = any(param in route for param in OBJECT_PARAMS)

    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    outsiders: list[tuple[str, Any]] = [("far_officer", far)]
    outsiders += [(role.value, users[role.value]) for role in Role]
    outsiders += [("nobody", users["nobody"]), ("other_chair", users["other_chair"])]
    for label, user in outsiders:
        client = Client()
        client.force_login(user)
        with transaction.atomic():
            response = getattr(client, method)(url)
            transaction.set_rollback(True)
        if label == "far_officer" and not names_an_object:
            # A year's list of the far officer's own province: it must not show this fund.
            assert response.status_code < 500, (label, url, response.status_code)
        else:
            assert response.status_code == 404, (label, url, response.status_code)
        assert fund.name not in response.content.decode(errors="replace"), (label, url)
