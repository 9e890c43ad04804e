"""An append-only, hash-chained record of every change to fund data.

Each fund has its own chain (and the system one for changes outside any fund), so funds never
wait on each other to write. Entry n stores the hash of entry n−1; editing, deleting or
reordering any entry breaks the chain, and `manage.py verify_audit` says where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    *,
    prev_hash: str,
    chain: str,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    data: str,
) -> str:
    body = canonical_json(
        {
            "chain": chain,
            "seq": seq,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class AuditEntry(models.Model):
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    fund = models.ForeignKey(Fund, null=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80)
    # Canonical JSON text of {"before": …, "after": …, …}, hashed exactly as stored.
    data = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[AuditEntry]] = fund_scoped_manager()

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = _("audit entry")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["fund", "object_type", "object_id"]),
            # the public page's "check a hash you wrote down"
            models.Index(fields=["chain", "hash"], name="audit_chain_hash"),
        ]

    @property
    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded

    def compute_hash(self) -> str:
        return entry_hash(
            prev_hash=self.prev_hash,
            chain=self.chain,
            seq=self.seq,
            at=self.at,
            actor_id=self.actor_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            data=self.data,
        )


class AuditHead(models.Model):
    """The last entry of each chain, locked while appending so entries get gapless numbers."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class MemberView(models.Model):
    """Who saw which member's personal data, when, on which page: for a breach notice (PDPA
    §37(4)), which must say whose data was exposed to whom.

    Rows are never edited (a database trigger refuses UPDATE); they are deleted only by the
    retention job when they are old enough, so unlike AuditEntry deleting is allowed."""

    class What(models.TextChoices):
        """The page that showed the data. The report shows the label; the CSV keeps the code
        too, so a breach notice can be matched to the pages whatever the language."""

        DETAIL = "detail", _("Member page")
        EDIT = "edit", _("Member edit form")
        REVEAL_ID = "reveal_id", _("Full national ID")
        CARD = "card", _("Member card")
        SEARCH_ID = "search_id", _("Search by national ID")
        EXPORT = "export", _("Personal data export")
        CONTRIBUTIONS = "contributions", _("Member's contributions")
        PLAN = "plan", _("Member's contribution plan")
        PASSBOOK = "passbook", _("Passbook")
        PASSBOOK_PDF = "passbook_pdf", _("Passbook (PDF)")
        RECEIPT = "receipt", _("Receipt")
        RECEIPT_PDF = "receipt_pdf", _("Receipt (PDF)")
        COLLECT_PAY = "collect_pay", _("Payment on collection day")
        DESK_PAY = "desk_pay", _("Payment at the office")
        CLAIM = "claim", _("Welfare claim")
        CLAIM_DOCUMENT = "claim_document", _("Claim document")
        CLAIM_PAY = "claim_pay", _("Claim payment")
        CLAIM_SLIP = "claim_slip", _("Claim payment slip")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), db_index=True)
    what = models.CharField(_("what"), max_length=20, choices=What.choices)
    path = models.CharField(max_length=300)

    objects: ClassVar[models.Manager[MemberView]] = fund_scoped_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("member view")
        indexes = [
            models.Index(fields=["fund", "at"], name="audit_memberview_fund_at"),
            models.Index(fields=["fund", "member", "at"], name="audit_memberview_member_at"),
        ]
