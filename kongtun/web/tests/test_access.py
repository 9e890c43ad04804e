"""Every URL of a fund, requested as every kind of user: the tenancy and role promises.

The URLs are found by walking the URLconf, so a new fund page is covered without editing this.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
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


@pytest.mark.parametrize(
    "name",
    [n for n, _ in FUND_URLS if "<uuid:code>" in dict(_routes())[n]],
)
def test_it_answers_404_for_another_funds_member_under_my_fund(name, fund, client_for, objects):
    url = _url(name, fund.code, objects, member=objects["foreign"])
    client = client_for("chair")
    response = getattr(client, _method(client, url))(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    [n for n, _ in FUND_URLS if any(param in dict(_routes())[n] for param in BOOK_KWARGS)],
)
def test_it_answers_404_for_another_funds_books_under_my_fund(name, fund, client_for, objects):
    url = _url(name, fund.code, objects, foreign_books=True)
    client = client_for("chair")
    response = getattr(client, _method(client, url))(url)
    assert response.status_code == 404


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
