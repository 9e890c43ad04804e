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
from kongtun.funds.models import Branch, CommitteeMember, Fund, FundRole
from kongtun.funds.permissions import Role

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


def role_grant(
    *, fund: Fund, actor: Any, username: str, full_name: str, password: str, role: str
) -> FundRole:
    """Give a new person a login with a role in this fund (the chair's job)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": [_("This username is taken; please choose another.")]}
            )
        if role not in Role.values:
            raise ValidationError({"role": [_("Unknown role.")]})
        user = user_model(username=username, full_name=full_name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        grant = FundRole.objects.create(fund=fund, user=user, role=role)
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of("funds.role.granted", grant, after={"user": username, "role": role})
            ],
        )
    return grant


def role_change(*, grant: FundRole, actor: Any, role: str, is_active: bool) -> FundRole:
    """Change someone's role in the fund, or switch their access off (never deleted)."""
    with transaction.atomic():
        grant = FundRole.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.user_id == actor.pk:
            # Otherwise a chair could lock the fund out of its own settings by mistake.
            raise ValidationError({"role": [_("You cannot change your own role.")]})
        if role not in Role.values:
            raise ValidationError({"role": [_("Unknown role.")]})
        before = {"role": grant.role, "active": grant.is_active}
        grant.role, grant.is_active = role, is_active
        grant.save(update_fields=["role", "is_active"])
        after = {"role": grant.role, "active": grant.is_active}
        if after != before:
            audit_log(
                fund=grant.fund,
                actor=actor,
                changes=[
                    Change.of(
                        "funds.role.changed",
                        grant,
                        before={"user": grant.user.username, **before},
                        after=after,
                    )
                ],
            )
    return grant
