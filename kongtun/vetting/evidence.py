"""What each check found, in words, from the figures it used (criteria.Result.facts).

The same words serve the screen (in the reader's language) and the meeting pack (in Thai, see
`evidence_th`). Dates are shown in the Buddhist era; amounts in baht with satang.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import format_date
from kongtun.vetting.criteria import MUNICIPALITY


def _date(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else "—"


def _baht(value: str) -> str:
    return format_baht(Decimal(value))


def describe(key: str, facts: dict[str, Any]) -> str:
    """The evidence of one check, in the active language."""
    f = facts
    if key == "operating":
        return _(
            "Founded on %(founded)s: %(years)s whole years by %(as_of)s "
            "(at least %(minimum)s needed)."
        ) % {
            "founded": _date(f["founded_on"]),
            "years": f["years"],
            "as_of": _date(f["as_of"]),
            "minimum": f["minimum"],
        }
    if key == "eligible":
        return _(
            "%(eligible)s members with a full year of membership by 30 September, of "
            "%(current)s current members (at least one needed)."
        ) % {"eligible": f"{f['eligible']:,}", "current": f"{f['current']:,}"}
    if key == "coverage":
        municipality = f["kind"] == MUNICIPALITY
        if f.get("in_area") is None:
            text = (
                _(
                    "Members come from %(covered)s communities; the number of communities in the "
                    "municipality is not recorded, so a person checks (at least %(required)s%% "
                    "needed)."
                )
                if municipality
                else _(
                    "Members come from %(covered)s villages; the number of villages in the "
                    "subdistrict is not recorded, so a person checks (at least %(required)s%% "
                    "needed)."
                )
            )
            return text % {"covered": f["covered"], "required": f["required"]}
        text = (
            _("Members from %(covered)s of %(in_area)s communities = %(percent)s%% "
              "(at least %(required)s%% needed in a municipality).")
            if municipality
            else _("Members from %(covered)s of %(in_area)s villages = %(percent)s%% "
                   "(at least %(required)s%% needed in a subdistrict).")
        )  # fmt: skip
        return text % {
            "covered": f["covered"],
            "in_area": f["in_area"],
            "percent": f["percent"],
            "required": f["required"],
        }
    if key == "contributions":
        return _("Members' contributions in fiscal year %(year)s: %(amount)s baht.") % {
            "year": f["fiscal_year"],
            "amount": _baht(f["amount"]),
        }
    if key == "local_gov":
        return _(
            "Local government support in fiscal year %(year)s: %(amount)s baht (for information)."
        ) % {"year": f["fiscal_year"], "amount": _baht(f["amount"])}
    if key == "books":
        if not f.get("closed_through"):
            return _(
                "No month of the books is closed yet; last entry %(last)s. Current books are "
                "closed to within two months of %(as_of)s."
            ) % {"last": _date(f.get("last_entry")), "as_of": _date(f["as_of"])}
        return _(
            "Books closed through %(closed)s; last entry %(last)s. Current books are closed to "
            "within two months of %(as_of)s."
        ) % {
            "closed": _date(f["closed_through"]),
            "last": _date(f.get("last_entry")),
            "as_of": _date(f["as_of"]),
        }
    if key == "register":
        return _("Member register: %(current)s current members.") % {"current": f"{f['current']:,}"}
    if key == "regulation":
        if f.get("adopted_on"):
            return _("A regulation in force, adopted on %(adopted)s.") % {
                "adopted": _date(f["adopted_on"])
            }
        return _("No regulation in force on %(as_of)s.") % {"as_of": _date(f["as_of"])}
    if key == "public_reports":
        if not f.get("reports"):
            return _(
                "No meeting summary was published on the fund's public page in the year: a "
                "person checks the notice board and the minutes."
            )
        return _(
            "%(reports)s meeting summaries published on the fund's public page in the year."
        ) % {"reports": f["reports"]}
    if key == "meetings":
        return _("%(meetings)s committee meetings in fiscal year %(year)s (for information).") % {
            "meetings": f["meetings"],
            "year": f["fiscal_year"],
        }
    if key == "welfare_types":
        return _(
            "%(types)s basic welfare types paid in the 12 months to %(as_of)s "
            "(at least %(minimum)s needed)."
        ) % {"types": f["types"], "as_of": _date(f["as_of"]), "minimum": f["minimum"]}
    if key == "non_cash":
        if f.get("recorded") is None:
            return _("Welfare that is not money is not kept in the system: a person checks.")
        if f["recorded"]:
            return _("Welfare that is not money is recorded.")
        return _("No welfare that is not money is recorded.")
    raise KeyError(key)


def evidence_th(key: str, facts: dict[str, Any]) -> str:
    """The evidence in Thai, as the meeting pack prints it whatever the screen's language."""
    with translation.override("th"):
        return describe(key, facts)


def check_title(key: str) -> str:
    """The check's name, in the active language."""
    titles = {
        "operating": _("Operating at least a year"),
        "eligible": _("Members with a full year"),
        "coverage": _("Villages or communities covered"),
        "contributions": _("Members' contributions"),
        "local_gov": _("Local government support"),
        "books": _("Books up to date"),
        "register": _("Member register"),
        "regulation": _("Regulation in force"),
        "public_reports": _("Reporting to members and the public"),
        "meetings": _("Committee meetings"),
        "welfare_types": _("At least three basic welfare types"),
        "non_cash": _("Welfare that is not money"),
    }
    return titles[key]


def criterion_title(number: int) -> str:
    titles = {
        1: _("Operating at least a year"),
        2: _("Members and coverage"),
        3: _("Members' contributions"),
        4: _("Good management"),
        5: _("Basic welfare"),
        6: _("Non-cash welfare"),
    }
    return titles[number]
