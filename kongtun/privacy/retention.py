"""The retention job (PDPA §37(3)): remove what the record of processing says is kept no longer.

- an application never approved (applicant or turned down) for a year: pseudonymised, a
  pending one first turned down;
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

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from kongtun.audit.models import MemberView
from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.members.models import Event, Member, Status
from kongtun.members.services import member_change_status
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
    # Reasons are kept in the fund's language (Thai), not the language of whoever runs the job.
    with translation.override(settings.LANGUAGE_CODE):
        for member in applicants:
            _applicant_expire(member, today)
        ended = _("Retention: membership ended ten years ago")
        for member in finished:
            member_erase_expired(member=member, reason=ended)
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


def _applicant_expire(member: Member, today: dt.date) -> None:
    """An application left undecided for a year is first turned down, as the committee would,
    then pseudonymised: erasure is for people no longer in the fund's business, never for a
    pending application, and the history says why it ended."""
    with transaction.atomic():
        if member.status == Status.APPLICANT:
            member = member_change_status(
                member=member,
                actor=None,
                event=Event.REJECTED,
                effective_on=max(min(today, timezone.localdate()), member.status_since),
                note=_("Retention: the application was not decided within a year"),
            )
        member_erase_expired(
            member=member, reason=_("Retention: application not approved within a year")
        )


def access_log_model() -> tuple[type[models.Model], str]:
    """The "who viewed which member" log and its date-time field."""
    return MemberView, "at"


def _access_log_purge(today: dt.date, dry_run: bool) -> int:
    model, when = access_log_model()
    cutoff = today - dt.timedelta(days=ropa.ACCESS_LOG_DAYS)
    with scopes_disabled():
        old = model._default_manager.filter(**{f"{when}__date__lte": cutoff})
        count = old.count()
        if not dry_run and count:
            old.delete()
    return count
