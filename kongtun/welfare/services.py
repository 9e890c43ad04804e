"""Every write about welfare: regulation versions and their benefits, claims from intake
through the committee's resolution to payment and acknowledgment, and committee meetings.

Each transition of a claim is one service in one transaction that locks the claim's row and
checks its status first, so two people acting at the same moment bring it to a final state
once: the second finds it already decided (or paid) and is told so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kongtun.audit.services import Change, audit_log
from kongtun.contributions.services import payment_record
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger.models import Account, Voucher
from kongtun.ledger.services import VoucherLineInput, lock_books, voucher_create
from kongtun.ledger.statements import fiscal_year_of
from kongtun.lib.thaidate import format_date
from kongtun.lib.uploads import evidence_type
from kongtun.members.models import Consent, Event, Member, StatusChange
from kongtun.welfare import rules
from kongtun.welfare.models import (
    Attendance,
    Benefit,
    Claim,
    Document,
    Meeting,
    Payee,
    Regulation,
    Tier,
)
from kongtun.welfare.selectors import (
    benefit_rule,
    claim_facts,
    payment_plan,
    regulation_in_force,
)

if TYPE_CHECKING:
    from kongtun.welfare.examples import RegulationSpec

ZERO = Decimal("0.00")
MAX_IMAGE_PIXELS = 50_000_000  # a phone photo is ~12 M; more is a decompression bomb
# Health and disability data need the member's explicit consent (PDPA s.26).
SENSITIVE_CATEGORIES = frozenset({"illness", "disadvantaged"})


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- Regulations -----------------------------------------------------------------------------

BENEFIT_FIELDS = (
    "key", "name", "category", "position", "for_member", "for_child", "for_beneficiary",
    "for_non_member", *rules.RULE_FIELDS, "documents", "conditions",
)  # fmt: skip


def _regulation_snapshot(regulation: Regulation) -> dict[str, Any]:
    return {
        "version": regulation.version,
        "title": regulation.title,
        "status": regulation.status,
        "effective_from": regulation.effective_from.isoformat()
        if regulation.effective_from
        else None,
        "benefits": [
            {
                **{name: str(getattr(b, name)) for name in BENEFIT_FIELDS},
                "tiers": [[t.from_years, str(t.amount)] for t in b.tiers.all()],
            }
            for b in regulation.benefits.all()
        ],
    }


def _editable(regulation: Regulation) -> None:
    if not regulation.is_draft:
        raise _refuse(
            "status",
            _("An adopted regulation is never changed; make a new version to amend it."),
        )


def regulation_draft(
    *, fund: Fund, actor: Any, copy_of: Regulation | None = None, title: str = ""
) -> Regulation:
    """A new draft version: a copy of `copy_of` (by default the latest version), or empty."""
    with transaction.atomic():
        lock_books(fund)  # serialises version numbers
        latest = Regulation.objects.filter(fund=fund).aggregate(v=Max("version"))["v"] or 0
        source = copy_of or Regulation.objects.filter(fund=fund).order_by("-version").first()
        draft = Regulation.objects.create(
            fund=fund,
            version=latest + 1,
            title=title or (source.title if source else _("Regulation of the welfare fund")),
            text=source.text if source else "",
            non_member_budget=source.non_member_budget if source else None,
            made_by=actor,
        )
        if source is not None:
            for benefit in source.benefits.prefetch_related("tiers"):
                tiers = list(benefit.tiers.all())
                benefit.pk, benefit.regulation = None, draft
                benefit._state.adding = True
                benefit.save()
                Tier.objects.bulk_create(
                    Tier(fund=fund, benefit=benefit, from_years=t.from_years, amount=t.amount)
                    for t in tiers
                )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.regulation.drafted",
                    draft,
                    after={"version": draft.version, "copy_of": source.version if source else None},
                )
            ],
        )
    return draft


def regulation_update(
    *,
    regulation: Regulation,
    actor: Any,
    title: str,
    text: str,
    non_member_budget: Decimal | None,
) -> Regulation:
    _editable(regulation)
    if not title.strip():
        raise _refuse("title", _("Please give the regulation a title."))
    if non_member_budget is not None and non_member_budget < 0:
        raise _refuse("non_member_budget", _("The budget cannot be below zero."))
    with transaction.atomic():
        regulation = Regulation.objects.select_for_update().get(pk=regulation.pk)
        _editable(regulation)
        before = {"title": regulation.title, "budget": str(regulation.non_member_budget)}
        regulation.title, regulation.text = title.strip(), text
        regulation.non_member_budget = non_member_budget
        regulation.save(update_fields=["title", "text", "non_member_budget"])
        audit_log(
            fund=regulation.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.regulation.changed",
                    regulation,
                    before=before,
                    after={"title": regulation.title, "budget": str(non_member_budget)},
                )
            ],
        )
    return regulation


def benefit_problems(values: dict[str, Any], tiers: list[tuple[int, Decimal]]) -> dict[str, str]:
    """What is wrong with a benefit's rules, by field; empty when they can be applied."""
    problems: dict[str, str] = {}
    basis = values.get("basis")
    flags = ("for_member", "for_child", "for_beneficiary", "for_non_member")
    if not any(values.get(f) for f in flags):
        problems["for_member"] = _("Choose at least one kind of person who may receive it.")
    if basis in (rules.Basis.FIXED, rules.Basis.PER_NIGHT) and not values.get("amount"):
        problems["amount"] = _("Give the amount (or the rate a night) in baht.")
    if basis in (rules.Basis.BY_MEMBERSHIP, rules.Basis.BY_AGE) and not tiers:
        problems["tiers"] = _("A table needs at least one row: from so many years, so much.")
    if len({y for y, _a in tiers}) != len(tiers):
        problems["tiers"] = _("Each row of the table needs a different number of years.")
    if any(a <= 0 for _y, a in tiers):
        problems["tiers"] = _("Every amount in the table must be more than zero.")
    # The actual cost needs a ceiling, except a one-time refund of what the member saved.
    if (
        basis == rules.Basis.ACTUAL
        and not values.get("once_only")
        and not (
            values.get("per_event_cap") or values.get("per_year_cap") or values.get("lifetime_cap")
        )
    ):
        problems["per_event_cap"] = _("Paying the actual cost needs a cap per event or per year.")
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and low > high:
        problems["max_age"] = _("The maximum age is below the minimum age.")
    if values.get("for_non_member") and any(values.get(f) for f in flags[:3]):
        problems["for_non_member"] = _(
            "Help for non-members is a benefit of its own: it cannot also be for members."
        )
    for name in ("amount", "step_amount", "per_event_cap", "per_year_cap", "lifetime_cap"):
        value = values.get(name)
        if value is not None and value < 0:
            problems[name] = _("An amount cannot be below zero.")
    return problems


def benefit_save(
    *,
    regulation: Regulation,
    actor: Any,
    values: dict[str, Any],
    tiers: list[tuple[int, Decimal]],
    benefit: Benefit | None = None,
) -> Benefit:
    """Add a benefit to a draft, or change one of its benefits; the table is replaced whole."""
    _editable(regulation)
    problems = benefit_problems(values, tiers)
    if problems:
        raise ValidationError({k: [v] for k, v in problems.items()})
    with transaction.atomic():
        regulation = Regulation.objects.select_for_update().get(pk=regulation.pk)
        _editable(regulation)
        taken = Benefit.objects.filter(regulation=regulation, key=values["key"])
        if benefit is not None:
            taken = taken.exclude(pk=benefit.pk)
        if taken.exists():
            raise _refuse("key", _("Another benefit of this regulation has this short code."))
        target = benefit or Benefit(fund=regulation.fund, regulation=regulation)
        if target.regulation_id != regulation.pk:
            raise _refuse("key", _("This benefit belongs to another version."))
        for name, value in values.items():
            setattr(target, name, value)
        target.full_clean(exclude=["fund", "regulation"])
        target.save()
        Tier.objects.filter(benefit=target).delete()
        Tier.objects.bulk_create(
            Tier(fund=regulation.fund, benefit=target, from_years=y, amount=a)
            for y, a in sorted(tiers)
        )
        audit_log(
            fund=regulation.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.benefit.saved",
                    target,
                    after={
                        **{k: str(v) for k, v in values.items()},
                        "version": regulation.version,
                        "tiers": [[y, str(a)] for y, a in sorted(tiers)],
                    },
                )
            ],
        )
    return target


def benefit_remove(*, benefit: Benefit, actor: Any) -> None:
    regulation = benefit.regulation
    _editable(regulation)
    with transaction.atomic():
        _editable(Regulation.objects.select_for_update().get(pk=regulation.pk))
        audit_log(
            fund=regulation.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.benefit.removed",
                    benefit,
                    before={"key": benefit.key, "version": regulation.version},
                )
            ],
        )
        benefit.delete()


def regulation_adopt(
    *, regulation: Regulation, actor: Any, effective_from: dt.date, resolution: str
) -> Regulation:
    """Adopt a draft from `effective_from`; from then on it is never changed.

    A claim is judged by the version in force on the day of its event, and keeps it: claims
    already filed are not touched by a new version.
    """
    if not resolution.strip():
        raise _refuse("resolution", _("Give the resolution of the meeting that adopted it."))
    with transaction.atomic():
        regulation = Regulation.objects.select_for_update().get(pk=regulation.pk)
        _editable(regulation)
        if not regulation.benefits.exists():
            raise _refuse("status", _("A regulation needs at least one benefit."))
        for benefit in regulation.benefits.prefetch_related("tiers"):
            values = {name: getattr(benefit, name) for name in BENEFIT_FIELDS}
            tiers = [(t.from_years, t.amount) for t in benefit.tiers.all()]
            if benefit_problems(values, tiers):
                raise _refuse(
                    "status",
                    _("The benefit “%(name)s” is not complete; correct it first.")
                    % {"name": benefit.name},
                )
        latest = (
            Regulation.objects.filter(fund=regulation.fund, status=Regulation.Status.ADOPTED)
            .order_by("-effective_from")
            .first()
        )
        if latest is not None and latest.effective_from and effective_from <= latest.effective_from:
            raise _refuse(
                "effective_from",
                _("It must come into force after version %(version)s, in force from %(date)s.")
                % {"version": latest.version, "date": format_date(latest.effective_from)},
            )
        # A claim is judged by the version in force on the day of its event: a version may not
        # come into force behind a claim already judged by an earlier one.
        last_event = (
            Claim.objects.filter(fund=regulation.fund)
            .order_by("-event_date")
            .values_list("event_date", flat=True)
            .first()
        )
        if last_event is not None and effective_from <= last_event:
            raise _refuse(
                "effective_from",
                _(
                    "A claim for an event on %(date)s was already judged by an earlier version; "
                    "this one can come into force only after that day."
                )
                % {"date": format_date(last_event)},
            )
        regulation.status = Regulation.Status.ADOPTED
        regulation.effective_from = effective_from
        regulation.adopted_resolution = resolution.strip()
        regulation.adopted_by, regulation.adopted_at = actor, timezone.now()
        regulation.save()
        audit_log(
            fund=regulation.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.regulation.adopted",
                    regulation,
                    before={"status": "draft"},
                    after=_regulation_snapshot(regulation),
                )
            ],
        )
    return regulation


def regulation_install(
    *, fund: Fund, actor: Any, spec: RegulationSpec, effective_from: dt.date, resolution: str
) -> Regulation:
    """Adopt one of kongtun.welfare.examples' regulations (demo funds, tests)."""
    with transaction.atomic():
        draft = regulation_draft(fund=fund, actor=actor, title=spec.title)
        Benefit.objects.filter(regulation=draft).delete()
        draft.text, draft.non_member_budget = spec.text, spec.non_member_budget
        draft.save(update_fields=["text", "non_member_budget"])
        for position, b in enumerate(spec.benefits, start=1):
            values = {name: getattr(b, name) for name in BENEFIT_FIELDS if name != "position"}
            benefit_save(
                regulation=draft,
                actor=actor,
                values=values | {"position": position},
                tiers=list(b.tiers),
            )
        return regulation_adopt(
            regulation=draft, actor=actor, effective_from=effective_from, resolution=resolution
        )


# --- Claims ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimInput:
    benefit_key: str
    recipient: str
    event_date: dt.date
    member: Member | None = None
    person_name: str = ""
    person_birth_date: dt.date | None = None
    person_address: str = ""
    nights: int | None = None
    claimed: Decimal | None = None
    details: str = ""


@dataclass(frozen=True)
class Assessment:
    regulation: Regulation
    benefit: Benefit
    decision: rules.Decision


def claim_assess(
    *, fund: Fund, data: ClaimInput, filed_on: dt.date, exclude: Claim | None = None
) -> Assessment:
    """What the rules decide for a claim, without writing anything (the intake form's check)."""
    # One spelling of a name, so a person's caps are counted together.
    data = replace(data, person_name=" ".join(data.person_name.split()))
    regulation = regulation_in_force(fund, data.event_date)
    if regulation is None:
        raise _refuse(
            "event_date", _("No regulation of the fund was in force on the day of the event.")
        )
    benefit = (
        Benefit.objects.filter(regulation=regulation, key=data.benefit_key)
        .prefetch_related("tiers")
        .first()
    )
    if benefit is None:
        raise _refuse(
            "benefit",
            _(
                "The regulation in force on the day of the event (version %(version)s) "
                "has no such benefit."
            )
            % {"version": regulation.version},
        )
    if data.recipient == rules.Recipient.NON_MEMBER:
        if data.member is not None:
            raise _refuse("member_number", _("Help for a non-member names no member."))
        if not data.person_name:
            raise _refuse("person_name", _("Give the name of the person to be helped."))
    else:
        if data.member is None or data.member.fund_id != fund.pk:
            raise _refuse("member_number", _("Choose the member the claim is for."))
        if data.recipient == rules.Recipient.CHILD and not data.person_name:
            raise _refuse("person_name", _("Give the child's name."))
        if benefit.category == "death" and data.recipient == rules.Recipient.BENEFICIARY:
            died = (
                StatusChange.objects.filter(member=data.member, event=Event.DIED)
                .values_list("effective_on", flat=True)
                .first()
            )
            if died is None:
                raise _refuse(
                    "member_number",
                    _("Record the member's death on their page first; then file the claim."),
                )
            if died != data.event_date:
                raise _refuse(
                    "event_date",
                    _("The member's death is recorded on %(date)s: that is the day of the event.")
                    % {"date": format_date(died)},
                )
    if (
        benefit.category in SENSITIVE_CATEGORIES
        and data.member is not None
        and not _sensitive_consent(data.member, filed_on)
    ):
        raise _refuse(
            "member_number",
            _(
                "This claim holds health or disability data: the member must first give "
                "explicit consent for it (on the member's page, Consents)."
            ),
        )
    facts = claim_facts(
        benefit=benefit,
        member=data.member,
        recipient=data.recipient,
        event_date=data.event_date,
        filed_on=filed_on,
        birth_date=data.person_birth_date,
        nights=data.nights,
        claimed=data.claimed,
        exclude=exclude,
        person=data.person_name,
    )
    return Assessment(regulation, benefit, rules.assess(benefit_rule(benefit), facts))


def _sensitive_consent(member: Member, on: dt.date) -> bool:
    return Consent.objects.filter(
        member=member,
        purpose=Consent.Purpose.SENSITIVE,
        given_on__lte=on,
        withdrawn_on__isnull=True,
    ).exists()


def _claim_snapshot(claim: Claim) -> dict[str, Any]:
    return {
        "number": claim.number,
        "benefit": claim.key,
        "version": claim.regulation.version,
        "member": claim.member.number if claim.member else None,
        "recipient": claim.recipient,
        "event_date": claim.event_date.isoformat(),
        "outcome": claim.outcome,
        "assessed_amount": str(claim.assessed_amount),
        "status": claim.status,
    }


def claim_file(
    *,
    fund: Fund,
    actor: Any,
    data: ClaimInput,
    filed_on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> Claim:
    """Take a claim: the rules assess it at once and the decision is kept with its reasons
    and the regulation version it used. The same form sent twice is one claim."""
    filed_on = filed_on or timezone.localdate()
    data = replace(data, person_name=" ".join(data.person_name.split()))
    if data.nights is not None and data.nights < 0:
        raise _refuse("nights", _("The number of nights cannot be below zero."))
    if data.claimed is not None and data.claimed <= 0:
        raise _refuse("claimed", _("The amount claimed must be more than zero."))
    with transaction.atomic():
        lock_books(fund)  # numbering, and caps: two claims of one member are assessed in turn
        if idempotency_key:
            existing = Claim.objects.filter(fund=fund, idempotency_key=idempotency_key).first()
            if existing is not None:
                if _same_claim(existing, data):
                    return existing
                raise _refuse(
                    "event_date", _("This form was already submitted with other details.")
                )
        assessment = claim_assess(fund=fund, data=data, filed_on=filed_on)
        benefit, decision = assessment.benefit, assessment.decision
        year = fiscal_year_of(fund, filed_on)
        prefix = f"W{year}/"
        used = Claim.objects.filter(fund=fund, number__startswith=prefix).values_list(
            "number", flat=True
        )
        seq = max((int(n.removeprefix(prefix)) for n in used), default=0) + 1
        claim = Claim.objects.create(
            fund=fund,
            number=f"{prefix}{seq:04d}",
            benefit=benefit,
            regulation=assessment.regulation,
            key=benefit.key,
            member=data.member,
            recipient=data.recipient,
            person_name=data.person_name,
            person_birth_date=data.person_birth_date,
            person_address=data.person_address.strip(),
            event_date=data.event_date,
            fiscal_year=fiscal_year_of(fund, data.event_date),
            filed_on=filed_on,
            nights=data.nights,
            nights_paid=decision.nights_paid,
            claimed=data.claimed,
            details=data.details.strip(),
            outcome=decision.outcome,
            assessed_amount=decision.amount,
            full_amount=decision.full_amount,
            reasons=[r.as_json() for r in decision.reasons],
            entered_by=actor,
            idempotency_key=idempotency_key or None,
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[Change.of("welfare.claim.filed", claim, after=_claim_snapshot(claim))],
        )
    return claim


def _same_claim(claim: Claim, data: ClaimInput) -> bool:
    return (
        claim.key,
        claim.recipient,
        claim.member_id,
        claim.event_date,
        claim.nights,
        claim.claimed,
        claim.person_name,
    ) == (
        data.benefit_key,
        data.recipient,
        data.member.pk if data.member else None,
        data.event_date,
        data.nights,
        data.claimed,
        " ".join(data.person_name.split()),
    )


def _locked(claim: Claim) -> Claim:
    # Only the claim's row is locked: PostgreSQL cannot lock the empty side of the member join.
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("benefit", "regulation", "member")
        .get(pk=claim.pk)
    )


def claim_withdraw(*, claim: Claim, actor: Any, reason: str) -> Claim:
    if not reason.strip():
        raise _refuse("reason", _("Please say why the claim is withdrawn."))
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status == Claim.Status.WITHDRAWN:
            return claim
        if claim.status != Claim.Status.FILED:
            raise _refuse(
                "status", _("Only a claim still waiting for the committee can be withdrawn.")
            )
        claim.status, claim.withdrawn_reason = Claim.Status.WITHDRAWN, reason.strip()
        claim.save(update_fields=["status", "withdrawn_reason"])
        audit_log(
            fund=claim.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.claim.withdrawn",
                    claim,
                    before={"status": "filed"},
                    after={"status": "withdrawn"},
                    reason=reason,
                )
            ],
        )
    return claim


def document_dir() -> Path:
    path = Path(settings.VAR_DIR) / "claim-documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_image(data: bytes, content_type: str) -> bytes:
    """The picture alone: re-encoded without EXIF (GPS, camera, owner) or text chunks, turned
    upright first since the orientation tag goes with the rest."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise _refuse("file", _("The picture is too large; take it at a lower resolution."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)
            upright.info = {}  # comments, XMP, ICC: nothing but the picture is saved
            out = io.BytesIO()
            if content_type == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                upright.save(out, "PNG", optimize=True)
            return out.getvalue()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise _refuse("file", _("This picture file is damaged and cannot be read.")) from exc


def document_add(*, claim: Claim, actor: Any, name: str, data: bytes, label: str = "") -> Document:
    """Keep a PDF, JPEG or PNG (judged by its bytes, not its name) of up to 10 MB; pictures
    are kept without their metadata. Only while the claim is open."""
    content_type = evidence_type(data)
    if content_type != "application/pdf":
        data = _clean_image(data, content_type)
    sha256 = hashlib.sha256(data).hexdigest()
    stored = secrets.token_hex(20)
    path = document_dir() / stored
    # The file is written first and removed if the transaction fails, so no row ever names a
    # missing file and no failed upload leaves one behind.
    path.write_bytes(data)
    try:
        return _document_record(claim, actor, name, label, content_type, len(data), sha256, stored)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _document_record(
    claim: Claim,
    actor: Any,
    name: str,
    label: str,
    content_type: str,
    size: int,
    sha256: str,
    stored: str,
) -> Document:
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status not in (Claim.Status.FILED, Claim.Status.APPROVED):
            raise _refuse("file", _("Evidence can only be added while the claim is open."))
        same = Document.objects.filter(claim=claim, sha256=sha256).first()
        if same is not None:
            (document_dir() / stored).unlink(missing_ok=True)
            return same  # the same file sent twice is kept once
        document = Document.objects.create(
            fund=claim.fund,
            claim=claim,
            label=label[:200],
            stored_name=stored,
            original_name=Path(name).name[:255],
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        audit_log(
            fund=claim.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.document.added",
                    document,
                    after={"claim": claim.number, "label": label, "sha256": sha256},
                )
            ],
        )
    return document


def document_path(document: Document) -> Path:
    return document_dir() / document.stored_name


# --- Committee meetings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    present: int
    seats: int

    @property
    def needed(self) -> int:
        # "ไม่น้อยกว่ากึ่งหนึ่ง": at least half of the seats, as the regulations say.
        return (self.seats + 1) // 2

    @property
    def met(self) -> bool:
        return self.seats > 0 and self.present >= self.needed


def quorum_of(meeting: Meeting) -> Quorum:
    rows = list(meeting.attendance.values_list("present", flat=True))
    return Quorum(sum(1 for p in rows if p), len(rows))


def meeting_open(*, fund: Fund, actor: Any, number: str, date: dt.date, place: str = "") -> Meeting:
    """A meeting, with an attendance line for every committee seat whose term covers its day."""
    if not number.strip():
        raise _refuse("number", _("Give the meeting a number, e.g. 3/2569."))
    if date > timezone.localdate():
        raise _refuse("date", _("Record a meeting on or after the day it is held."))
    # Advisers advise; they hold no vote and count for no quorum.
    seats = CommitteeMember.objects.filter(
        fund=fund, term_start__lte=date, term_end__gte=date
    ).exclude(position=CommitteeMember.Position.ADVISER)
    if not seats.exists():
        raise _refuse("date", _("The fund has no committee whose term covers this day."))
    with transaction.atomic():
        lock_books(fund)  # two secretaries opening the same number: one meeting, one refusal
        if Meeting.objects.filter(fund=fund, number=number.strip()).exists():
            raise _refuse("number", _("A meeting with this number is already recorded."))
        meeting = Meeting.objects.create(
            fund=fund, number=number.strip(), date=date, place=place.strip(), made_by=actor
        )
        Attendance.objects.bulk_create(
            Attendance(fund=fund, meeting=meeting, seat=seat) for seat in seats
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.meeting.opened",
                    meeting,
                    after={"number": meeting.number, "date": date.isoformat()},
                )
            ],
        )
    return meeting


def _open_meeting(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != Meeting.State.OPEN:
        raise _refuse("meeting", _("The minutes of this meeting are closed."))
    return meeting


def attendance_record(*, meeting: Meeting, actor: Any, present: set[int]) -> Quorum:
    """Who came: `present` are the seats' ids; the rest of the meeting's seats were absent."""
    with transaction.atomic():
        meeting = _open_meeting(meeting)
        if Claim.objects.filter(meeting=meeting).exists():
            raise _refuse(
                "present",
                _("Resolutions were recorded with this attendance; it can no longer change."),
            )
        rows = list(Attendance.objects.filter(meeting=meeting))
        unknown = present - {a.seat_id for a in rows}
        if unknown:
            raise _refuse("present", _("Only this meeting's committee seats can be present."))
        for row in rows:
            row.present = row.seat_id in present
        Attendance.objects.bulk_update(rows, ["present"])
        audit_log(
            fund=meeting.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.meeting.attendance",
                    meeting,
                    after={"present": sorted(a.seat.full_name for a in rows if a.present)},
                )
            ],
        )
        return quorum_of(meeting)


def meeting_close(*, meeting: Meeting, actor: Any) -> Meeting:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state == Meeting.State.CLOSED:
            return meeting
        meeting.state, meeting.closed_at = Meeting.State.CLOSED, timezone.now()
        meeting.save(update_fields=["state", "closed_at"])
        audit_log(
            fund=meeting.fund,
            actor=actor,
            changes=[Change.of("welfare.meeting.closed", meeting, after={"state": "closed"})],
        )
    return meeting


@dataclass(frozen=True)
class Resolution:
    approve: bool
    number: str
    votes_for: int
    votes_against: int
    votes_abstain: int = 0
    amount: Decimal | None = None  # less than the rules give, with a note; None: as assessed
    note: str = ""


def claim_decide(*, claim: Claim, actor: Any, meeting: Meeting, resolution: Resolution) -> Claim:
    """The committee's resolution on a claim, at a meeting with a quorum.

    Whoever entered the claim cannot record its approval, a claim the rules found not
    eligible can only be rejected, and the committee may approve less than the rules give
    (with a reason) but never more.
    """
    r = resolution
    if not r.number.strip():
        raise _refuse("resolution", _("Give the resolution number from the minutes."))
    if min(r.votes_for, r.votes_against, r.votes_abstain) < 0:
        raise _refuse("votes_for", _("Votes cannot be below zero."))
    if not r.approve and not r.note.strip():
        raise _refuse("note", _("Please give the committee's reason for rejecting the claim."))
    with transaction.atomic():
        meeting = _open_meeting(meeting)
        claim = _locked(claim)
        final = Claim.Status.APPROVED if r.approve else Claim.Status.REJECTED
        if (
            claim.status == final
            and claim.meeting_id == meeting.pk
            and claim.decided_by_id == actor.pk
        ):
            return claim  # a double click: already done by this person
        if claim.status != Claim.Status.FILED:
            raise _refuse("status", _("The committee has already decided on this claim."))
        if meeting.fund_id != claim.fund_id:
            raise _refuse("meeting", _("This meeting belongs to another fund."))
        if meeting.date < claim.filed_on:
            raise _refuse("meeting", _("The meeting was held before the claim was filed."))
        if r.approve and claim.entered_by_id == actor.pk:
            raise _refuse(
                "status",
                _(
                    "Whoever entered a claim cannot record its approval; "
                    "ask another committee member."
                ),
            )
        quorum = quorum_of(meeting)
        if not quorum.met:
            raise _refuse(
                "meeting",
                _("No quorum: %(present)s of %(seats)s present, %(needed)s needed.")
                % {"present": quorum.present, "seats": quorum.seats, "needed": quorum.needed},
            )
        if r.votes_for + r.votes_against + r.votes_abstain > quorum.present:
            raise _refuse(
                "votes_for",
                _("More votes than the %(present)s committee members present.")
                % {"present": quorum.present},
            )
        if not r.approve and r.votes_for > r.votes_against:
            raise _refuse(
                "votes_against",
                _("More votes for than against approves the claim; check the votes."),
            )
        amount = None
        if r.approve:
            if claim.outcome == rules.Outcome.NOT_ELIGIBLE:
                raise _refuse(
                    "status",
                    _(
                        "The rules find this claim not eligible, so it can only be rejected; "
                        "to pay such cases the regulation must be amended."
                    ),
                )
            if r.votes_for <= r.votes_against:
                raise _refuse("votes_for", _("An approval needs more votes for than against."))
            amount = claim.assessed_amount if r.amount is None else r.amount
            if amount <= 0 or amount > claim.assessed_amount:
                raise _refuse(
                    "amount",
                    _("The amount approved must be more than zero and at most %(amount)s baht.")
                    % {"amount": f"{claim.assessed_amount:,.2f}"},
                )
            if amount < claim.assessed_amount and not r.note.strip():
                raise _refuse("note", _("Please give the reason for approving less."))
        claim.status = final
        claim.meeting, claim.resolution = meeting, r.number.strip()
        claim.votes_for, claim.votes_against, claim.votes_abstain = (
            r.votes_for,
            r.votes_against,
            r.votes_abstain,
        )
        claim.approved_amount, claim.decision_note = amount, r.note.strip()
        claim.decided_by, claim.decided_at = actor, timezone.now()
        claim.save(
            update_fields=[
                "status",
                "meeting",
                "resolution",
                "votes_for",
                "votes_against",
                "votes_abstain",
                "approved_amount",
                "decision_note",
                "decided_by",
                "decided_at",
            ]
        )
        audit_log(
            fund=claim.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.claim.decided",
                    claim,
                    before={"status": "filed"},
                    after={
                        "status": final,
                        "meeting": meeting.number,
                        "resolution": claim.resolution,
                        "votes": [r.votes_for, r.votes_against, r.votes_abstain],
                        "amount": str(amount) if amount is not None else None,
                    },
                    reason=r.note,
                )
            ],
        )
    return claim


def claim_pay(
    *, claim: Claim, actor: Any, date: dt.date, money_account: Account | None = None
) -> Claim:
    """Pay an approved claim: a payment voucher posted to the books, any dues kept back as a
    receipt, and who receives how much, in one transaction. Paying twice pays once.

    The committee's approval is the voucher's approval, so whoever recorded it cannot also pay.
    """
    fund = claim.fund
    if date > timezone.localdate():
        raise _refuse("date", _("A payment cannot be dated in the future."))
    with transaction.atomic():
        lock_books(fund)
        claim = _locked(claim)
        if claim.status == Claim.Status.PAID:
            return claim
        if claim.status != Claim.Status.APPROVED:
            raise _refuse("status", _("Only a claim the committee approved can be paid."))
        if claim.decided_by_id == actor.pk:
            raise _refuse(
                "status",
                _(
                    "Whoever recorded the committee's approval cannot also pay the claim; "
                    "ask the treasurer."
                ),
            )
        if claim.meeting is not None and date < claim.meeting.date:
            raise _refuse("date", _("A claim cannot be paid before the committee approved it."))
        plan = payment_plan(claim, date)
        if claim.recipient == rules.Recipient.BENEFICIARY and not plan.payees:
            raise _refuse(
                "status",
                _(
                    "The member's beneficiaries must be recorded with shares adding up to "
                    "100%; correct them on the member's page first."
                ),
            )
        money = money_account or Account.objects.get(fund=fund, role="cash")
        receipt = None
        if plan.deduction > 0:
            assert claim.member is not None
            receipt = payment_record(
                member=claim.member,
                actor=actor,
                amount=plan.deduction,
                date=date,
                money_account=money,
                settle_deceased=True,
            )
        role = (
            "welfare.non_members"
            if claim.recipient == rules.Recipient.NON_MEMBER
            else f"welfare.{claim.benefit.category}"
        )
        expense = Account.objects.filter(fund=fund, role=role).order_by("code").first()
        if expense is None:
            raise _refuse("status", _("The fund's books have no account for this benefit."))
        payees = [
            Payee(
                fund=fund,
                claim=claim,
                name=name,
                share_percent=share,
                amount=amount,
                beneficiary=beneficiary,
            )
            for name, share, amount, beneficiary in plan.payees
        ]
        with translation.override("th"):  # the books are kept in the fund's language
            description = _("Welfare claim %(number)s: %(benefit)s") % {
                "number": claim.number,
                "benefit": claim.benefit.name,
            }
        voucher = voucher_create(
            fund=fund,
            actor=actor,
            kind=Voucher.Kind.PAYMENT,
            date=date,
            party=", ".join(p.name for p in payees)[:200],
            description=description,
            money_account=money,
            lines=[VoucherLineInput(account=expense, amount=plan.amount, description=claim.number)],
            member=claim.member,
            approved_by=claim.decided_by,
        )
        Payee.objects.bulk_create(payees)
        claim.status, claim.voucher, claim.deducted_receipt = Claim.Status.PAID, voucher, receipt
        claim.paid_on, claim.paid_by = date, actor
        claim.save(update_fields=["status", "voucher", "deducted_receipt", "paid_on", "paid_by"])
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.claim.paid",
                    claim,
                    before={"status": "approved"},
                    after={
                        "status": "paid",
                        "voucher": voucher.number,
                        "amount": str(plan.amount),
                        "deducted": str(plan.deduction),
                        "payees": [[p.name, str(p.amount)] for p in payees],
                    },
                )
            ],
        )
    return claim


def payee_acknowledge(*, payee: Payee, actor: Any, on: dt.date, how: str) -> Payee:
    """The person paid acknowledges the money (a signed slip, a thumbprint, a bank transfer)."""
    if not how.strip():
        raise _refuse("how", _("Say how the receipt was acknowledged, e.g. signed slip."))
    with transaction.atomic():
        payee = (
            Payee.objects.select_for_update(of=("self",)).select_related("claim").get(pk=payee.pk)
        )
        if payee.acknowledged_on is not None:
            return payee
        if payee.claim.paid_on and on < payee.claim.paid_on:
            raise _refuse("on", _("The money cannot be received before it was paid."))
        if on > timezone.localdate():
            raise _refuse("on", _("This date is in the future."))
        payee.acknowledged_on, payee.acknowledged_how = on, how.strip()
        payee.acknowledged_by = actor
        payee.save(update_fields=["acknowledged_on", "acknowledged_how", "acknowledged_by"])
        audit_log(
            fund=payee.fund,
            actor=actor,
            changes=[
                Change.of(
                    "welfare.claim.acknowledged",
                    payee.claim,
                    after={"payee": payee.name, "on": on.isoformat(), "how": how},
                )
            ],
        )
    return payee
