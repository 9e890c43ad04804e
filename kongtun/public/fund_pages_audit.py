"""A fund's audit trail as the public sees it: hashes, entry numbers and times, nothing else.

The trail itself (who did what to which record) stays inside the fund. Its hashes are public
so that anyone can write one down today and later ask whether it is still in the trail: if
the fund's history were rewritten, the hash would be gone or no longer linked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from kongtun.audit.models import AuditEntry, AuditHead
from kongtun.audit.services import chain_for
from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.public.fund_pages_common import RECORDS, fund_row, local_day_end, subject_of
from kongtun.public.specs import AUDIT, FUND
from kongtun.public.tables import Page, Table

HASH = re.compile(r"[0-9a-f]{64}")


def audit_head(*, fund: Fund, on: dt.date) -> Table:
    """Table "audit_head": the fund's latest entry recorded by the end of `on` (Thai time).

    The caller holds the fund's scope. Read backwards along the (chain, seq) index: one row.
    """
    latest = (
        AuditEntry.objects.filter(chain=chain_for(fund), at__lt=local_day_end(on))
        .order_by("-seq")
        .values("seq", "hash", "at")
        .first()
    )
    rows = []
    if latest is not None:
        # Thai time, so that the data's "+07:00" reads as the date the page shows
        rows.append({**latest, "at": timezone.localtime(latest["at"])})
    return FUND.table_spec("audit_head").table(rows)


def _audit_days(fund: Fund, on: dt.date) -> list[dict[str, Any]]:
    """The last entry of each day the fund recorded anything, newest first.

    Entries get their numbers and times under the chain's lock, so the day's last entry is
    its highest number. One query: the day's highest number is found by the database.
    """
    chain = chain_for(fund)
    zone = ZoneInfo(settings.TIME_ZONE)
    in_chain = AuditEntry.objects.filter(chain=chain, at__lt=local_day_end(on))
    last_of_each_day = (
        in_chain.annotate(day=TruncDate("at", tzinfo=zone))
        .values("day")
        .annotate(last=Max("seq"))
        .values("last")
    )
    rows = (
        in_chain.filter(seq__in=Subquery(last_of_each_day))
        .order_by("-seq")
        .values_list("seq", "hash", "at")
    )
    return [{"date": at.astimezone(zone).date(), "seq": seq, "hash": h} for seq, h, at in rows]


def audit_page(*, fund: Fund, today: dt.date) -> Page:
    """The audit trail's public page: its latest entry and its last entry of every day."""
    with fund_scope(fund):
        head = audit_head(fund=fund, on=today)
        days = _audit_days(fund, today)
    return Page(
        AUDIT,
        subject_of(fund),
        as_of=today,
        fiscal_year=None,
        tables={
            "fund": fund_row(
                fund=fund, fiscal_year=government_year_of(today), as_of=today, source=RECORDS
            ),
            "audit_head": head,
            "audit_days": AUDIT.table_spec("audit_days").table(days),
        },
        source=RECORDS,
    )


@dataclass(frozen=True)
class HashCheck:
    """The answer to "is this hash in the fund's trail?"."""

    entered: str
    valid: bool
    found: bool = False
    seq: int | None = None
    at: dt.datetime | None = None
    # Its content still gives its hash, and the next entry (or the chain's head) links to it.
    in_chain: bool = False
    latest: bool = False


def hash_check(*, fund: Fund, entered: str) -> HashCheck:
    """Look a written-down hash up in the fund's chain.

    Two lookups on the chain's indexes: the entry with that hash, then the entry after it,
    which must link to it. Only the chain's last entry, which nothing links to yet, is held
    against the chain's head instead.
    """
    text = entered.strip().lower()
    if not HASH.fullmatch(text):
        return HashCheck(entered, valid=False)
    chain = chain_for(fund)
    with fund_scope(fund):
        found = AuditEntry.objects.filter(chain=chain, hash=text).order_by("seq").first()
        if found is None:
            return HashCheck(entered, valid=True)
        after = AuditEntry.objects.filter(chain=chain, seq=found.seq + 1).first()
    intact = found.compute_hash() == text
    linked = after is not None and after.prev_hash == text
    latest = False
    if not linked:
        head = AuditHead.objects.filter(chain=chain).values_list("seq", "hash").first()
        latest = head == (found.seq, text)
    return HashCheck(
        entered,
        valid=True,
        found=True,
        seq=found.seq,
        at=timezone.localtime(found.at),
        in_chain=intact and (linked or latest),
        latest=latest,
    )
