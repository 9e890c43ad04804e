"""A decision's reasons in the reader's language: "เป็นสมาชิก 210 วัน ครบระยะรอสิทธิ์ 180 วัน".

The rules engine gives each reason as a code with its figures (kongtun.welfare.rules.Reason);
here each code becomes one sentence a committee member reads aloud. Stored decisions keep
codes, not sentences, so a decision made in Thai reads in English too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kongtun.lib.thaidate import format_date
from kongtun.welfare.models import RECIPIENT_LABELS
from kongtun.welfare.rules import Outcome, Reason

OUTCOME_LABELS = {
    Outcome.ELIGIBLE: gettext_lazy("Eligible"),
    Outcome.CAPPED: gettext_lazy("Eligible, for less than the full amount"),
    Outcome.NOT_ELIGIBLE: gettext_lazy("Not eligible"),
}


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(Outcome(outcome), outcome))


class Line(NamedTuple):
    text: str
    ok: bool | None  # met, failed, or information / a cap applied


def _baht(value: object) -> str:
    amount = Decimal(str(value))
    text = f"{amount:,.2f}"
    return text.removesuffix(".00")


def _count(value: object) -> str:
    """A count of days or nights as people write it: 2,230."""
    return f"{int(str(value)):,}"


def _date(value: object) -> str:
    return format_date(dt.date.fromisoformat(str(value))) if value else "—"


def _recipient(p: dict[str, object]) -> str:
    who = str(p.get("recipient"))
    return str(RECIPIENT_LABELS.get(who, who))  # type: ignore[call-overload]


def _status(p: dict[str, object]) -> str:
    from kongtun.members.models import Status

    value = p.get("status")
    return str(Status(value).label) if value in Status.values else _("not a member")


def _from(p: dict[str, object]) -> str:
    return (
        _("first contribution") if p.get("from") == "first_contribution" else _("becoming a member")
    )


def _by(p: dict[str, object]) -> str:
    return _("years of membership") if p.get("basis") == "by_membership" else _("years of age")


def _waiting(p: dict[str, object], ok: bool | None) -> str:
    values = {"days": _count(p["days"]), "limit": _count(p["limit"]), "from": _from(p)}
    if ok:
        return (
            _("%(days)s days since %(from)s; the waiting period of %(limit)s days is over") % values
        )
    return _("%(days)s days since %(from)s; the waiting period is %(limit)s days") % values


def _dues(p: dict[str, object], ok: bool | None) -> str:
    values = {
        "arrears": _baht(p["arrears"]),
        "months": p["months"],
        "limit": p["limit"],
        "through": _date(p.get("paid_through")),
    }
    if not p["limit"]:
        return (
            _("%(arrears)s baht of dues unpaid (paid through %(through)s); dues must be fully paid")
            % values
        )
    if ok:
        return (
            _(
                "%(arrears)s baht of dues unpaid, %(months)s months "
                "behind: within the %(limit)s months allowed"
            )
            % values
        )
    return (
        _(
            "%(arrears)s baht of dues unpaid, %(months)s months "
            "behind: more than the %(limit)s months allowed"
        )
        % values
    )


def _cap(p: dict[str, object], ok: bool | None, what: str) -> str:
    values = {
        "used": _baht(p.get("used", 0)),
        "cap": _baht(p.get("cap", 0)),
        "left": _baht(p["left"]),
        "before": _baht(p.get("before", 0)),
        "year": p.get("year", ""),
    }
    if what == "event":
        return _("At most %(cap)s baht per event: %(before)s baht becomes %(cap)s") % values
    if what == "budget":
        if ok is False:
            return _("The budget for non-members in %(year)s is used up") % values
        if ok is None:
            return (
                _(
                    "%(left)s baht left of the budget for non-members in "
                    "%(year)s: %(before)s baht becomes %(left)s"
                )
                % values
            )
        return _("%(left)s baht left of the budget for non-members in %(year)s") % values
    label = _("this year (%(year)s)") % values if what == "year" else _("in a lifetime")
    values["when"] = label
    if ok is False:
        return _("Used %(used)s of %(cap)s baht %(when)s: nothing left") % values
    if ok is None:
        return (
            _(
                "Used %(used)s of %(cap)s baht %(when)s: %(left)s baht "
                "left, so %(before)s baht becomes %(left)s"
            )
            % values
        )
    return _("Used %(used)s of %(cap)s baht %(when)s: %(left)s baht left") % values


def _table(p: dict[str, object], ok: bool | None) -> str:
    values = {
        "years": p["years"],
        "from": p["from_years"],
        "amount": _baht(p["amount"]),
        "by": _by(p),
    }
    if "step" in p:
        values |= {"base": _baht(p["base"]), "step": _baht(p["step"])}
        return (
            _(
                "%(years)s %(by)s: the table gives %(base)s baht from %(from)s years, "
                "plus %(step)s baht a year beyond, so %(amount)s baht"
            )
            % values
        )
    return _("%(years)s %(by)s: the table gives %(amount)s baht from %(from)s years") % values


def _times(p: dict[str, object], ok: bool | None) -> str:
    values = {"times": p["times"], "limit": p["limit"], "year": p.get("year", "")}
    return (
        ngettext(
            "Received %(times)s time this year (%(year)s) of at most %(limit)s",
            "Received %(times)s times this year (%(year)s) of at most %(limit)s",
            int(str(p["times"])),
        )
        % values
    )


_TEXTS: dict[str, Callable[[dict[str, object], bool | None], str]] = {
    "recipient": lambda p, ok: (
        (
            _("This benefit may be paid for %(who)s")
            if ok
            else _("This benefit is not paid for %(who)s")
        )
        % {"who": _recipient(p)}
    ),
    "event_in_future": lambda p, ok: (
        _("The day of the event (%(day)s) has not come yet") % {"day": _date(p["event"])}
    ),
    "filing_deadline": lambda p, ok: (
        (
            _("Filed %(days)s days after the event, within the %(limit)s days allowed")
            if ok
            else _(
                "Filed %(days)s days after the event; claims must be filed within %(limit)s days"
            )
        )
        % p
    ),
    "member_status": lambda p, ok: (
        _("An active member on the day of the event")
        if ok
        else _("Not an active member on the day of the event (%(status)s)") % {"status": _status(p)}
    ),
    "no_start": lambda p, ok: (
        _("No %(from)s on record before the day of the event") % {"from": _from(p)}
    ),
    "waiting": _waiting,
    "membership": lambda p, ok: (
        _("%(days)s days since %(from)s") % {"days": _count(p["days"]), "from": _from(p)}
    ),
    "membership_years": lambda p, ok: (
        _("A member for %(years)s full years; at least %(limit)s needed") % p
    ),
    "birth_date_missing": lambda p, ok: _("The date of birth is needed to check the age"),
    "min_age": lambda p, ok: _("Aged %(age)s on the day of the event; at least %(limit)s") % p,
    "max_age": lambda p, ok: _("Aged %(age)s on the day of the event; at most %(limit)s") % p,
    "dues_current": lambda p, ok: (
        _("Dues paid up (paid through %(through)s)") % {"through": _date(p.get("paid_through"))}
    ),
    "dues_arrears": _dues,
    "no_prior_claims": lambda p, ok: (
        _("Has never received a benefit")
        if ok
        else _("Only for members who never received a benefit; %(claims)s received") % p
    ),
    "once_only": lambda p, ok: (
        _("Paid once only; not received before")
        if ok
        else _("Paid once only, and already received")
    ),
    "times_per_year": _times,
    "amount_fixed": lambda p, ok: (
        _("The regulation gives %(amount)s baht") % {"amount": _baht(p["amount"])}
    ),
    "amount_actual": lambda p, ok: (
        _("The actual cost shown is %(amount)s baht") % {"amount": _baht(p["amount"])}
    ),
    "claimed_missing": lambda p, ok: _("The amount of the cost is needed"),
    "amount_nights": lambda p, ok: (
        _("%(nights)s nights × %(rate)s baht = %(amount)s baht")
        % {"nights": p["nights"], "rate": _baht(p["rate"]), "amount": _baht(p["amount"])}
    ),
    "nights_missing": lambda p, ok: _("The number of nights is needed"),
    "nights_event": lambda p, ok: _("At most %(limit)s nights per stay are paid") % p,
    "nights_year": lambda p, ok: (
        _("%(used)s of at most %(limit)s nights this year (%(year)s) already paid") % p
    ),
    "amount_table": _table,
    "no_tier": lambda p, ok: (
        _("%(years)s %(by)s: the table gives nothing yet") % {"years": p["years"], "by": _by(p)}
    ),
    "cap_event": lambda p, ok: _cap(p, ok, "event"),
    "cap_year": lambda p, ok: _cap(p, ok, "year"),
    "cap_lifetime": lambda p, ok: _cap(p, ok, "lifetime"),
    "cap_budget": lambda p, ok: _cap(p, ok, "budget"),
    "nothing_to_pay": lambda p, ok: _("The rules give nothing to pay"),
    "deduct_arrears": lambda p, ok: (
        _("%(amount)s baht of unpaid dues will be deducted from the payout")
        % {"amount": _baht(p["amount"])}
    ),
}


def explain(reasons: Iterable[Reason | dict[str, object]]) -> list[Line]:
    """Each reason as a sentence, in order, in the active language."""
    out = []
    for item in reasons:
        reason = item if isinstance(item, Reason) else Reason.from_json(item)
        render = _TEXTS.get(reason.code)
        text = render(dict(reason.params), reason.ok) if render else reason.code
        out.append(Line(text, reason.ok))
    return out
