"""No export can carry a spreadsheet formula (RELIABILITY S11, ASVS 1.2.10, OWASP CSV injection).

Every download the app makes that a spreadsheet program opens (XLSX, CSV, and the exchange
package's XLSX) is listed in EXPORTS with the records that feed it. A meta-test walks the
URLconf and fails when a route that looks like a spreadsheet download is in neither EXPORTS nor
NOT_SPREADSHEETS, so a new export cannot land untested.

The records are built with the apps' own test builders, then every free-text field that can
reach an export is overwritten with the classic payloads, straight in the database: the
services clean what people type (tab, CR and NUL go), but an import or an older version may
have left anything, and the exports must not rely on the services. Each file is then
downloaded as the user who may download it and read back cell by cell: no cell is a formula,
every text cell that starts with = + - @ tab CR NUL (after any spaces) starts with "'", the
payloads did reach the file, and amounts are numbers, not text.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from kongtun.accounts.models import User
from kongtun.codiforms.tests.conftest import FY as CODI_FY
from kongtun.codiforms.tests.conftest import year  # noqa: F401
from kongtun.contributions.cofunding import cocontribution_record
from kongtun.contributions.models import Funder, Plan
from kongtun.contributions.tests.conftest import books, pay, plan  # noqa: F401
from kongtun.funds.models import Branch, CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Amphoe, Province, Tambon
from kongtun.ledger import core
from kongtun.ledger.models import Account, Voucher
from kongtun.ledger.services import entry_post
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Beneficiary, Member
from kongtun.outcomes.models import Issue, YearReport
from kongtun.outcomes.services import IssueInput
from kongtun.outcomes.tests.conftest import YEAR as OUTCOMES_YEAR
from kongtun.outcomes.tests.conftest import write_report
from kongtun.public.models import MeetingSummary
from kongtun.public.tests.fund_fixtures import build_public_town
from kongtun.vetting import services as vetting
from kongtun.vetting.models import CommitteeMeeting, CriterionResult
from kongtun.vetting.tests.conftest import FY as VETTING_FY
from kongtun.vetting.tests.conftest import TODAY as VETTING_TODAY
from kongtun.vetting.tests.conftest import applicant, other_applicant, today  # noqa: F401
from kongtun.welfare.models import Benefit, Claim, Meeting, Payee, Regulation
from kongtun.welfare.tests.conftest import claimant, committee, regulation  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal

# The classic payloads (OWASP CSV injection) and each risky first character of S11.
PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",  # a full-width "=", which Excel with an Asian input method reads as "="
]
# PostgreSQL refuses NUL in text, so only SQLite can hold a name that starts with one.
SQLITE_ONLY = ["\0=1+1"]
RISKY = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A number written as text: a signed number, or an amount with two decimals.
NUMBER_AS_TEXT = re.compile(r"^'?(?:[-+]\d[\d,]*(?:\.\d+)?|\d{1,3}(?:,\d{3})*\.\d\d)$")
PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")

# Every free-text field that can reach an export: names, addresses, notes, party names,
# descriptions, benefit names, the fund's name, co-funders, outcomes text, summaries… Recorded
# co-funder payments and posted entries cannot be changed (triggers): the scenarios record
# theirs with payloads through the services.
FREE_TEXT: list[tuple[type[models.Model], tuple[str, ...]]] = [
    (Fund, ("name", "municipality_name")),
    (User, ("full_name",)),
    (Province, ("name_th",)),
    (Amphoe, ("name_th",)),
    (Tambon, ("name_th",)),
    (Branch, ("name",)),
    (CommitteeMember, ("full_name",)),
    (Member, ("title", "first_name", "last_name", "house_no", "street")),
    (Beneficiary, ("full_name",)),
    (Plan, ("name",)),
    (Account, ("name_th", "name_en", "bank_account_no")),
    (Voucher, ("party", "description")),
    (Regulation, ("title",)),
    (Benefit, ("name",)),
    (Meeting, ("place",)),
    (Claim, ("person_name", "person_address", "details", "decision_note")),
    (Payee, ("name",)),
    (MeetingSummary, ("text",)),
    (YearReport, ("results", "highlights")),
    (Issue, ("description", "help_requested")),
    (CommitteeMeeting, ("place", "notes")),
    (CriterionResult, ("evidence", "note")),
]
OUR_AREAS = {Province: ["52"], Amphoe: ["5201"], Tambon: ["520101", "520102"]}


def payloads() -> list[str]:
    return PAYLOADS + (SQLITE_ONLY if connection.vendor == "sqlite" else [])


def poison() -> int:
    """Overwrite every free-text field of every row with a payload, in turn; how many rows."""
    cycle = payloads()
    n = 0
    with scopes_disabled():
        for model, fields in FREE_TEXT:
            rows = model._default_manager.all()
            if model in OUR_AREAS:
                rows = rows.filter(pk__in=OUR_AREAS[model])
            for pk in rows.order_by("pk").values_list("pk", flat=True):
                values = {}
                for field in fields:
                    limit = getattr(model._meta.get_field(field), "max_length", None) or 4000
                    values[field] = cycle[n % len(cycle)][:limit]
                    n += 1
                model._default_manager.filter(pk=pk).update(**values)
    return n


# --- reading the files -----------------------------------------------------------------------


@dataclass
class Found:
    cells: int = 0
    numbers: int = 0
    neutralised: int = 0  # cells that carry one of the payloads, with the "'" in front
    problems: list[str] | None = None

    def problem(self, where: str, why: str, value: object) -> None:
        assert self.problems is not None
        self.problems.append(f"{where}: {why}: {value!r}")


def _risky(text: str) -> bool:
    return text.startswith(RISKY) or text.lstrip().startswith(RISKY)


def _carries_payload(text: str) -> bool:
    return any(p.lstrip("\0\t\r ") in text for p in PAYLOADS)


def check_xlsx(content: bytes, name: str, found: Found) -> None:
    book = load_workbook(io.BytesIO(content), data_only=False)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                where = f"{name} {ws.title}!{cell.coordinate}"
                found.cells += 1
                if cell.data_type == "f":
                    found.problem(where, "a formula", value)
                    continue
                if isinstance(value, int | float | Decimal):
                    found.numbers += 1
                    continue
                if "#,##0.00" in (cell.number_format or "") and isinstance(value, str):
                    found.problem(where, "an amount written as text", value)
                if not isinstance(value, str):
                    continue
                if _risky(value):
                    found.problem(where, "text that starts like a formula", value)
                elif NUMBER_AS_TEXT.match(value):
                    found.problem(where, "a number written as text", value)
                elif value.startswith("'") and _carries_payload(value):
                    found.neutralised += 1


def check_csv(content: bytes, name: str, found: Found) -> None:
    for r, row in enumerate(csv.reader(io.StringIO(content.decode("utf-8-sig")))):
        for c, value in enumerate(row):
            found.cells += 1
            where = f"{name} row {r + 1} column {c + 1}"
            if PLAIN_NUMBER.match(value):
                found.numbers += 1
            elif _risky(value):
                found.problem(where, "text that starts like a formula", value)
            elif value.startswith("'") and _carries_payload(value):
                found.neutralised += 1


def check_zip(content: bytes, name: str, found: Found) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        inner = [n for n in archive.namelist() if n.endswith((".xlsx", ".csv"))]
        assert inner, f"{name}: the package holds no spreadsheet any more; update EXPORTS"
        for member in inner:
            data = archive.read(member)
            (check_xlsx if member.endswith(".xlsx") else check_csv)(data, f"{name}:{member}", found)


def check(response: Any, name: str, found: Found) -> None:
    assert response.status_code == 200, f"{name}: {response.status_code}"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response["Content-Type"]
    if "spreadsheetml" in kind:
        check_xlsx(content, name, found)
    elif kind.startswith("text/csv"):
        check_csv(content, name, found)
    elif kind == "application/zip":
        check_zip(content, name, found)
    else:
        pytest.fail(f"{name}: {kind} is not a spreadsheet; list it in NOT_SPREADSHEETS")


# --- the exports and what feeds them ---------------------------------------------------------

Download = tuple[str, Callable[[Client], Any]]  # (route name, how to fetch it)


@dataclass
class Case:
    scenario: str  # the fixture that builds the records
    user: str  # who downloads
    fetch: Callable[[dict[str, Any]], list[Download]]
    data: bool = True  # False: a blank template with nothing of the fund's in it
    numbers: bool = True  # False: a form to fill in, with no figures yet


def _fund_url(name: str, fund: Fund, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, **kwargs})


def _get(url: str, query: dict[str, str] | None = None) -> Callable[[Client], Any]:
    return lambda client: client.get(url, query or {})


def _codi(kind: str) -> Callable[[dict[str, Any]], list[Download]]:
    def fetch(s: dict[str, Any]) -> list[Download]:
        fund = s["fund"]
        name = f"codi-{kind}-xlsx"
        return [(name, _get(_fund_url(name, fund, year=CODI_FY)))]

    return fetch


def _codi_network(kind: str) -> Callable[[dict[str, Any]], list[Download]]:
    def fetch(s: dict[str, Any]) -> list[Download]:
        name = f"codi-network-{kind}-xlsx"
        return [(name, _get(reverse(name, kwargs={"code": s["fund"].code, "year": CODI_FY})))]

    return fetch


def _statements(s: dict[str, Any]) -> list[Download]:
    url = _fund_url("ledger-statement-xlsx", s["fund"])
    return [
        ("ledger-statement-xlsx", _get(url, {"statement": "all", "fy": str(CODI_FY)})),
        ("ledger-statement-xlsx", _get(url, {"statement": "all", "fy": str(CODI_FY - 1)})),
    ]


def _exchange(s: dict[str, Any]) -> list[Download]:
    url = _fund_url("exchange-export", s["fund"])
    form = {"as_of": "30/09/2568", "include_full_data": "on", "purpose": "=1+1 backup"}
    return [("exchange-export", lambda client: client.post(url, form))]


def _subject_export(s: dict[str, Any]) -> list[Download]:
    """The PDPA export of one member's data, as CSV (its JSON is no spreadsheet)."""
    url = _fund_url("privacy-member-export", s["fund"], code=s["member"].code)
    return [("privacy-member-export", lambda client: client.post(url, {"format": "csv"}))]


def _access_report(s: dict[str, Any]) -> list[Download]:
    """The "who viewed which member" report as CSV, after a look at a member's page."""
    fund = s["fund"]
    detail = _fund_url("members-detail", fund, code=s["member"].code)
    day = format_date(timezone.localdate(), "numeric")
    query = {"from_date": day, "to_date": day, "format": "csv"}

    def fetch(client: Client) -> Any:
        assert client.get(detail).status_code == 200
        return client.get(_fund_url("audit-access", fund), query)

    return [("audit-access", fetch)]


def _public(s: dict[str, Any]) -> list[Download]:
    """Every table of every open-data page that shows the fund or its areas."""
    code, fy = s["fund"].code, str(s["fy"])
    pages = [
        ("open-index", {}),
        ("open-area", {"code": "520101", "year": fy}),
        ("open-area", {"code": "5201", "year": fy}),
        ("open-area", {"code": "52", "year": fy}),
        ("open-fund", {"code": code, "year": fy}),
        ("open-statements", {"code": code, "year": fy}),
        ("open-audit", {"code": code}),
    ]
    found: list[Download] = []
    client = Client()
    for page, kwargs in pages:
        body = client.get(reverse(page, kwargs=kwargs))
        assert body.status_code == 200, page
        for table in json.loads(body.content)["tables"]:
            url = reverse(f"{page}-csv", kwargs={**kwargs, "table": table})
            found.append((f"{page}-csv", _get(url)))
    return found


EXPORTS: dict[str, Case] = {
    "members-import-template": Case(
        "codi_fund",
        "chair",
        lambda s: [
            ("members-import-template", _get(_fund_url("members-import-template", s["fund"])))
        ],
        data=False,
        numbers=False,
    ),
    "contributions-opening-template": Case(
        "codi_fund",
        "treasurer",
        lambda s: [
            (
                "contributions-opening-template",
                _get(_fund_url("contributions-opening-template", s["fund"])),
            )
        ],
        numbers=False,
    ),
    "contributions-arrears-xlsx": Case(
        "codi_fund",
        "treasurer",
        lambda s: [
            (
                "contributions-arrears-xlsx",
                _get(_fund_url("contributions-arrears-xlsx", s["fund"]), {"as_of": "30/09/2568"}),
            )
        ],
    ),
    "contributions-matching-xlsx": Case(
        "codi_fund",
        "treasurer",
        lambda s: [
            (
                "contributions-matching-xlsx",
                _get(_fund_url("contributions-matching-xlsx", s["fund"], year=CODI_FY)),
            )
        ],
    ),
    "ledger-statement-xlsx": Case("codi_fund", "treasurer", _statements),
    "codi-annual-xlsx": Case("codi_fund", "chair", _codi("annual")),
    "codi-proposal-xlsx": Case("codi_fund", "chair", _codi("proposal")),
    "codi-network-annual-xlsx": Case("codi_fund", "officer", _codi_network("annual")),
    "codi-network-proposal-xlsx": Case("codi_fund", "officer", _codi_network("proposal")),
    "exchange-export": Case("codi_fund", "chair", _exchange),
    "privacy-member-export": Case("codi_fund", "chair", _subject_export),
    "audit-access": Case("codi_fund", "chair", _access_report),
    "vetting-pack-xlsx": Case(
        "vetting_pack",
        "officer",
        lambda s: [
            (
                "vetting-pack-xlsx",
                _get(reverse("vetting-pack-xlsx", kwargs={"meeting": s["meeting"].code})),
            )
        ],
    ),
    "outcomes-network-xlsx": Case(
        "outcomes_year",
        "officer",
        lambda s: [
            (
                "outcomes-network-xlsx",
                _get(reverse("outcomes-network-xlsx", kwargs={"year": OUTCOMES_YEAR})),
            )
        ],
    ),
    # The open data: one case fetches every table of every page kind.
    "open-index-csv": Case("public_town", "anonymous", _public),
}
# The other open-data CSV routes are fetched by the open-index-csv case.
COVERED_WITH = dict.fromkeys(
    ("open-area-csv", "open-fund-csv", "open-statements-csv", "open-audit-csv"), "open-index-csv"
)
# Routes that look like downloads but are no spreadsheet, with the reason.
NOT_SPREADSHEETS = {
    "ledger-beancount": "plain-text Beancount ledger for accounting programs, not a spreadsheet",
}


# --- the scenarios ---------------------------------------------------------------------------


@pytest.fixture
def codi_fund(year: dict[str, Any], users: dict[str, User]) -> dict[str, Any]:  # noqa: F811
    """CODI's year (codiforms conftest): members, payments, claims, co-funders, matching."""
    fund = year["fund"]
    # A branch, so the arrears list has a village heading; one member in it.
    branch = Branch.objects.create(fund=fund, number=9, name="ทดสอบ")
    Member.objects.filter(pk=year["members"]["elder"].pk).update(branch=branch)
    # A co-funder the fund names itself (recorded payments cannot be changed afterwards).
    cocontribution_record(
        fund=fund,
        actor=users["treasurer"],
        funder=Funder.LOCAL_GOV,
        fiscal_year=CODI_FY,
        date=dt.date(2025, 3, 1),
        amount=D("100.00"),
        payer='=HYPERLINK("http://x","y")',
        reference="@SUM(1+1)",
    )
    return {"fund": fund, "member": year["members"]["claimant"]}


@pytest.fixture
def vetting_pack(
    applicant: Any,  # noqa: F811
    other_applicant: Any,  # noqa: F811
    fund: Fund,
    other_fund: Fund,
    users: dict[str, User],
) -> dict[str, Any]:
    """The province's meeting pack: screened applicants, checks with notes, a decision."""
    vetting.screen_all(
        funds=[fund, other_fund],
        fiscal_year_be=VETTING_FY,
        actor=users["officer"],
        today=VETTING_TODAY,
    )
    meeting = vetting.meeting_create(
        province=Province.objects.get(code="52"),
        fiscal_year_be=VETTING_FY,
        number=1,
        held_on=VETTING_TODAY,
        place='=HYPERLINK("http://x","y")',
        notes="@SUM(1+1)",
        actor=users["officer"],
    )
    for key in ("books", "regulation", "public_reports", "welfare_types", "non_cash"):
        vetting.check_record(
            application=applicant,
            check_key=key,
            actor=users["officer"],
            outcome="met",
            note="-1+1",
        )
    vetting.decision_record(
        application=applicant,
        meeting=meeting,
        actor=users["officer"],
        outcome="approved",
        amount_approved=D("272.50"),
        conditions="=cmd|' /C calc'!A0",
    )
    return {"fund": fund, "meeting": meeting}


@pytest.fixture
def outcomes_year(fund: Fund, other_fund: Fund, users: dict[str, User]) -> dict[str, Any]:
    issues = [
        IssueInput("problem", "arrears", "high", '=HYPERLINK("http://x","y")', "@SUM(1+1)"),
        IssueInput("obstacle", "codi", "low", "+1+1", "-1+1"),
    ]
    write_report(fund, users["chair"], issues, results="=1+1")
    write_report(other_fund, users["other_chair"], issues[:1])
    return {"fund": fund}


@pytest.fixture
def public_town(in_fund: Fund, users: dict[str, User]) -> dict[str, Any]:
    from kongtun.public.tests.test_fund_pages import FY

    build_public_town(in_fund, users)
    return {"fund": in_fund, "fy": FY}


# --- the tests -------------------------------------------------------------------------------


def _routes() -> Iterator[tuple[str, str, Any]]:
    """(name, path, view) of every named route."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                yield p.name, prefix + str(p.pattern), p.callback

    yield from walk(get_resolver().url_patterns, "")


_DOWNLOAD_NAME = re.compile(r"(xlsx|csv|export|spreadsheet|excel)$", re.IGNORECASE)
_DOWNLOAD_CODE = re.compile(
    r"XLSX_TYPE|spreadsheetml|text/csv|_xlsx\(|_csv\(|Workbook\(|csv\.writer|\.xlsx|\.csv"
)


def looks_like_a_spreadsheet(name: str, path: str, view: Any) -> bool:
    if any(_DOWNLOAD_NAME.search(s.rstrip("/")) for s in (name, path, view.__name__)):
        return True
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return False
    return bool(_DOWNLOAD_CODE.search(source))


def test_every_spreadsheet_route_is_covered() -> None:
    routes = {name: (path, view) for name, path, view in _routes()}
    spreadsheets = {
        name
        for name, (path, view) in routes.items()
        if not path.startswith("admin/") and looks_like_a_spreadsheet(name, path, view)
    }
    known = set(EXPORTS) | set(COVERED_WITH) | set(NOT_SPREADSHEETS)
    assert spreadsheets - known == set(), "new export routes: add them to EXPORTS"
    assert known - set(routes) == set(), "routes gone: take them out of this file"
    # The meta-test itself finds what it should.
    assert {"contributions-arrears-xlsx", "open-fund-csv", "exchange-export"} <= spreadsheets


@pytest.mark.parametrize("route", sorted(EXPORTS))
def test_the_export_neutralises_formulas(
    route: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    case = EXPORTS[route]
    scenario = request.getfixturevalue(case.scenario)
    assert poison() > 0
    client = Client() if case.user == "anonymous" else client_for(case.user)
    downloads = case.fetch(scenario)
    assert downloads
    found = Found(problems=[])
    for name, fetch in downloads:
        assert name == route or COVERED_WITH.get(name) == route
        check(fetch(client), name, found)
    assert found.problems == []
    assert found.cells > 0
    if case.data:
        assert found.neutralised > 0, f"{route}: no payload reached the file"
    if case.numbers:
        assert found.numbers > 0, f"{route}: no number in the file"


def test_negative_amounts_stay_numbers(
    codi_fund: dict[str, Any], users: dict[str, User], client_for: Any
) -> None:
    """A year with only a cost ends in a deficit: the negative figure is a number, not "'-…"."""
    fund = codi_fund["fund"]
    with fund_scope(fund):
        entry_post(
            fund=fund,
            actor=users["treasurer"],
            kind="other",
            entry=core.Entry(
                dt.date(2025, 10, 15),
                "-1+1",
                (core.Posting("5204", D("300.00")), core.Posting("1101", D("-300.00"))),
            ),
        )
    poison()
    response = client_for("treasurer").get(
        _fund_url("ledger-statement-xlsx", fund), {"statement": "all", "fy": str(CODI_FY + 1)}
    )
    book = load_workbook(io.BytesIO(response.content), data_only=False)
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert -300 in values
    assert not [v for v in values if isinstance(v, str) and NUMBER_AS_TEXT.match(v)]


def test_payloads_stay_as_typed_except_the_quote(
    codi_fund: dict[str, Any], client_for: Any
) -> None:
    """The quote is the only change: the member's name is there, whole, after it."""
    poison()
    response = client_for("treasurer").get(
        _fund_url("contributions-arrears-xlsx", codi_fund["fund"]), {"as_of": "30/09/2568"}
    )
    book = load_workbook(io.BytesIO(response.content), data_only=False)
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    with scopes_disabled():
        names = [m.full_name for m in Member.objects.filter(fund=codi_fund["fund"])]
    assert any("'" + name in texts for name in names)
