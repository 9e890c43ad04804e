"""Everything the fund holds about one member, for the member (PDPA §30 access, §31 portability).

`member_export_data` reads; `member_export` records who exported it and returns the file. The
national ID is given in full here only: the member asked for their own data. JSON for machines,
and one CSV of (section, item, field, value) lines that opens in a spreadsheet for a person.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.models import AuditEntry
from kongtun.audit.services import Change, audit_log
from kongtun.contributions.models import PastPayment, Receipt
from kongtun.ledger.models import Voucher
from kongtun.lib import crypto
from kongtun.lib.text import safe_text
from kongtun.members.models import Member
from kongtun.privacy.erasure import is_pseudonymised
from kongtun.welfare.models import Claim, Document, Payee

Value = str | int | None


@dataclass
class Section:
    key: str
    title: str
    items: list[dict[str, Value]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> Value:
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _rows(
    queryset: Any, names: list[str], extra: dict[str, Any] | None = None
) -> tuple[list[dict[str, Value]], dict[str, str]]:
    """Each object's fields by name, choice fields as their label; and the fields' labels."""
    model: type[models.Model] = queryset.model
    labels = {n: str(getattr(model._meta.get_field(n), "verbose_name", n)) for n in names}
    items = []
    for obj in queryset:
        row: dict[str, Value] = {}
        for name in names:
            display = getattr(obj, f"get_{name}_display", None)
            row[name] = _text(display() if callable(display) else getattr(obj, name))
        for key, fn in (extra or {}).items():
            row[key] = _text(fn(obj))
        items.append(row)
    return items, labels


def member_export_data(member: Member) -> list[Section]:
    sections: list[Section] = []

    def add(key: str, title: str, items: list[dict[str, Value]], labels: dict[str, str]) -> None:
        sections.append(Section(key, title, items, labels))

    national_id = crypto.decrypt(member.national_id_encrypted) or ""
    names = [
        "number", "title", "first_name", "last_name", "birth_date", "phone", "house_no", "moo",
        "street", "tambon", "branch", "member_type", "joined_on", "status", "status_since",
    ]  # fmt: skip
    items, labels = _rows(Member.objects.filter(pk=member.pk), names)
    items[0]["national_id"] = national_id
    labels["national_id"] = _("National ID")
    add("member", _("Member register"), items, labels)

    items, labels = _rows(
        member.beneficiaries.all(),
        ["full_name", "relationship", "share_percent"],
        {
            "national_id": lambda b: (
                crypto.decrypt(b.national_id_encrypted) if b.national_id_encrypted else ""
            )
        },
    )
    labels["national_id"] = _("National ID")
    add("beneficiaries", _("Beneficiaries"), items, labels)

    items, labels = _rows(member.consents.all(), ["purpose", "channel", "given_on", "withdrawn_on"])
    add("consents", _("Consents"), items, labels)

    items, labels = _rows(
        member.history.all(), ["event", "from_status", "to_status", "effective_on", "note"]
    )
    add("status_history", _("Status history"), items, labels)

    receipts = Receipt.objects.filter(member=member).order_by("date", "pk")
    items, labels = _rows(
        receipts,
        ["date", "contribution", "fee", "total", "paid_through", "void_reason"],
        {"number": lambda r: r.number, "void": lambda r: "1" if r.is_void else ""},
    )
    labels.update({"number": _("Receipt number"), "void": _("Voided")})
    add("receipts", _("Receipts"), items, labels)

    items, labels = _rows(
        PastPayment.objects.filter(member=member).order_by("date", "pk"),
        ["date", "amount", "reference"],
    )
    add("past_payments", _("Payments before Kongtun"), items, labels)

    claims = Claim.objects.filter(member=member).select_related("benefit").order_by("filed_on")
    items, labels = _rows(
        claims,
        [
            "number", "recipient", "person_name", "person_birth_date", "person_address",
            "event_date", "filed_on", "nights", "claimed", "details", "status",
            "approved_amount", "resolution", "decision_note", "paid_on", "withdrawn_reason",
        ],
        {"benefit": lambda c: c.benefit.name, "amount_due": lambda c: c.amount_due},
    )  # fmt: skip
    labels.update({"benefit": _("Benefit"), "amount_due": _("Amount (baht)")})
    add("claims", _("Welfare claims"), items, labels)

    items, labels = _rows(
        Payee.objects.filter(claim__member=member).select_related("claim").order_by("pk"),
        ["name", "share_percent", "amount", "acknowledged_on", "acknowledged_how"],
        {"claim": lambda p: p.claim.number},
    )
    labels["claim"] = _("claim number")
    add("payees", _("Payments of claims"), items, labels)

    items, labels = _rows(
        Document.objects.filter(claim__member=member).select_related("claim").order_by("pk"),
        ["label", "original_name", "content_type", "size", "uploaded_at"],
        {"claim": lambda d: d.claim.number},
    )
    labels["claim"] = _("claim number")
    add("documents", _("Evidence files (names only)"), items, labels)

    items, labels = _rows(
        Voucher.objects.filter(member=member).order_by("date", "pk"),
        ["number", "date", "party", "description", "status"],
        {"total": lambda v: v.total},
    )
    labels["total"] = _("Amount (baht)")
    add("vouchers", _("Payment vouchers"), items, labels)

    items, labels = _rows(_audit_about(member).order_by("at", "seq"), ["at", "action", "data"])
    if is_pseudonymised(member):
        # The trail itself cannot be rewritten (hash chain); what leaves it need not carry
        # the erased person's details.
        for item in items:
            item["data"] = json.dumps(
                _redact(json.loads(str(item["data"]))), ensure_ascii=False, sort_keys=True
            )
    add("audit", _("Audit trail about the member"), items, labels)
    return sections


# Keys of audit data that name or describe a person (see the services' snapshots).
PERSONAL_KEYS = frozenset(
    {
        "title", "first_name", "last_name", "full_name", "name", "national_id", "birth_date",
        "phone", "house_no", "street", "person_name", "person_address", "person_birth_date",
        "details", "payees", "party", "note", "decision_note", "withdrawn_reason", "reason",
    }
)  # fmt: skip


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "—" if k in PERSONAL_KEYS else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _audit_about(member: Member) -> models.QuerySet[AuditEntry]:
    """Audit entries about the member and their beneficiaries, consents, claims, receipts."""
    objects = [
        ("members.member", [member.pk]),
        ("members.beneficiary", list(member.beneficiaries.values_list("pk", flat=True))),
        ("members.consent", list(member.consents.values_list("pk", flat=True))),
        ("welfare.claim", list(Claim.objects.filter(member=member).values_list("pk", flat=True))),
        (
            "contributions.receipt",
            list(Receipt.objects.filter(member=member).values_list("pk", flat=True)),
        ),
    ]
    about = Q(pk__in=[])
    for object_type, pks in objects:
        if pks:
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in pks])
    return AuditEntry.objects.filter(fund=member.fund).filter(about)


def as_json(member: Member, sections: list[Section]) -> bytes:
    body = {
        "fund": member.fund.name,
        "member": str(member.code),
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        **{s.key: s.items for s in sections},
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def as_csv(sections: list[Section]) -> bytes:
    """One line per value, so any spreadsheet opens it; the BOM makes Excel read Thai as UTF-8.
    Every text cell is made formula-safe: a name typed as "=…" stays text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Section"), _("Item"), _("Field"), _("Value")])
    for section in sections:
        for number, item in enumerate(section.items, start=1):
            for key, value in item.items():
                cell = "" if value is None else str(value)
                writer.writerow(
                    [
                        safe_text(section.title),
                        number,
                        safe_text(section.labels.get(key, key)),
                        cell if isinstance(value, int) else safe_text(cell),
                    ]
                )
    return ("\ufeff" + out.getvalue()).encode()


FORMATS = ("json", "csv")


def member_export(*, member: Member, actor: Any, fmt: str, request: HttpRequest | None) -> bytes:
    """The member's data as a file; the export is written to the audit trail (who, when, which
    format) and to the access log, in the same transaction as the read."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    with transaction.atomic():
        sections = member_export_data(member)
        audit_log(
            fund=member.fund,
            actor=actor,
            changes=[Change.of("privacy.member.exported", member, format=fmt)],
        )
        if request is not None:
            _record_view(request, member)
    return as_json(member, sections) if fmt == "json" else as_csv(sections)


def _record_view(request: HttpRequest, member: Member) -> None:
    try:  # the access log arrives with another change; until then the audit entry suffices
        from kongtun.audit.access import record_member_view  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    record_member_view(request=request, member=member, what="export")
