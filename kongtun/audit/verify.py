"""Check every audit chain: numbering, links, hashes, and the recorded head."""

from __future__ import annotations

from dataclasses import dataclass

from django_scopes import scopes_disabled

from kongtun.audit.models import GENESIS, AuditEntry, AuditHead


@dataclass(frozen=True)
class Problem:
    chain: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.chain} #{self.seq}" if self.seq is not None else self.chain
        return f"{where}: {self.message}"


def verify_audit() -> list[Problem]:
    problems: list[Problem] = []
    with scopes_disabled():
        heads = {h.chain: h for h in AuditHead.objects.all()}
        chains = set(AuditEntry.objects.values_list("chain", flat=True).distinct()) | set(heads)
        for chain in sorted(chains):
            problems.extend(_verify_chain(chain, heads.get(chain)))
    return problems


def _verify_chain(chain: str, head: AuditHead | None) -> list[Problem]:
    problems: list[Problem] = []
    expected_seq, prev = 1, GENESIS
    entries = AuditEntry.objects.filter(chain=chain).order_by("seq", "pk").iterator(chunk_size=2000)
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                Problem(chain, entry.seq, f"expected entry #{expected_seq}: entries missing")
            )
        if entry.prev_hash != prev:
            problems.append(Problem(chain, entry.seq, "does not link to the entry before it"))
        if entry.compute_hash() != entry.hash:
            problems.append(Problem(chain, entry.seq, "content changed after it was written"))
        expected_seq, prev = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head is None:
        problems.append(Problem(chain, None, "chain head is missing"))
    elif head.seq != last_seq or head.hash != prev:
        problems.append(
            Problem(chain, None, f"head says #{head.seq} but the chain ends at #{last_seq}")
        )
    return problems
