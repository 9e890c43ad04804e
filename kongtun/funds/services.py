"""Changes to a fund's own settings, branches and committee; each one is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Branch, CommitteeMember, Fund

FUND_SETTINGS = ("name", "municipality_name", "founded_on", "fiscal_year", "admin_cost_cap_percent")


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, dt.date | Decimal) else v for k, v in values.items()}


def fund_update(*, fund: Fund, actor: Any, **values: Any) -> Fund:
    unknown = set(values) - set(FUND_SETTINGS)
    if unknown:
        raise TypeError(f"not fund settings: {sorted(unknown)}")
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        before = _jsonable(model_to_dict(fund, fields=FUND_SETTINGS))
        if values.get("founded_on") and values["founded_on"] > timezone.localdate():
            raise ValidationError({"founded_on": [_("The date cannot be in the future.")]})
        for name, value in values.items():
            setattr(fund, name, value)
        fund.full_clean()
        fund.save()
        after = _jsonable(model_to_dict(fund, fields=FUND_SETTINGS))
        changed = {k: v for k, v in after.items() if before[k] != v}
        if changed:
            audit_log(
                fund=fund,
                actor=actor,
                changes=[
                    Change.of(
                        "funds.fund.changed",
                        fund,
                        before={k: before[k] for k in changed},
                        after=changed,
                    )
                ],
            )
    return fund


def branch_add(*, fund: Fund, actor: Any, kind: str, number: int | None, name: str) -> Branch:
    with transaction.atomic():
        if Branch.objects.filter(fund=fund, name=name).exists():
            raise ValidationError({"name": [_("This fund already has a branch with this name.")]})
        branch = Branch(fund=fund, kind=kind, number=number, name=name)
        branch.full_clean(exclude=["fund"])
        branch.save()
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "funds.branch.added",
                    branch,
                    after={"kind": kind, "number": number, "name": name},
                )
            ],
        )
    return branch


def committee_seat_add(
    *,
    fund: Fund,
    actor: Any,
    full_name: str,
    position: str,
    representing: str,
    term_start: dt.date,
    term_end: dt.date,
) -> CommitteeMember:
    with transaction.atomic():
        if term_end < term_start:
            raise ValidationError({"term_end": [_("The term cannot end before it starts.")]})
        seat = CommitteeMember(
            fund=fund,
            full_name=full_name,
            position=position,
            representing=representing,
            term_start=term_start,
            term_end=term_end,
        )
        seat.full_clean(exclude=["fund", "user"])
        seat.save()
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "funds.committee.seat_added",
                    seat,
                    after=_jsonable(
                        model_to_dict(
                            seat,
                            fields=(
                                "full_name",
                                "position",
                                "representing",
                                "term_start",
                                "term_end",
                            ),
                        )
                    ),
                )
            ],
        )
    return seat
