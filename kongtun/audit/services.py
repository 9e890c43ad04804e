"""Append to the audit trail. Call inside the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry, AuditHead, canonical_json, entry_hash
from kongtun.funds.models import Fund

SYSTEM_CHAIN = "system"


@dataclass(frozen=True)
class Change:
    """One change to record: what happened to which object, with its state before and after."""

    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        action: str,
        obj: models.Model,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Change:
        return cls(action, obj._meta.label_lower, str(obj.pk), before, after, extra)


def chain_for(fund: Fund | None) -> str:
    return f"fund:{fund.pk}" if fund is not None else SYSTEM_CHAIN


def audit_log(*, fund: Fund | None, actor: Any, changes: Sequence[Change]) -> list[AuditEntry]:
    """Append changes to the fund's chain (or the system chain) in order; return the entries."""
    if not changes:
        return []
    chain = chain_for(fund)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    # No savepoint: callers log inside their own transaction, and a failure here must undo
    # the change it records anyway, so the whole transaction goes.
    with transaction.atomic(savepoint=False), scopes_disabled():
        # The chain head is the one row every writer of this chain must lock, so entries get
        # consecutive numbers even under concurrent writers (SQLite serialises writers anyway).
        # It exists after a chain's first entry: one locking read, and creation only then.
        # By primary key and unsliced: at most one row, so no ORDER BY/LIMIT for first() to add.
        found = list(AuditHead.objects.select_for_update().filter(pk=chain))
        if not found:
            AuditHead.objects.get_or_create(chain=chain)
            found = [AuditHead.objects.select_for_update().get(chain=chain)]
        head = found[0]
        now = timezone.now()  # read under the lock, so times never go backwards along the chain
        entries = []
        seq, prev = head.seq, head.hash
        for change in changes:
            seq += 1
            payload: dict[str, Any] = {"before": change.before, "after": change.after}
            payload.update(change.extra)
            data = canonical_json(payload)
            digest = entry_hash(
                prev_hash=prev,
                chain=chain,
                seq=seq,
                at=now,
                actor_id=actor_id,
                action=change.action,
                object_type=change.object_type,
                object_id=change.object_id,
                data=data,
            )
            entries.append(
                AuditEntry(
                    chain=chain,
                    seq=seq,
                    fund=fund,
                    actor_id=actor_id,
                    at=now,
                    action=change.action,
                    object_type=change.object_type,
                    object_id=change.object_id,
                    data=data,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        AuditHead.objects.filter(pk=chain).update(seq=seq, hash=prev)
    return entries
