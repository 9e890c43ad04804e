"""Regulations as versioned rules, claims from intake to payment, and committee meetings.

A `Regulation` is one version of the fund's regulation: its text and its `Benefit` rules,
edited while a draft and frozen once adopted with an effective date. A claim is assessed under
the version in effect on the day of its event and keeps that version and the decision with
every reason, so a later version never changes a decision already made.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kongtun.funds.models import CommitteeMember, Fund, fund_scoped_manager
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.lib.fields import MoneyField, OptionalMoneyField
from kongtun.members.models import Beneficiary, Member
from kongtun.welfare.rules import Basis, Outcome, Recipient, WaitFrom


class Regulation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(pgettext_lazy("regulation", "title"), max_length=300)
    text = models.TextField(_("text of the regulation"), blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # How much the fund may give to non-members in need each fiscal year (None: no limit set).
    non_member_budget = OptionalMoneyField(
        _("yearly budget for non-members in need (baht)"), null=True, blank=True
    )
    adopted_resolution = models.CharField(_("adopted by resolution"), max_length=100, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Regulation]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-version"]
        verbose_name = _("regulation")
        constraints = [
            models.UniqueConstraint(fields=["fund", "version"], name="regulation_version_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="adopted") | models.Q(effective_from__isnull=False),
                name="regulation_adopted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


# Who a benefit is for, in the words every page, paper and explanation uses.
RECIPIENT_LABELS = {
    Recipient.MEMBER: _("the member"),
    Recipient.CHILD: _("a member's child"),
    Recipient.BENEFICIARY: _("the member's beneficiaries"),
    Recipient.NON_MEMBER: _("a non-member in need"),
}

CODI_CATEGORIES = [(key, en) for key, _th, en in WELFARE_CATEGORIES]


class Benefit(models.Model):
    """One benefit's rules in one regulation version; `key` names it across versions."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="benefits")
    key = models.SlugField(_("short code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("CODI category"), max_length=20, choices=CODI_CATEGORIES)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    for_member = models.BooleanField(_("the member"), default=True)
    for_child = models.BooleanField(_("a member's child"), default=False)
    for_beneficiary = models.BooleanField(_("a member's beneficiaries"), default=False)
    for_non_member = models.BooleanField(_("a non-member in need"), default=False)
    waiting_days = models.PositiveIntegerField(_("waiting period (days)"), default=0)
    wait_from = models.CharField(
        _("waiting counted from"),
        max_length=20,
        choices=[
            (WaitFrom.JOINED, _("becoming a member")),
            (WaitFrom.FIRST_CONTRIBUTION, _("first contribution")),
        ],
        default=WaitFrom.JOINED,
    )
    min_membership_years = models.PositiveSmallIntegerField(
        _("at least this many years a member"), null=True, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    basis = models.CharField(
        _("amount"),
        max_length=20,
        choices=[
            (Basis.FIXED, _("a fixed amount")),
            (Basis.PER_NIGHT, _("so much a night")),
            (Basis.ACTUAL, _("the actual cost, up to the caps")),
            (Basis.BY_MEMBERSHIP, _("a table by years of membership")),
            (Basis.BY_AGE, _("a table by age")),
        ],
        default=Basis.FIXED,
    )
    amount = MoneyField(_("amount or rate a night (baht)"), default=Decimal("0.00"))
    step_amount = MoneyField(
        _("added for each year beyond the last row of the table (baht)"), default=Decimal("0.00")
    )
    per_event_cap = OptionalMoneyField(_("at most per event (baht)"), null=True, blank=True)
    max_nights_per_event = models.PositiveSmallIntegerField(
        _("at most nights per event"), null=True, blank=True
    )
    max_nights_per_year = models.PositiveSmallIntegerField(
        _("at most nights per year"), null=True, blank=True
    )
    per_year_cap = OptionalMoneyField(_("at most per year (baht)"), null=True, blank=True)
    times_per_year = models.PositiveSmallIntegerField(
        _("at most times per year"), null=True, blank=True
    )
    lifetime_cap = OptionalMoneyField(_("at most in a lifetime (baht)"), null=True, blank=True)
    once_only = models.BooleanField(_("once only"), default=False)
    max_arrears_months = models.PositiveSmallIntegerField(
        _("dues: at most months behind (0 = must be fully paid up)"), null=True, blank=True
    )
    filing_days = models.PositiveSmallIntegerField(
        _("claim within days of the event"), null=True, blank=True
    )
    requires_no_prior_claims = models.BooleanField(
        _("only for members who never received a benefit"), default=False
    )
    deduct_arrears = models.BooleanField(_("deduct unpaid dues from the payout"), default=False)
    documents = models.TextField(_("documents required (one a line)"), blank=True)
    conditions = models.TextField(_("other conditions the committee checks"), blank=True)

    objects: ClassVar[models.Manager[Benefit]] = fund_scoped_manager()

    class Meta:
        ordering = ["regulation", "position", "pk"]
        verbose_name = _("benefit")
        constraints = [
            models.UniqueConstraint(fields=["regulation", "key"], name="benefit_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def recipients(self) -> frozenset[str]:
        flags = (
            (self.for_member, Recipient.MEMBER),
            (self.for_child, Recipient.CHILD),
            (self.for_beneficiary, Recipient.BENEFICIARY),
            (self.for_non_member, Recipient.NON_MEMBER),
        )
        return frozenset(str(r) for on, r in flags if on)

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class Tier(models.Model):
    """A row of a benefit's table: from so many whole years (of membership or age), so much."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="tiers")
    from_years = models.PositiveSmallIntegerField(_("from years"))
    amount = MoneyField(_("amount (baht)"))

    objects: ClassVar[models.Manager[Tier]] = fund_scoped_manager()

    class Meta:
        ordering = ["benefit", "from_years"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "from_years"], name="tier_years_unique"),
        ]


class Meeting(models.Model):
    """A committee meeting that decides claims; its agenda is the claims waiting for it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Minutes closed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("meeting number"), max_length=30)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True)

    objects: ClassVar[models.Manager[Meeting]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-date", "-number"]
        verbose_name = _("committee meeting")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="meeting_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class Attendance(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[Attendance]] = fund_scoped_manager()

    class Meta:
        ordering = ["meeting", "seat__position", "seat__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="attendance_once"),
        ]


class Claim(models.Model):
    class Status(models.TextChoices):
        FILED = "filed", _("Waiting for the committee")
        APPROVED = "approved", _("Approved, waiting for payment")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", pgettext_lazy("claim", "Paid")
        WITHDRAWN = "withdrawn", pgettext_lazy("claim", "Withdrawn")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("claim number"), max_length=30)
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="claims")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="claims")
    key = models.SlugField(max_length=40)  # the benefit's key, to count uses across versions
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    recipient = models.CharField(
        _("for whom"),
        max_length=20,
        choices=list(RECIPIENT_LABELS.items()),
    )
    person_name = models.CharField(_("name of the person"), max_length=200, blank=True)
    person_birth_date = models.DateField(_("their date of birth"), null=True, blank=True)
    person_address = models.CharField(_("their address"), max_length=300, blank=True)
    event_date = models.DateField(_("date of the event"))
    fiscal_year = models.PositiveIntegerField()  # the fund's (BE) year of the event: yearly caps
    filed_on = models.DateField(_("filed on"))
    nights = models.PositiveSmallIntegerField(_("nights in hospital"), null=True, blank=True)
    nights_paid = models.PositiveSmallIntegerField(null=True, blank=True)
    claimed = OptionalMoneyField(_("amount claimed (baht)"), null=True, blank=True)
    details = models.TextField(_("what happened"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FILED)

    # The decision of the rules when the claim was filed, with every reason.
    outcome = models.CharField(max_length=20, choices=[(o.value, o.value) for o in Outcome])
    assessed_amount = MoneyField(default=Decimal("0.00"))
    full_amount = MoneyField(default=Decimal("0.00"))
    reasons = models.JSONField(default=list)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)

    # The committee's resolution.
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    resolution = models.CharField(_("resolution number"), max_length=50, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    approved_amount = OptionalMoneyField(_("amount approved (baht)"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    # The payment.
    voucher = models.OneToOneField(
        "ledger.Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="claim"
    )
    deducted_receipt = models.OneToOneField(
        "contributions.Receipt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim",
    )
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=500, blank=True)

    objects: ClassVar[models.Manager[Claim]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-filed_on", "-number"]
        verbose_name = _("claim")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="claim_number_unique"),
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="claim_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(recipient="non_member") | models.Q(member__isnull=False),
                name="claim_member_unless_non_member",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "status"]),
            models.Index(fields=["member", "key", "fiscal_year"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.FILED, self.Status.APPROVED)

    @property
    def amount_due(self) -> Decimal:
        """What is (or was) paid: the approved amount once decided, else the assessed one."""
        return self.approved_amount if self.approved_amount is not None else self.assessed_amount


class Payee(models.Model):
    """Who receives a paid claim's money, and their acknowledgment of it: the member, the
    person the claim is for, or each beneficiary by their share of a death benefit."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payees")
    name = models.CharField(_("name"), max_length=200)
    beneficiary = models.ForeignKey(
        Beneficiary, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("100"))
    amount = MoneyField()
    acknowledged_on = models.DateField(_("received on"), null=True, blank=True)
    acknowledged_how = models.CharField(_("how it was acknowledged"), max_length=200, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[Payee]] = fund_scoped_manager()

    class Meta:
        ordering = ["claim", "pk"]


class Document(models.Model):
    """Evidence for a claim, kept outside the web root and served only to permitted users."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    label = models.CharField(_("which document"), max_length=200, blank=True)
    stored_name = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Document]] = fund_scoped_manager()

    class Meta:
        ordering = ["claim", "uploaded_at"]
