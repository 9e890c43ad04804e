"""Members' contributions: plans, each member's schedule and standing, receipts, collection
sessions, opening history, co-funders' money and the matching terms of each fiscal year."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.contributions.schedule import LapseRule
from kongtun.funds.models import Branch, Fund, fund_scoped_manager
from kongtun.ledger.models import Account, JournalEntry
from kongtun.lib.fields import MoneyField
from kongtun.members.models import Member


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class Plan(models.Model):
    """A way of paying the fund offers: so much per day, month or year, and an entry fee."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("paid"), max_length=10, choices=Frequency.choices)
    amount = MoneyField(_("amount per period (baht)"))
    entry_fee = MoneyField(_("entry fee (baht)"), default=Decimal("0.00"))
    is_active = models.BooleanField(_("offered to members"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Plan]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "pk"]
        verbose_name = _("contribution plan")
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="plan_name_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_amount_positive"),
            models.CheckConstraint(condition=models.Q(entry_fee__gte=0), name="plan_fee_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Terms(models.Model):
    """A fund's contribution rules: the plan new members get, when members lapse, and how a
    lapsed member comes back."""

    class LapseUnit(models.TextChoices):
        MONTHS = "months", _("months")
        DAYS = "days", _("days")

    class Reinstatement(models.TextChoices):
        PAY_ARREARS = "pay_arrears", _("Pay all arrears; membership continues unbroken")
        REJOIN = "rejoin", _("Arrears waived; membership starts again from the reinstatement date")

    fund = models.OneToOneField(Fund, on_delete=models.PROTECT, primary_key=True, related_name="+")
    default_plan = models.ForeignKey(
        Plan, verbose_name=_("plan for new members"), on_delete=models.PROTECT, related_name="+"
    )
    lapse_after = models.PositiveSmallIntegerField(
        _("lapse after (0 = never)"), default=3, help_text=_("whole periods without payment")
    )
    lapse_unit = models.CharField(
        _("counted in"), max_length=10, choices=LapseUnit.choices, default=LapseUnit.MONTHS
    )
    reinstatement = models.CharField(
        _("reinstatement"),
        max_length=20,
        choices=Reinstatement.choices,
        default=Reinstatement.PAY_ARREARS,
    )
    reinstatement_fee = MoneyField(_("reinstatement fee (baht)"), default=Decimal("0.00"))

    objects: ClassVar[models.Manager[Terms]] = fund_scoped_manager()

    class Meta:
        verbose_name = _("contribution terms")

    @property
    def lapse_rule(self) -> LapseRule | None:
        return LapseRule(self.lapse_after, self.lapse_unit) if self.lapse_after else None


class MemberPlan(models.Model):
    """From `starts_on`, the member pays under `plan`. Rows are history: never edited."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="plans")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    epoch = models.PositiveIntegerField(default=1)
    starts_on = models.DateField(_("from"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[MemberPlan]] = fund_scoped_manager()

    class Meta:
        ordering = ["member", "epoch", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "epoch", "starts_on"], name="member_plan_once_per_day"
            ),
        ]


class Standing(models.Model):
    """A member's running contribution figures, kept in step with every receipt under the
    fund's books lock, and recomputable from the receipts (`verify_standing`).

    `epoch` counts fresh starts: a member who rejoins after lapsing starts epoch + 1 with no
    credit, and only receipts of the current epoch count towards the schedule.
    """

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, primary_key=True, related_name="standing"
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    epoch = models.PositiveIntegerField(default=1)
    credit = MoneyField(default=Decimal("0.00"))  # contributions paid in this epoch
    paid_through = models.DateField()
    fees_due = MoneyField(default=Decimal("0.00"))  # entry or reinstatement fee not yet paid
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Standing]] = fund_scoped_manager()

    class Meta:
        indexes = [models.Index(fields=["fund", "paid_through"])]


class CollectionSession(models.Model):
    """One collector's round (a morning at the village hall): the receipts, then the cash
    counted and handed to the treasurer, with any difference on record."""

    class State(models.TextChoices):
        OPEN = "open", _("Collecting")
        CLOSED = "closed", _("Counted, waiting for the treasurer")
        ACCEPTED = "accepted", _("Handed over")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    # Both are set when the session is counted (state CLOSED); zero while collecting.
    expected = MoneyField(_("receipts total"), default=Decimal("0.00"))
    counted = MoneyField(_("cash counted"), default=Decimal("0.00"))
    note = models.CharField(_("note on the difference"), max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    difference_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[CollectionSession]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-date", "-pk"]
        verbose_name = _("collection session")

    @property
    def difference(self) -> Decimal | None:
        if self.state == self.State.OPEN:
            return None
        return self.counted - self.expected


class Receipt(models.Model):
    """A member's payment. Numbered per fund and fiscal year without gaps; posted to the
    books in the same transaction; voided by reversing its entry, never deleted."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()  # BE
    seq = models.PositiveIntegerField()
    date = models.DateField(_("date"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="receipts")
    contribution = MoneyField(_("contribution"))
    fee = MoneyField(_("entry / reinstatement fee"), default=Decimal("0.00"))
    total = MoneyField(_("total"))
    epoch = models.PositiveIntegerField()
    paid_through = models.DateField(_("paid through"))  # as this receipt left it
    money_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        CollectionSession, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="receipt")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    void_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="voided_receipt"
    )
    void_reason = models.CharField(_("reason"), max_length=300, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Receipt]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "fiscal_year", "seq"]
        verbose_name = _("receipt")
        constraints = [
            models.UniqueConstraint(fields=["fund", "fiscal_year", "seq"], name="receipt_number"),
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="receipt_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(contribution__gte=0, fee__gte=0, total__gt=0),
                name="receipt_amounts",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "date"]),
            models.Index(fields=["fund", "date"]),
        ]

    @property
    def number(self) -> str:
        return f"{self.fiscal_year}/{self.seq:06d}"

    @property
    def is_void(self) -> bool:
        return self.void_entry_id is not None


class ReceiptCounter(models.Model):
    """The last receipt number used in a fund's fiscal year; moved only under the books lock."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[ReceiptCounter]] = fund_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "fiscal_year"], name="receipt_counter_unique")
        ]


class OpeningImport(models.Model):
    """One accepted opening-balance workbook of a fund moving from paper; imported once."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    as_of = models.DateField(_("balances as of"))
    members = models.PositiveIntegerField(default=0)
    payments = models.PositiveIntegerField(default=0)
    payments_total = MoneyField(default=Decimal("0.00"))
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[OpeningImport]] = fund_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "sha256"], name="opening_once_per_file"),
        ]


class PastPayment(models.Model):
    """A payment from before Kongtun, brought from the fund's paper or Excel books. It is
    history for the passbook and matching; the money is in the opening entry, not here."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="past_payments")
    date = models.DateField()
    amount = MoneyField()
    reference = models.CharField(max_length=50, blank=True)
    batch = models.ForeignKey(OpeningImport, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[PastPayment]] = fund_scoped_manager()

    class Meta:
        indexes = [models.Index(fields=["member", "date"])]


class Funder(models.TextChoices):
    CODI = "codi", _("Government through CODI")
    LOCAL_GOV = "local_gov", _("Local government")
    OTHER_GOV = "other_gov", _("Other government")
    DONOR = "donor", _("Donor")


class CoContribution(models.Model):
    """Money a co-funder paid the fund, by fiscal year and (for CODI) by round."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    funder = models.CharField(_("from"), max_length=20, choices=Funder.choices)
    payer = models.CharField(_("paid by"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("for fiscal year (BE)"))
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    date = models.DateField(_("received on"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)

    objects: ClassVar[models.Manager[CoContribution]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="cocontribution_idempotency_unique"
            ),
        ]


class MatchingTerms(models.Model):
    """How a co-funder matches members' money in one fiscal year. Set per fund and year,
    because CODI's rules change with each year's budget and local governments differ."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    funder = models.CharField(_("co-funder"), max_length=20, choices=Funder.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    ratio = models.DecimalField(
        _("baht matched per baht of members' contributions"), max_digits=6, decimal_places=3
    )
    cap_per_member = MoneyField(_("at most per member (baht)"))
    max_rounds = models.PositiveSmallIntegerField(_("at most rounds per member"))
    min_membership_days = models.PositiveSmallIntegerField(
        _("days of membership by the cut-off"), default=365
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[MatchingTerms]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-fiscal_year", "funder"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "funder", "fiscal_year"], name="matching_terms_unique"
            ),
        ]


class MatchedMember(models.Model):
    """A member counted in a co-funder's matching for a fiscal year; the rounds limit counts
    these."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    funder = models.CharField(max_length=20, choices=Funder.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    expected = MoneyField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[MatchedMember]] = fund_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "funder", "fiscal_year"], name="matched_once_per_year"
            ),
        ]
