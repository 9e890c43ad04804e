"""A benefit's rules in plain words: "200 baht a night, at most 600 baht a stay and 1,000 baht
a year", one sentence per condition, in the reader's language.

The regulation's pages and its printed copy say the rules this way, and so does the claim
intake, so a member hears the same words from whoever reads them out. A rule the benefit
does not have (no waiting period, no cap) gets no sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.welfare.models import RECIPIENT_LABELS
from kongtun.welfare.rules import Basis, WaitFrom, rule_of

if TYPE_CHECKING:
    from kongtun.welfare.examples import BenefitSpec
    from kongtun.welfare.models import Benefit


class _CategoryLabels(Mapping[str, str]):
    """CODI's category names by key: the chart's Thai names when Thai is active, else English.

    Looked up at each access, not at import, so the name follows the request's language.
    """

    _names = {key: (th, en) for key, th, en in WELFARE_CATEGORIES}

    def __getitem__(self, key: str) -> str:
        th, en = self._names[key]
        language = get_language() or settings.LANGUAGE_CODE
        return th if language.startswith("th") else en

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


CATEGORY_LABELS: Mapping[str, str] = _CategoryLabels()


def category_label(key: str) -> str:
    """The category's name, or the key itself for a category the chart does not know."""
    return CATEGORY_LABELS.get(key, key)


def category_choices() -> list[tuple[str, str]]:
    return [(key, CATEGORY_LABELS[key]) for key in CATEGORY_LABELS]


def amount_text(value: Decimal) -> str:
    """1,000 or 1,250.50: thousands grouped, no ".00" on a whole amount."""
    return f"{value.quantize(Decimal('0.01')):,.2f}".removesuffix(".00")


def tiers_of(benefit: Benefit | BenefitSpec) -> list[tuple[int, Decimal]]:
    """The benefit's table rows (from years, amount), lowest first."""
    rows = benefit.tiers
    if isinstance(rows, tuple):
        return sorted(rows)
    return sorted((t.from_years, t.amount) for t in rows.all())


def _and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _recipients(benefit: Benefit | BenefitSpec) -> str:
    who = rule_of(benefit, []).recipients
    names = [str(label) for recipient, label in RECIPIENT_LABELS.items() if recipient in who]
    return ", ".join(names) or _("nobody yet")


def _row(years: int, amount: Decimal) -> str:
    return ngettext(
        "%(amount)s baht from %(years)s year",
        "%(amount)s baht from %(years)s years",
        years,
    ) % {"amount": amount_text(amount), "years": years}


def _amount(benefit: Benefit | BenefitSpec, tiers_in_words: bool) -> str:
    basis = benefit.basis
    if basis == Basis.FIXED:
        text = _("%(amount)s baht") % {"amount": amount_text(benefit.amount)}
    elif basis == Basis.PER_NIGHT:
        text = _("%(amount)s baht a night") % {"amount": amount_text(benefit.amount)}
    elif basis == Basis.ACTUAL:
        text = _("The actual cost")
    else:
        rows = tiers_of(benefit)
        by_age = basis == Basis.BY_AGE
        if tiers_in_words and rows:
            table = "; ".join(_row(y, a) for y, a in rows)
            text = (
                _("By age in whole years: %(table)s")
                if by_age
                else _("By whole years of membership: %(table)s")
            ) % {"table": table}
        else:
            text = (
                _("By age, from the table")
                if by_age
                else _("By years of membership, from the table")
            )
    caps = []
    if benefit.per_event_cap is not None:
        caps.append(
            (
                _("%(amount)s baht a stay")
                if basis == Basis.PER_NIGHT
                else _("%(amount)s baht a time")
            )
            % {"amount": amount_text(benefit.per_event_cap)}
        )
    if benefit.per_year_cap is not None:
        caps.append(_("%(amount)s baht a year") % {"amount": amount_text(benefit.per_year_cap)})
    if benefit.lifetime_cap is not None:
        caps.append(
            _("%(amount)s baht in a lifetime") % {"amount": amount_text(benefit.lifetime_cap)}
        )
    if caps:
        text = _("%(amount)s, at most %(caps)s") % {"amount": text, "caps": _and(caps)}
    return text


def _step(benefit: Benefit | BenefitSpec) -> Iterable[str]:
    rows = tiers_of(benefit)
    if benefit.basis in (Basis.BY_MEMBERSHIP, Basis.BY_AGE) and rows and benefit.step_amount:
        last = rows[-1][0]
        yield ngettext(
            "Beyond %(years)s year, %(step)s baht more for each further year",
            "Beyond %(years)s years, %(step)s baht more for each further year",
            last,
        ) % {"years": last, "step": amount_text(benefit.step_amount)}


def _nights(benefit: Benefit | BenefitSpec) -> Iterable[str]:
    if benefit.basis != Basis.PER_NIGHT:
        return
    limits = []
    if benefit.max_nights_per_event is not None:
        n = benefit.max_nights_per_event
        limits.append(
            ngettext("%(n)s night a stay", "%(n)s nights a stay", n) % {"n": n},
        )
    if benefit.max_nights_per_year is not None:
        n = benefit.max_nights_per_year
        limits.append(ngettext("%(n)s night a year", "%(n)s nights a year", n) % {"n": n})
    if limits:
        yield _("Paid for at most %(limits)s") % {"limits": _and(limits)}


def _ages(benefit: Benefit | BenefitSpec) -> Iterable[str]:
    low, high = benefit.min_age, benefit.max_age
    values = {"low": low, "high": high}
    if low is not None and high is not None:
        yield _("Aged %(low)s to %(high)s on the day of the event") % values
    elif low is not None:
        yield _("Aged at least %(low)s on the day of the event") % values
    elif high is not None:
        yield _("Aged at most %(high)s on the day of the event") % values


def _dues(benefit: Benefit | BenefitSpec) -> Iterable[str]:
    months = benefit.max_arrears_months
    if months is not None:
        if months == 0:
            yield _("Dues must be fully paid up")
        else:
            yield ngettext(
                "Dues must be paid up, or at most %(months)s month behind",
                "Dues must be paid up, or at most %(months)s months behind",
                months,
            ) % {"months": months}
    if benefit.deduct_arrears:
        yield _("Unpaid dues are deducted from the payout")


def _budget(benefit: Benefit | BenefitSpec) -> Iterable[str]:
    regulation = getattr(benefit, "regulation", None)
    budget = getattr(regulation, "non_member_budget", None)
    if benefit.for_non_member and budget is not None:
        yield _("Paid from the yearly budget for non-members in need: %(amount)s baht") % {
            "amount": amount_text(budget)
        }


def describe_benefit(benefit: Benefit | BenefitSpec, *, tiers_in_words: bool = True) -> list[str]:
    """One plain sentence per condition of the benefit, in the active language.

    With `tiers_in_words` False the table's rows are left out (the page shows them as a table).
    """
    lines = [_("Who may receive: %(who)s") % {"who": _recipients(benefit)}]
    if benefit.waiting_days:
        start = (
            _("the first contribution")
            if benefit.wait_from == WaitFrom.FIRST_CONTRIBUTION
            else _("becoming a member")
        )
        lines.append(
            ngettext(
                "Waiting period: %(days)s day from %(start)s",
                "Waiting period: %(days)s days from %(start)s",
                benefit.waiting_days,
            )
            % {"days": benefit.waiting_days, "start": start}
        )
    if benefit.min_membership_years is not None:
        years = benefit.min_membership_years
        lines.append(
            ngettext(
                "A member for at least %(years)s full year",
                "A member for at least %(years)s full years",
                years,
            )
            % {"years": years}
        )
    lines.extend(_ages(benefit))
    lines.append(_amount(benefit, tiers_in_words))
    lines.extend(_step(benefit))
    lines.extend(_nights(benefit))
    if benefit.times_per_year is not None:
        times = benefit.times_per_year
        lines.append(
            _("At most once a year")
            if times == 1
            else ngettext("At most %(times)s time a year", "At most %(times)s times a year", times)
            % {"times": times}
        )
    if benefit.once_only:
        lines.append(_("Paid once only"))
    lines.extend(_budget(benefit))
    lines.extend(_dues(benefit))
    if benefit.requires_no_prior_claims:
        lines.append(_("Only for members who never received any benefit"))
    if benefit.filing_days is not None:
        lines.append(
            ngettext(
                "Claim within %(days)s day of the event",
                "Claim within %(days)s days of the event",
                benefit.filing_days,
            )
            % {"days": benefit.filing_days}
        )
    documents = [d.strip() for d in benefit.documents.splitlines() if d.strip()]
    if documents:
        lines.append(_("Documents: %(documents)s") % {"documents": ", ".join(documents)})
    conditions = [c.strip() for c in benefit.conditions.splitlines() if c.strip()]
    if conditions:
        lines.append(
            _("The committee also checks: %(conditions)s") % {"conditions": "; ".join(conditions)}
        )
    return lines
