"""The retention job (PDPA §37(3)): remove what the record of processing says is kept no longer.

- an application never approved (applicant or turned down) for a year: pseudonymised;
- a member who resigned, died or was expelled ten years ago: pseudonymised;
- evidence files of a claim closed five years ago: deleted (the claim and its payment stay);
- "who viewed which member" rows older than two years: deleted.

Money is never touched: pseudonymising keeps every receipt, entry and claim amount. Run daily
(`manage.py retention`); `--dry-run` only counts. Idempotency keys live on the receipts and
entries themselves (append-only rows), not in a table of their own, so there is nothing to purge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.members.models import Member, Status
from kongtun.privacy import ropa
from kongtun.privacy.erasure import OPEN_CLAIM, member_erase_expired
from kongtun.privacy.models import Erasure
from kongtun.welfare.models import Claim, Document
from kongtun.welfare.services import document_path

NOT_APPROVED = (Status.APPLICANT, Status.REJECTED)
FINISHED = (Status.RESIGNED, Status.DECEASED, Status.EXPELLED)


@dataclass
class RetentionResult:
    dry_run: bool
    applicants: int = 0
    finished_members: int = 0
    documents: int = 0
    access_log_rows: int = 0
    funds: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.applicants + self.finished_members + self.documents + self.access_log_rows


def retention_run(*, today: dt.date | None = None, dry_run: bool = False) -> RetentionResult:
    today = today or timezone.localdate()
    result = RetentionResult(dry_run=dry_run)
    with scopes_disabled():
        funds = list(Fund.objects.order_by("pk"))
    for fund in funds:
        with fund_scope(fund):
            counts = _fund_run(fund, today, dry_run)
        if any(counts.values()):
            result.funds.append(fund.code)
        result.applicants += counts["applicants"]
        result.finished_members += counts["finished_members"]
        result.documents += counts["documents"]
    result.access_log_rows = _access_log_purge(today, dry_run)
    return result


def expired_applicants(fund: Fund, today: dt.date) -> models.QuerySet[Member]:
    cutoff = today - dt.timedelta(days=ropa.APPLICANT_DAYS)
    return _not_erased(fund).filter(status__in=NOT_APPROVED, status_since__lte=cutoff)


def expired_members(fund: Fund, today: dt.date) -> models.QuerySet[Member]:
    cutoff = today - dt.timedelta(days=ropa.FINISHED_MEMBER_DAYS)
    return _not_erased(fund).filter(status__in=FINISHED, status_since__lte=cutoff)


def _not_erased(fund: Fund) -> models.QuerySet[Member]:
    erased = Erasure.objects.filter(fund=fund).values("member_id")
    return (
        Member.objects.filter(fund=fund)
        .exclude(pk__in=erased)
        .exclude(claims__status__in=OPEN_CLAIM)
        .distinct()
    )


def expired_documents(fund: Fund, today: dt.date) -> models.QuerySet[Document]:
    """Evidence of claims closed (paid, rejected, withdrawn) more than five years ago. A
    withdrawn claim has no closing date of its own: its filing date counts."""
    cutoff = today - dt.timedelta(days=ropa.EVIDENCE_DAYS)
    closed = (
        Q(claim__status=Claim.Status.PAID, claim__paid_on__lte=cutoff)
        | Q(claim__status=Claim.Status.REJECTED, claim__decided_at__date__lte=cutoff)
        | Q(claim__status=Claim.Status.WITHDRAWN, claim__filed_on__lte=cutoff)
    )
    return Document.objects.filter(fund=fund).filter(closed)


def _fund_run(fund: Fund, today: dt.date, dry_run: bool) -> dict[str, int]:
    applicants = list(expired_applicants(fund, today))
    finished = list(expired_members(fund, today))
    documents = list(expired_documents(fund, today))
    counts = {
        "applicants": len(applicants),
        "finished_members": len(finished),
        "documents": len(documents),
    }
    if dry_run or not any(counts.values()):
        return counts
    for member in applicants:
        member_erase_expired(member=member, reason="retention: application not approved (1 year)")
    for member in finished:
        member_erase_expired(member=member, reason="retention: membership ended (10 years)")
    with transaction.atomic():
        for document in documents:
            document.delete()
        audit_log(
            fund=fund,
            actor=None,
            changes=[Change("privacy.retention.run", "funds.fund", str(fund.pk), after=counts)],
        )
    # Files go once their rows are gone for good; a crash in between leaves an orphan file
    # that the next erasure or a manual sweep removes, never a row naming a missing file.
    for document in documents:
        document_path(document).unlink(missing_ok=True)
    return counts


def access_log_model() -> tuple[type[models.Model], str] | None:
    """The "who viewed which member" log, if installed: the audit app's model linked to a
    member, and its first date-time field."""
    member = apps.get_model("members", "Member")
    try:
        candidates = apps.get_app_config("audit").get_models()
    except LookupError:
        return None
    for model in candidates:
        fields = model._meta.concrete_fields
        if any(f.is_relation and f.related_model is member for f in fields):
            when = [f.name for f in fields if isinstance(f, models.DateTimeField)]
            if when:
                return model, when[0]
    return None


def _access_log_purge(today: dt.date, dry_run: bool) -> int:
    found = access_log_model()
    if found is None:
        return 0
    model, when = found
    cutoff = today - dt.timedelta(days=ropa.ACCESS_LOG_DAYS)
    with scopes_disabled():
        old = model._default_manager.filter(**{f"{when}__date__lte": cutoff})
        count = old.count()
        if not dry_run and count:
            old.delete()
    return count
