"""Every public page's tables and columns: the open data's schema, in one place.

The pages' builders fill these tables, the JSON and CSV files carry them column for column, and
the schema page (`/public/data/`) and `/open/v1/schema.json` are written from them. A column's
meaning never changes under the same SCHEMA; a new column or table may be added.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kongtun.public.tables import Column, PageSpec, TableSpec

C = Column

_FUND_ROW = TableSpec(
    "fund",
    _("The fund"),
    _("One row: who the fund is, where, and the date its figures stand at."),
    (
        C("code", "code", _("Fund code")),
        C("name", "text", _("Fund name")),
        C("tambon_code", "code", _("Subdistrict code"), _("DOPA's six-digit code")),
        C("tambon", "text", _("Subdistrict")),
        C("amphoe", "text", _("District")),
        C("province", "text", _("Province")),
        C("founded_on", "date", _("Founded on")),
        C("years_operating", "number", _("Years operating")),
        C("fiscal_year_be", "number", _("Fiscal year (BE)")),
        C("as_of", "date", _("Figures as of")),
        C(
            "source",
            "code",
            _("Where the figures come from"),
            _(
                '"records": computed from the fund\'s records on this server; "package": the '
                "latest signed package from a fund that keeps its records on its own computer"
            ),
        ),
    ),
)

_MONEY = TableSpec(
    "money",
    _("Money"),
    _("One row: the fund's size and the year's money, in baht."),
    (
        C("fund_balance", "money", _("Fund balance"), _("assets less what the fund owes")),
        C("money_on_hand", "money", _("Money on hand"), _("cash and bank accounts")),
        C("income_year", "money", _("Money in this year")),
        C("welfare_paid_year", "money", _("Welfare paid this year")),
        C("welfare_paid_total", "money", _("Welfare paid since the start")),
        C("admin_costs_year", "money", _("Administration costs this year")),
        C(
            "admin_percent",
            "percent",
            _("Administration costs, share of spending (%)"),
            _("administration ÷ (welfare + administration), as CODI's cap is measured"),
        ),
        C("admin_cap_percent", "percent", _("The fund's cap on administration costs, %")),
    ),
)

_INCOME_BY_SOURCE = TableSpec(
    "income_by_source",
    _("Money in by source"),
    _("One row per source of money: members, local government, the state through CODI…"),
    (
        C("source", "code", _("Source code")),
        C("source_name", "text", _("Source")),
        C("year", "money", _("This fiscal year")),
        C("since_start", "money", _("Since the start")),
    ),
)

_MEMBERS = TableSpec(
    "members",
    _("Members and coverage"),
    _('One row. Counts of 1 to 4 are given as "<5".'),
    (
        C("current", "count", _("Current members"), _("active or lapsed on the date")),
        C("cumulative", "count", _("Members since the start")),
        C("new_this_year", "count", _("New this fiscal year")),
        C("eligible_for_matching", "count", _("Eligible for matching")),
        C("eligible_as_of", "date", _("Eligible as of"), _("the 30 September counted")),
        C("villages_covered", "number", _("Villages with members")),
        C("villages_in_area", "number", _("Villages in the area")),
        C("coverage_percent", "percent", _("Villages covered, %")),
    ),
)

_MEMBERS_BY_TYPE = TableSpec(
    "members_by_type",
    _("Members by type"),
    _("One row per member type CODI counts."),
    (
        C("member_type", "code", _("Type code")),
        C("type_name", "text", _("Member type")),
        C("current", "count", _("Current members")),
        C("cumulative", "count", _("Members since the start")),
    ),
)

_WELFARE = TableSpec(
    "welfare",
    _("Welfare paid by category"),
    _(
        'One row per CODI welfare category paid, then a row "total". Persons and claims of 1 to 4 '
        'are "<5"; "hidden" marks a count hidden so that a small one cannot be worked out from '
        "the total. Baht beside a claims count not shown is not shown either (a benefit of a "
        "fixed amount would give the count back); the total includes it."
    ),
    (
        C("category", "code", _("Category code")),
        C("category_name", "text", _("Category")),
        C("persons_year", "count", _("Persons this year")),
        C("claims_year", "count", _("Claims this year")),
        C("baht_year", "money", _("Baht this year")),
        C("persons_total", "count", _("Persons since the start")),
        C("claims_total", "count", _("Claims since the start")),
        C("baht_total", "money", _("Baht since the start")),
    ),
)

_GOVERNANCE = TableSpec(
    "governance",
    _("Governance"),
    _("One row: committee, meetings and books."),
    (
        C("committee_seats", "count", _("Committee seats filled")),
        C("committee_meetings_year", "number", _("Committee meetings this year")),
        C("books_closed_through", "date", _("Books closed through")),
        C("books_current", "bool", _("Books up to date"), _("closed to within three months")),
        C("last_year_closed", "bool", _("Last year's books closed")),
    ),
)

_COMMITTEE = TableSpec(
    "committee",
    _("Committee positions"),
    _(
        "One row per position on the committee, whether it is filled and for which term. No "
        "names are published."
    ),
    (
        C("position", "code", _("Position code")),
        C("position_name", "text", _("Position")),
        C("filled", "bool", _("Filled")),
        C("term_start", "date", _("Term starts")),
        C("term_end", "date", _("Term ends")),
    ),
)

_REGULATION = TableSpec(
    "regulation",
    _("Regulation in force"),
    _("At most one row: the welfare regulation in force on the date."),
    (
        C("title", "text", _("Title")),
        C("version", "number", _("Version")),
        C("in_force_from", "date", _("In force from")),
        C("adopted_resolution", "text", _("Adopted by resolution")),
    ),
)

_BENEFITS = TableSpec(
    "benefits",
    _("Benefits under the regulation"),
    _("One row per benefit of the regulation in force, its rules in plain words."),
    (
        C("benefit", "code", _("Benefit code")),
        C("name", "text", _("Benefit")),
        C("category", "code", _("Category code")),
        C("category_name", "text", _("Category")),
        C("rules", "text", _("Rules"), _('one sentence per condition, separated by " · "')),
    ),
)

_MEETING_SUMMARIES = TableSpec(
    "meeting_summaries",
    _("Meeting summaries"),
    _("The committee meetings of the year whose summary the fund chose to publish."),
    (
        C("date", "date", _("Date")),
        C("number", "text", _("Meeting")),
        C("summary", "text", _("Summary")),
        C("published_on", "date", _("Published on")),
    ),
)

_AUDIT_HEAD = TableSpec(
    "audit_head",
    _("Audit trail"),
    _(
        "One row: the latest entry of the fund's hash-chained audit trail. Write the hash down: "
        "if the fund's history were ever rewritten, it would no longer be found in the trail."
    ),
    (
        C("seq", "number", _("Entry number")),
        C("hash", "hash", _("Hash (SHA-256)")),
        C("at", "datetime", _("Recorded at")),
    ),
)

FUND = PageSpec(
    "fund",
    _("A fund's public page"),
    _(
        "A fund's figures for one government fiscal year (1 October – 30 September), as of its "
        "end or today for the year still running."
    ),
    (
        _FUND_ROW,
        _MONEY,
        _INCOME_BY_SOURCE,
        _MEMBERS,
        _MEMBERS_BY_TYPE,
        _WELFARE,
        _GOVERNANCE,
        _COMMITTEE,
        _REGULATION,
        _BENEFITS,
        _MEETING_SUMMARIES,
        _AUDIT_HEAD,
    ),
    "fund/{fund_code}/{fiscal_year}",
)

_MONTHLY = TableSpec(
    "monthly",
    _("Month by month"),
    _("One row per month of the fiscal year (October to September), in baht."),
    (
        C("month", "month", _("Month"), _('"YYYY-MM", Common Era')),
        C("income", "money", _("Money in")),
        C("welfare", "money", _("Welfare paid")),
        C("admin", "money", _("Administration")),
        C("other_expenses", "money", _("Other expenses")),
        C("surplus", "money", _("Money in less money spent")),
    ),
)

_INCOME_EXPENDITURE = TableSpec(
    "income_expenditure",
    _("Income and expenditure for the year"),
    _(
        'One row per account with a movement, grouped by section ("income", "welfare", '
        '"admin", "other"), in baht.'
    ),
    (
        C("section", "code", _("Section")),
        C("account", "code", _("Account code")),
        C("name", "text", _("Account")),
        C("amount", "money", _("Amount")),
    ),
)

_POSITION = TableSpec(
    "position",
    _("Financial position"),
    _(
        "What the fund holds and owes on the date: one row per account, grouped by section "
        '("assets", "liabilities", "fund"), in baht.'
    ),
    (
        C("section", "code", _("Section")),
        C("account", "code", _("Account code")),
        C("name", "text", _("Account")),
        C("amount", "money", _("Amount")),
    ),
)

STATEMENTS = PageSpec(
    "statements",
    _("A fund's statements"),
    _(
        "The fund's books for one fiscal year: month by month, the year's income and "
        "expenditure, and what it holds at the end."
    ),
    (_FUND_ROW, _MONTHLY, _INCOME_EXPENDITURE, _POSITION),
    "fund/{fund_code}/statements/{fiscal_year}",
)

_AREA_ROW = TableSpec(
    "area",
    _("The area"),
    _("One row: the province, district or subdistrict and how many funds it has here."),
    (
        C("level", "code", _("Level"), _('"province", "amphoe" or "tambon"')),
        C("code", "code", _("Area code"), _("DOPA's code: 2, 4 or 6 digits")),
        C("name", "text", _("Name")),
        C("funds", "number", _("Funds")),
        C("fiscal_year_be", "number", _("Fiscal year (BE)")),
        C("as_of", "date", _("Figures as of")),
    ),
)

_AREA_TOTALS = TableSpec(
    "totals",
    _("Totals"),
    _("One row: the area's funds added up."),
    (
        C("members_current", "count", _("Current members")),
        C("members_cumulative", "count", _("Members since the start")),
        C("members_new", "count", _("New members this year")),
        C("members_eligible", "count", _("Eligible for matching")),
        C("income_year", "money", _("Money in this year")),
        C("contributions_year", "money", _("Members' contributions this year")),
        C("welfare_persons_year", "count", _("Persons helped this year")),
        C("welfare_baht_year", "money", _("Welfare paid this year")),
        C("money_on_hand", "money", _("Money on hand")),
    ),
)

_AREA_INCOME = TableSpec(
    "income_by_source",
    _("Money in by source"),
    _("One row per source of money, this fiscal year, in baht."),
    (
        C("source", "code", _("Source code")),
        C("source_name", "text", _("Source")),
        C("year", "money", _("This fiscal year")),
    ),
)

_AREA_WELFARE = TableSpec(
    "welfare",
    _("Welfare paid by category"),
    _(
        'One row per CODI category paid this year, then a row "total". Baht beside a claims '
        "count not shown is not shown either; the total includes it."
    ),
    (
        C("category", "code", _("Category code")),
        C("category_name", "text", _("Category")),
        C("persons", "count", _("Persons")),
        C("claims", "count", _("Claims")),
        C("baht", "money", _("Baht")),
    ),
)

_AREA_MONTHLY = TableSpec(
    "monthly",
    _("Month by month"),
    _("One row per month of the fiscal year."),
    (
        C("month", "month", _("Month"), _('"YYYY-MM", Common Era')),
        C("income", "money", _("Money in")),
        C("contributions", "money", _("Members' contributions")),
        C("welfare", "money", _("Welfare paid")),
        C("new_members", "count", _("New members")),
    ),
)

_AREA_PARTS = TableSpec(
    "parts",
    _("Districts or funds"),
    _("One row per district of a province, or per fund of a district or subdistrict."),
    (
        C("kind", "code", _("Kind"), _('"amphoe" or "fund"')),
        C("code", "code", _("Code")),
        C("name", "text", _("Name")),
        C("tambon", "text", _("Subdistrict"), _("for a fund")),
        C("funds", "number", _("Funds")),
        C("members_current", "count", _("Current members")),
        C("contributions_year", "money", _("Members' contributions this year")),
        C("welfare_persons_year", "count", _("Persons helped this year")),
        C("welfare_baht_year", "money", _("Welfare paid this year")),
        C("money_on_hand", "money", _("Money on hand")),
        C("url", "url", _("Public page")),
    ),
)

AREA = PageSpec(
    "area",
    _("An area's public page"),
    _("The funds of a province, district or subdistrict added up, for one fiscal year."),
    (_AREA_ROW, _AREA_TOTALS, _AREA_INCOME, _AREA_WELFARE, _AREA_MONTHLY, _AREA_PARTS),
    "area/{area_code}/{fiscal_year}",
)

_INDEX_FUNDS = TableSpec(
    "funds",
    pgettext_lazy("table", "Funds"),
    _("Every fund with a public page on this site."),
    (
        C("code", "code", _("Fund code")),
        C("name", "text", _("Fund name")),
        C("tambon_code", "code", _("Subdistrict code")),
        C("tambon", "text", _("Subdistrict")),
        C("amphoe_code", "code", _("District code")),
        C("amphoe", "text", _("District")),
        C("province_code", "code", _("Province code")),
        C("province", "text", _("Province")),
        C("url", "url", _("Public page")),
        C("data_url", "url", _("Data (JSON) for the current fiscal year")),
    ),
)

_INDEX_AREAS = TableSpec(
    "areas",
    _("Provinces and districts"),
    _("Every province and district with a fund on this site."),
    (
        C("level", "code", _("Level")),
        C("code", "code", _("Area code")),
        C("name", "text", _("Name")),
        C("funds", "number", _("Funds")),
        C("url", "url", _("Public page")),
    ),
)

INDEX = PageSpec(
    "index",
    _("Funds and areas"),
    _("What this site publishes: every fund and area with a public page."),
    (_INDEX_AREAS, _INDEX_FUNDS),
    "index",
)

_AUDIT_DAYS = TableSpec(
    "audit_days",
    _("The audit trail day by day"),
    _(
        "One row per day the fund recorded anything: the last entry of that day and its hash, "
        "newest first."
    ),
    (
        C("date", "date", _("Date")),
        C("seq", "number", _("Last entry number")),
        C("hash", "hash", _("Hash (SHA-256)")),
    ),
)

AUDIT = PageSpec(
    "audit",
    _("A fund's audit trail hashes"),
    _(
        "The hash of the fund's audit trail, day by day, so that anyone can hold the fund to its "
        "history."
    ),
    (_FUND_ROW, _AUDIT_HEAD, _AUDIT_DAYS),
    "fund/{fund_code}/audit",
)

PAGES: dict[str, PageSpec] = {p.kind: p for p in (INDEX, AREA, FUND, STATEMENTS, AUDIT)}
