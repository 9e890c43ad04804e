"""Erasure by pseudonymisation (PDPA §33) while the accounts stay (Accounting Act §14).

A member who asks to be erased keeps their row, number and every amount: receipts, book
entries and claims still add up to the same totals. What identifies the person is replaced by
"ลบข้อมูลแล้ว #<code>" or emptied: names, national ID (ciphertext, index, tail), the day and
month of birth, phone, house number and road, beneficiaries' names and IDs, status notes, the
claim's person, address and story, payees' names, vouchers' payee text, and the evidence files.

Rows that the database refuses to change cannot be rewritten: the hash-chained audit trail,
posted book entries (a payment's entry names no member, but older ones named the payees) and
a voided receipt's reason.
docs/privacy.md lists these limits.

Each erasure is also written, without personal data, to a tombstone file outside the database
(`VAR_DIR/privacy/erasures.jsonl`, fsynced before the transaction commits). After a restore of
an older copy, `reapply_erasures()` erases again every member listed there who may be erased
(left, without an open claim), so a backup never brings an erased person back; the others are
skipped and reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from kongtun.audit.services import Change, audit_log
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import Attachment, Voucher, VoucherLine
from kongtun.lib import crypto
from kongtun.lib.text import clean_text
from kongtun.members.models import Member, Status
from kongtun.privacy.models import Erasure
from kongtun.welfare.models import Claim, Document, Payee
from kongtun.welfare.services import document_path

logger = logging.getLogger(__name__)

PSEUDONYM = "ลบข้อมูลแล้ว"
# A member who left, died, was expelled, lapsed or was turned down may be erased; an active
# member or an applicant still has a membership that needs their data.
ERASABLE = frozenset(
    {Status.LAPSED, Status.RESIGNED, Status.DECEASED, Status.EXPELLED, Status.REJECTED}
)
OPEN_CLAIM = (Claim.Status.FILED, Claim.Status.APPROVED)


def pseudonym(member: Member) -> str:
    return f"{PSEUDONYM} #{member.code.hex[:8]}"


def is_pseudonymised(member: Member) -> bool:
    return (
        member.first_name == PSEUDONYM
        and member.last_name == f"#{member.code.hex[:8]}"
        and member.national_id_tail == ""
    )


def tombstone_path() -> Path:
    return Path(settings.VAR_DIR) / "privacy" / "erasures.jsonl"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"reason": [message]})


def erasure_refusal(member: Member) -> str | None:
    """Why this member cannot be erased now, or None."""
    if Erasure.objects.filter(member=member).exists() or is_pseudonymised(member):
        return _("This member's personal data was already erased.")
    if member.status not in ERASABLE:
        return _(
            "Only a member who resigned, died, lapsed, was expelled or was turned down can be "
            "erased. Record the change of status first."
        )
    if Claim.objects.filter(member=member, status__in=OPEN_CLAIM).exists():
        return _("The member has a claim still open: decide or withdraw it first.")
    return None


def member_erase(*, member: Member, actor: Any, reason: str) -> Erasure:
    """Pseudonymise a member at their request; refuse while they still need the data."""
    reason = clean_text(reason)
    if not reason:
        raise _refuse(_("Say why the data is erased (for example, the date of the request)."))
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        refusal = erasure_refusal(member)
        if refusal:
            raise _refuse(refusal)
        return _erase(member, actor=actor, reason=reason[:300], action="privacy.member.erased")


def _erase(
    member: Member, *, actor: Any, reason: str, action: str, tombstone: bool = True
) -> Erasure:
    """Pseudonymise inside the caller's transaction, record it, and write the tombstone."""
    now = timezone.now()
    pseudonymise(member)
    erasure, _created = Erasure.objects.update_or_create(
        member=member,
        defaults={
            "fund": member.fund,
            "erased_at": now,
            "erased_by": actor if actor is not None and actor.is_authenticated else None,
            "reason": reason,
        },
    )
    # Nothing of the person: the pseudonym is all the trail needs to say.
    audit_log(
        fund=member.fund,
        actor=actor,
        changes=[Change.of(action, member, after={"name": pseudonym(member)}, reason=reason)],
    )
    if tombstone:
        _tombstone_append(member, now)
    return erasure


def pseudonymise(member: Member) -> None:
    """Replace or empty what identifies the person in every row that may change."""
    names = _names_of(member)
    fake = pseudonym(member)
    short = f"#{member.code.hex[:8]}"
    member.title, member.first_name, member.last_name = "", PSEUDONYM, short
    # The ID goes entirely; the index must stay unique within the fund, so it names the row.
    member.national_id_encrypted = crypto.encrypt("")
    member.national_id_index = f"erased:{member.code.hex}"
    member.national_id_tail = ""
    # The year is kept: reports by age band of past years add up as before; day and month go.
    member.birth_date = dt.date(member.birth_date.year, 1, 1)
    member.phone = member.house_no = member.street = ""
    member.save(
        update_fields=[
            "title", "first_name", "last_name", "national_id_encrypted", "national_id_index",
            "national_id_tail", "birth_date", "phone", "house_no", "street", "updated_at",
        ]
    )  # fmt: skip
    member.beneficiaries.update(
        full_name=PSEUDONYM, national_id_encrypted="", national_id_index="", national_id_tail=""
    )
    member.history.exclude(note="").update(note="")
    claims = list(Claim.objects.filter(member=member))
    for claim in claims:
        claim.person_name = fake if claim.person_name else ""
        claim.person_birth_date = None
        claim.person_address = claim.details = ""
        claim.decision_note = _scrub(claim.decision_note, names, fake)
        claim.withdrawn_reason = _scrub(claim.withdrawn_reason, names, fake)
        claim.reasons = _scrub_json(claim.reasons, names, fake)
        claim.save(
            update_fields=[
                "person_name", "person_birth_date", "person_address", "details",
                "decision_note", "withdrawn_reason", "reasons",
            ]
        )  # fmt: skip
    for payee in Payee.objects.filter(claim__in=claims):
        payee.name = fake
        payee.acknowledged_how = _scrub(payee.acknowledged_how, names, fake)
        payee.save(update_fields=["name", "acknowledged_how"])
    # Evidence is health data: the files go. The claim, its decision and payment stay. The
    # files are removed only once the erasure commits: if the audit or tombstone write after
    # this point fails, the rows roll back and must still find their files.
    for document in Document.objects.filter(claim__in=claims):
        path = document_path(document)
        document.delete()
        transaction.on_commit(functools.partial(path.unlink, missing_ok=True))
    # A welfare payment's voucher names its payees in the party, description, lines and the
    # names of attached files. Vouchers and their lines are not append-only (only the posted
    # journal entry is), so their text is scrubbed; amounts and accounts stay as they are.
    vouchers = list(Voucher.objects.filter(member=member))
    for voucher in vouchers:
        voucher.party = _scrub(voucher.party, names, fake)[:200]
        voucher.description = _scrub(voucher.description, names, fake)[:500]
        voucher.rejection_reason = _scrub(voucher.rejection_reason, names, fake)[:500]
        voucher.save(update_fields=["party", "description", "rejection_reason"])
    for line in VoucherLine.objects.filter(voucher__in=vouchers).exclude(description=""):
        line.description = _scrub(line.description, names, fake)[:300]
        line.save(update_fields=["description"])
    for attachment in Attachment.objects.filter(voucher__in=vouchers):
        attachment.original_name = _scrub(attachment.original_name, names, fake)[:255]
        attachment.save(update_fields=["original_name"])


def _names_of(member: Member) -> list[str]:
    """Every spelling of the person's and their relatives' names the fund's rows may hold,
    longest first so that a full name is replaced before its parts."""
    found = {
        member.full_name,
        f"{member.first_name} {member.last_name}",
        member.first_name,
        member.last_name,
    }
    found |= set(member.beneficiaries.values_list("full_name", flat=True))
    found |= set(
        Claim.objects.filter(member=member)
        .exclude(person_name="")
        .values_list("person_name", flat=True)
    )
    found |= set(Payee.objects.filter(claim__member=member).values_list("name", flat=True))
    # One or two letters would scrub unrelated words; such names are replaced field by field.
    return sorted((n.strip() for n in found if len(n.strip()) >= 2), key=len, reverse=True)


def _scrub(text: str, names: list[str], fake: str) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, fake)
    return text


def _scrub_json(value: Any, names: list[str], fake: str) -> Any:
    if isinstance(value, str):
        return _scrub(value, names, fake)
    if isinstance(value, list):
        return [_scrub_json(v, names, fake) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, names, fake) for k, v in value.items()}
    return value


def _tombstone_append(member: Member, when: dt.datetime) -> None:
    """One line per erasure, on disk before the transaction commits: if the commit then
    fails, a later reapply erases someone who asked for it, never the other way round."""
    _tombstone_write(
        json.dumps(
            {"member": str(member.code), "fund": member.fund.code, "erased_at": when.isoformat()},
            sort_keys=True,
        )
    )


def _tombstone_write(line: str) -> None:
    path = tombstone_path()
    new_dir = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    # After a torn last line (power cut mid-write) start a new one, or this line is lost too.
    torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
    with path.open("a", encoding="utf-8") as f:
        f.write(("\n" if torn else "") + line + "\n")
        f.flush()
        os.fsync(f.fileno())
    if new_dir:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Tombstone:
    member: str
    fund: str
    erased_at: str


def tombstones() -> list[Tombstone]:
    path = tombstone_path()
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        # A torn last line (power cut mid-write) is skipped; its erasure never committed.
        try:
            item = json.loads(line)
            found.append(Tombstone(str(item["member"]), str(item["fund"]), str(item["erased_at"])))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def tombstones_merge(found: list[dict[str, Any]]) -> int:
    """Add to the tombstone file the erasures another copy knows of (a backup's own list, or
    the list kept beside the backups on the USB stick) that this one lacks; returns how many.

    A laptop that was stolen or replaced lost its tombstone file with it: without this, an
    older backup restored on the new machine would bring back people erased since."""
    known = {t.member for t in tombstones()}
    added = 0
    for item in found:
        try:
            stone = Tombstone(str(item["member"]), str(item["fund"]), str(item["erased_at"]))
        except (KeyError, TypeError):
            continue
        if stone.member in known:
            continue
        _tombstone_write(
            json.dumps(
                {"member": stone.member, "fund": stone.fund, "erased_at": stone.erased_at},
                sort_keys=True,
            )
        )
        known.add(stone.member)
        added += 1
    return added


@dataclass(frozen=True)
class ReapplyReport:
    """What `reapply_erasures_report()` did: member codes erased again, and those it left
    alone because the restored copy shows them as still needing their data."""

    applied: list[str]
    skipped: list[str]


def reapply_erasures() -> int:
    """Erase again every member the tombstone file lists whom the database (restored from an
    older copy) shows unerased. Returns how many were re-applied; idempotent."""
    return len(reapply_erasures_report().applied)


def reapply_erasures_report() -> ReapplyReport:
    """As `reapply_erasures()`, with the members skipped.

    A member whose row the copy shows unchanged since the erasure is erased again whatever
    its status: the copy is simply older than the erasure (taken while the person was still
    active, before they left and asked), and the person must not come back (P5). A member
    changed after the erasure is erased again only if erasable (left, lapsed, died, expelled,
    turned down) and without an open claim, as a manual erasure would be: wiping an active
    member or one with a claim under way would lose data the fund still needs. Those are
    skipped, logged and reported, for the chair to look at by hand."""
    applied: list[str] = []
    skipped: list[str] = []
    done: set[str] = set()
    for stone in tombstones():
        if stone.member in done:
            continue
        done.add(stone.member)
        with scopes_disabled():
            member = Member.objects.select_related("fund").filter(code=stone.member).first()
        if member is None:  # a copy from before the member was registered
            continue
        with fund_scope(member.fund), transaction.atomic():
            member = Member.objects.select_for_update().get(pk=member.pk)
            if is_pseudonymised(member) and Erasure.objects.filter(member=member).exists():
                continue
            open_claim = Claim.objects.filter(member=member, status__in=OPEN_CLAIM).exists()
            older_copy = _changed_before(member, stone.erased_at)
            if not older_copy and (member.status not in ERASABLE or open_claim):
                logger.warning(
                    "erasure of member %s (fund %s) not re-applied: status %s%s",
                    stone.member,
                    stone.fund,
                    member.status,
                    ", open claim" if open_claim else "",
                )
                skipped.append(stone.member)
                continue
            _erase(
                member,
                actor=None,
                reason=_("Erased on %(date)s; applied again after a restore")
                % {"date": stone.erased_at[:10]},
                action="privacy.member.erasure_reapplied",
                tombstone=False,  # the line that brought us here is still in the file
            )
            applied.append(stone.member)
    return ReapplyReport(applied, skipped)


def _changed_before(member: Member, erased_at: str) -> bool:
    """Whether the member's row was last changed before the erasure (an unreadable time
    counts as not: the stricter rule then applies)."""
    try:
        when = dt.datetime.fromisoformat(erased_at)
    except ValueError:
        return False
    if timezone.is_naive(when):
        return False
    return member.updated_at <= when


def member_erase_expired(*, member: Member, reason: str) -> Erasure | None:
    """The retention job's erasure: no request, no actor; skipped (None) when the member is
    already erased or has a claim still open."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if Erasure.objects.filter(member=member).exists():
            return None
        if Claim.objects.filter(member=member, status__in=OPEN_CLAIM).exists():
            return None
        return _erase(member, actor=None, reason=reason[:300], action="privacy.member.expired")
