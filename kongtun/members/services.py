"""Every change to the member register: validate, write, history and audit in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Branch, Fund
from kongtun.geo.models import Tambon
from kongtun.lib import crypto
from kongtun.lib.thaidate import age_on, format_date
from kongtun.lib.thaiid import InvalidNationalId, normalize_national_id
from kongtun.members.models import (
    TRANSITIONS,
    Beneficiary,
    Consent,
    Event,
    Member,
    MemberType,
    Status,
    StatusChange,
)

MAX_AGE_YEARS = 120


@dataclass
class MemberInput:
    """A member's details as typed on the form or read from one row of an imported sheet."""

    first_name: str
    last_name: str
    national_id: str
    birth_date: dt.date
    joined_on: dt.date
    title: str = ""
    number: str = ""
    phone: str = ""
    house_no: str = ""
    moo: int | None = None
    street: str = ""
    tambon: Tambon | None = None
    branch: Branch | None = None
    member_type: str = MemberType.GENERAL
    status: str = Status.ACTIVE
    # The member signed explicit consent (PDPA §26) for health and disability data with this
    # form: recorded with the member. Needed to record the type "person with disability".
    sensitive_consent: bool = False


def national_id_index(digits: str) -> str:
    return crypto.blind_index("national_id", digits)


def member_snapshot(member: Member) -> dict[str, Any]:
    """What the audit trail keeps of a member: everything but the national ID in clear."""
    return {
        "number": member.number,
        "title": member.title,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "national_id": member.national_id_masked,
        "birth_date": member.birth_date.isoformat(),
        "phone": member.phone,
        "house_no": member.house_no,
        "moo": member.moo,
        "street": member.street,
        "tambon": member.tambon_id,
        "branch": member.branch_id,
        "member_type": member.member_type,
        "joined_on": member.joined_on.isoformat(),
        "status": member.status,
        "status_since": member.status_since.isoformat(),
    }


def next_member_number(fund: Fund) -> str:
    numbers = Member.objects.filter(fund=fund).values_list("number", flat=True)
    numeric = [int(n) for n in numbers if re.fullmatch(r"\d{1,12}", n)]
    width = max((len(n) for n in numbers if n.isdigit()), default=5)
    return str(max(numeric, default=0) + 1).zfill(width)


def validate_member_input(
    *,
    fund: Fund,
    data: MemberInput,
    today: dt.date,
    existing: Member | None = None,
    taken_id_indexes: Collection[str] | None = None,
    taken_numbers: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """Rules a member must meet, shared by the form and the importer. Returns field → messages.

    The importer passes the fund's ID indexes and member numbers, loaded once, so that checking
    thousands of rows does not cost two queries each.
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.first_name:
        add("first_name", _("First name is required."))
    if not data.last_name:
        add("last_name", _("Last name is required."))
    for name in ("first_name", "last_name"):
        if len(getattr(data, name)) > 100:
            add(name, _("Name is too long (at most 100 characters)."))
    try:
        digits = normalize_national_id(data.national_id)
    except InvalidNationalId as exc:
        add("national_id", exc.reason)
    else:
        index = national_id_index(digits)
        if taken_id_indexes is not None:
            id_taken = index in taken_id_indexes
        else:
            clash = Member.objects.filter(fund=fund, national_id_index=index)
            if existing is not None:
                clash = clash.exclude(pk=existing.pk)
            id_taken = clash.exists()
        if id_taken:
            add("national_id", _("A member of this fund already has this national ID."))
    if data.birth_date > today:
        add("birth_date", _("Date of birth cannot be in the future."))
    elif age_on(data.birth_date, today) > MAX_AGE_YEARS:
        add("birth_date", _("Date of birth gives an age over 120 years; please check the year."))
    if data.joined_on > today:
        add("joined_on", _("Joining date cannot be in the future."))
    if data.joined_on < fund.founded_on:
        add(
            "joined_on",
            _("Joining date is before the fund was founded (%(date)s).")
            % {"date": format_date(fund.founded_on)},
        )
    if data.joined_on < data.birth_date:
        add("joined_on", _("Joining date is before the date of birth."))
    if data.number:
        if taken_numbers is not None:
            number_taken = data.number in taken_numbers
        else:
            clash = Member.objects.filter(fund=fund, number=data.number)
            if existing is not None:
                clash = clash.exclude(pk=existing.pk)
            number_taken = clash.exists()
        if number_taken:
            add("number", _("Member number %(number)s is already used.") % {"number": data.number})
    if data.branch is not None and data.branch.fund_id != fund.pk:
        add("branch", _("Choose a branch of this fund."))
    if data.member_type not in MemberType.values:
        add("member_type", _("Unknown member type."))
    if existing is None and data.status not in (Status.APPLICANT, Status.ACTIVE):
        add("status", _("A new member starts as an applicant or an active member."))
    return errors


def _build_member(*, fund: Fund, data: MemberInput, number: str) -> Member:
    digits = normalize_national_id(data.national_id)
    return Member(
        fund=fund,
        number=number,
        title=data.title,
        first_name=data.first_name,
        last_name=data.last_name,
        national_id_encrypted=crypto.encrypt(digits),
        national_id_index=national_id_index(digits),
        national_id_tail=digits[-3:],
        birth_date=data.birth_date,
        phone=data.phone,
        house_no=data.house_no,
        moo=data.moo,
        street=data.street,
        tambon=data.tambon or fund.tambon,
        branch=data.branch,
        member_type=data.member_type,
        joined_on=data.joined_on,
        status=data.status,
        status_since=data.joined_on,
    )


def _opening_history(member: Member, actor: Any) -> list[StatusChange]:
    history = [
        StatusChange(
            fund=member.fund,
            member=member,
            event=Event.APPLIED,
            from_status="",
            to_status=Status.APPLICANT,
            effective_on=member.joined_on,
            recorded_by=actor,
        )
    ]
    if member.status == Status.ACTIVE:
        history.append(
            StatusChange(
                fund=member.fund,
                member=member,
                event=Event.APPROVED,
                from_status=Status.APPLICANT,
                to_status=Status.ACTIVE,
                effective_on=member.joined_on,
                recorded_by=actor,
            )
        )
    return history


def _disability_consent_error(member: Member | None, data: MemberInput) -> dict[str, list[str]]:
    """Disability is health data (PDPA §26): it is kept only with the member's explicit consent,
    given with this form or already on record. A member recorded as disabled before consent
    was asked for gets no pass: the next edit asks for it, or for another type."""
    if data.member_type != MemberType.DISABLED or data.sensitive_consent:
        return {}
    if member is not None and _has_sensitive_consent(member):
        return {}
    return {
        "member_type": [
            _(
                "“Person with disability” is health data: record the member's explicit consent "
                "for health and disability data first (PDPA section 26)."
            )
        ]
    }


def _has_sensitive_consent(member: Member) -> bool:
    return member.consents.filter(
        purpose=Consent.Purpose.SENSITIVE, withdrawn_on__isnull=True
    ).exists()


def _record_sensitive_consent(member: Member, actor: Any) -> None:
    if _has_sensitive_consent(member):
        return
    consent = Consent.objects.create(
        fund=member.fund,
        member=member,
        purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.PAPER,
        given_on=timezone.localdate(),
        recorded_by=actor,
    )
    audit_log(
        fund=member.fund,
        actor=actor,
        changes=[
            Change.of(
                "members.consent.given",
                consent,
                after={
                    "member": member.number,
                    "purpose": consent.purpose,
                    "given_on": str(consent.given_on),
                },
            )
        ],
    )


def is_erased(member: Member) -> bool:
    """Whether the member's personal data was erased (pseudonymised) by the privacy app.

    Looked up by name: the privacy app builds on this one, not the other way round. The
    pseudonym's marker counts too, for a copy restored from before the erasure's row."""
    erasure = apps.get_model("privacy", "Erasure")
    if erasure._default_manager.filter(member_id=member.pk).exists():
        return True
    return member.national_id_tail == "" and member.national_id_index.startswith("erased:")


def _refuse_if_erased(member: Member) -> None:
    """An erased person does not come back through an edit, a status change, an heir or a
    consent: reapplying the erasure after a restore would wipe the data typed in again."""
    if is_erased(member):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "This person's data was erased at their request; register them again "
                        "as a new member."
                    )
                ]
            }
        )


def member_register(*, fund: Fund, actor: Any, data: MemberInput) -> Member:
    """Add one member to the register, or raise ValidationError with a message per field."""
    today = timezone.localdate()
    with transaction.atomic():
        # One writer per fund at a time: the next member number and the duplicate-ID check
        # must not race another registration or an import (which takes the same lock).
        Fund.objects.select_for_update().get(pk=fund.pk)
        errors = validate_member_input(fund=fund, data=data, today=today)
        errors.update(_disability_consent_error(None, data))
        if errors:
            raise ValidationError(errors)
        member = _build_member(fund=fund, data=data, number=data.number or next_member_number(fund))
        member.full_clean(exclude=["fund", "tambon", "branch", "import_batch"])
        member.save()
        StatusChange.objects.bulk_create(_opening_history(member, actor))
        audit_log(
            fund=fund,
            actor=actor,
            changes=[Change.of("members.member.registered", member, after=member_snapshot(member))],
        )
        if data.sensitive_consent:
            _record_sensitive_consent(member, actor)
    return member


_NATIONAL_ID_FIELDS = ("national_id_encrypted", "national_id_index", "national_id_tail")
_EDITABLE = (
    "number", "title", "first_name", "last_name", "birth_date", "phone", "house_no", "moo",
    "street", "tambon", "branch", "member_type", "joined_on",
)  # fmt: skip


def member_update(*, member: Member, actor: Any, data: MemberInput) -> Member:
    """Change a member's details; an empty national ID keeps the one on record.

    Status changes go through member_change_status, never through here.
    """
    today = timezone.localdate()
    with transaction.atomic():
        # Lock and re-read, so a status change made meanwhile is neither lost nor overwritten.
        member = Member.objects.select_for_update().get(pk=member.pk)
        _refuse_if_erased(member)
        if not data.national_id:
            data.national_id = crypto.decrypt(member.national_id_encrypted)
        errors = validate_member_input(fund=member.fund, data=data, today=today, existing=member)
        errors.update(_disability_consent_error(member, data))
        if errors:
            raise ValidationError(errors)
        if data.sensitive_consent:
            _record_sensitive_consent(member, actor)
        before = member_snapshot(member)
        for name in _EDITABLE:
            value = getattr(data, name)
            if name == "number" and not value:
                continue
            if name == "tambon" and value is None:
                value = member.fund.tambon
            setattr(member, name, value)
        digits = normalize_national_id(data.national_id)
        id_changed = national_id_index(digits) != member.national_id_index
        if id_changed:
            member.national_id_encrypted = crypto.encrypt(digits)
            member.national_id_index = national_id_index(digits)
            member.national_id_tail = digits[-3:]
        member.save(update_fields=[*_EDITABLE, *_NATIONAL_ID_FIELDS, "updated_at"])
        after = member_snapshot(member)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed or id_changed:
            audit_log(
                fund=member.fund,
                actor=actor,
                changes=[
                    Change.of(
                        "members.member.changed",
                        member,
                        before={k: before[k] for k in changed},
                        # The masked form can look the same after a correction; say so anyway.
                        after={**changed, "national_id_changed": id_changed},
                    )
                ],
            )
    return member


def member_change_status(
    *, member: Member, actor: Any, event: str, effective_on: dt.date, note: str = ""
) -> Member:
    """Move a member along the lifecycle (approve, lapse, reinstate, resign, die, expel)."""
    if event not in TRANSITIONS:
        raise ValidationError({"event": [_("Unknown status change.")]})
    allowed_from, to_status = TRANSITIONS[event]
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        # An erased person may still leave (a copy restored from before their erasure can show
        # them active, and they must lapse or resign like anyone), but never come back.
        if to_status in (Status.ACTIVE, Status.APPLICANT):
            _refuse_if_erased(member)
        if member.status not in allowed_from:
            raise ValidationError(
                {
                    "event": [
                        _("A member who is “%(status)s” cannot be “%(event)s”.")
                        % {"status": member.get_status_display(), "event": Event(event).label}
                    ]
                }
            )
        if effective_on > timezone.localdate():
            raise ValidationError({"effective_on": [_("The date cannot be in the future.")]})
        if effective_on < member.status_since:
            raise ValidationError(
                {
                    "effective_on": [
                        _("The date is before the member's current status began (%(date)s).")
                        % {"date": format_date(member.status_since)}
                    ]
                }
            )
        before = member.status
        StatusChange.objects.create(
            fund=member.fund,
            member=member,
            event=event,
            from_status=before,
            to_status=to_status,
            effective_on=effective_on,
            note=note,
            recorded_by=actor,
        )
        member.status, member.status_since = to_status, effective_on
        member.save(update_fields=["status", "status_since", "updated_at"])
        audit_log(
            fund=member.fund,
            actor=actor,
            changes=[
                Change.of(
                    f"members.member.{event}",
                    member,
                    before={"status": before},
                    after={"status": to_status, "effective_on": effective_on.isoformat()},
                    note=note,
                )
            ],
        )
    return member


def member_reveal_national_id(*, member: Member, actor: Any, reason: str = "") -> str:
    """Return the full national ID; every reveal is written to the audit trail first."""
    audit_log(
        fund=member.fund,
        actor=actor,
        changes=[Change.of("members.member.national_id_revealed", member, reason=reason)],
    )
    return crypto.decrypt(member.national_id_encrypted)


@dataclass
class BeneficiaryInput:
    full_name: str
    relationship: str
    share_percent: Decimal
    national_id: str = ""


def beneficiary_add(*, member: Member, actor: Any, data: BeneficiaryInput) -> Beneficiary:
    with transaction.atomic():
        # Locked so that two additions at once cannot together pass 100%.
        member = Member.objects.select_for_update().get(pk=member.pk)
        _refuse_if_erased(member)
        errors: dict[str, list[str]] = {}
        if not data.full_name:
            errors["full_name"] = [_("Name is required.")]
        digits = ""
        if data.national_id:
            try:
                digits = normalize_national_id(data.national_id)
            except InvalidNationalId as exc:
                errors["national_id"] = [exc.reason]
        taken = sum((b.share_percent for b in member.beneficiaries.all()), Decimal("0"))
        if data.share_percent <= 0 or taken + data.share_percent > 100:
            errors["share_percent"] = [
                _("Shares of all beneficiaries must add up to at most 100%% (%(left)s%% left).")
                % {"left": 100 - taken}
            ]
        if errors:
            raise ValidationError(errors)
        beneficiary = Beneficiary(
            fund=member.fund,
            member=member,
            full_name=data.full_name,
            relationship=data.relationship,
            share_percent=data.share_percent,
        )
        if digits:
            beneficiary.national_id_encrypted = crypto.encrypt(digits)
            beneficiary.national_id_index = national_id_index(digits)
            beneficiary.national_id_tail = digits[-3:]
        beneficiary.full_clean(exclude=["fund", "member"])
        beneficiary.save()
        after = {
            "member": member.number,
            "full_name": beneficiary.full_name,
            "relationship": beneficiary.relationship,
            "share_percent": str(beneficiary.share_percent),
            "national_id": beneficiary.national_id_masked,
        }
        audit_log(
            fund=member.fund,
            actor=actor,
            changes=[Change.of("members.beneficiary.added", beneficiary, after=after)],
        )
    return beneficiary


def beneficiary_remove(*, beneficiary: Beneficiary, actor: Any) -> None:
    with transaction.atomic():
        before = {"member": beneficiary.member.number, "full_name": beneficiary.full_name}
        audit_log(
            fund=beneficiary.fund,
            actor=actor,
            changes=[Change.of("members.beneficiary.removed", beneficiary, before=before)],
        )
        beneficiary.delete()


def consent_record(
    *, member: Member, actor: Any, purpose: str, channel: str, given_on: dt.date
) -> Consent:
    with transaction.atomic():
        _refuse_if_erased(member)
        if given_on > timezone.localdate():
            raise ValidationError({"given_on": [_("The date cannot be in the future.")]})
        if member.consents.filter(purpose=purpose, withdrawn_on__isnull=True).exists():
            raise ValidationError({"purpose": [_("This consent is already on record.")]})
        consent = Consent(
            fund=member.fund,
            member=member,
            purpose=purpose,
            channel=channel,
            given_on=given_on,
            recorded_by=actor,
        )
        consent.full_clean(exclude=["fund", "member", "recorded_by"])
        consent.save()
        audit_log(
            fund=member.fund,
            actor=actor,
            changes=[
                Change.of(
                    "members.consent.given",
                    consent,
                    after={"member": member.number, "purpose": purpose, "given_on": str(given_on)},
                )
            ],
        )
    return consent


def consent_withdraw(*, consent: Consent, actor: Any, withdrawn_on: dt.date) -> Consent:
    with transaction.atomic():
        if consent.withdrawn_on is not None:
            raise ValidationError({"withdrawn_on": [_("This consent was already withdrawn.")]})
        if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
            raise ValidationError(
                {"withdrawn_on": [_("The date must be between the consent date and today.")]}
            )
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on"])
        changes = [
            Change.of(
                "members.consent.withdrawn",
                consent,
                after={"purpose": consent.purpose, "withdrawn_on": str(withdrawn_on)},
            )
        ]
        changes += _drop_disability_without_consent(consent)
        audit_log(fund=consent.fund, actor=actor, changes=changes)
    return consent


def _drop_disability_without_consent(consent: Consent) -> list[Change]:
    """Without the explicit consent the fund may no longer keep that the member has a
    disability (PDPA §26, §19): the member goes back to the general type."""
    if consent.purpose != Consent.Purpose.SENSITIVE:
        return []
    member = Member.objects.select_for_update().get(pk=consent.member_id)
    if member.member_type != MemberType.DISABLED or _has_sensitive_consent(member):
        return []
    member.member_type = MemberType.GENERAL
    member.save(update_fields=["member_type", "updated_at"])
    return [
        Change.of(
            "members.member.changed",
            member,
            before={"member_type": MemberType.DISABLED},
            after={"member_type": MemberType.GENERAL},
            reason="sensitive consent withdrawn",
        )
    ]
