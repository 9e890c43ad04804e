"""A fund's books: accounts, posted journal entries (append-only), vouchers, closed periods."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager
from kongtun.ledger.core import AccountType
from kongtun.lib.fields import MoneyField


class Source(models.TextChoices):
    """Whose money it is: CODI's forms and the committee show each source apart."""

    MEMBERS = "members", _("Members' contributions")
    ENTRY_FEES = "entry_fees", _("Entry fees")
    CODI = "codi", _("Government through CODI")
    CODI_SEED = "codi_seed", _("CODI seed grant")
    LOCAL_GOV = "local_gov", _("Local government")
    OTHER_GOV = "other_gov", _("Other government")
    DONATIONS = "donations", _("Donations")
    INTEREST = "interest", _("Bank interest")
    COMMUNITY = "community", _("Community groups' profits")
    OTHER = "other", _("Other")


class Account(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    type = models.CharField(
        _("type"), max_length=10, choices=[(t.value, t.value) for t in AccountType]
    )
    # What the system uses the account for ("cash", "bank", "welfare.death", …); "" for the
    # accounts a fund adds for itself.
    role = models.CharField(max_length=40, blank=True)
    source = models.CharField(
        _("source of money"), max_length=20, choices=Source.choices, blank=True
    )
    bank_account_no = models.CharField(_("bank account number"), max_length=40, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects: ClassVar[models.Manager[Account]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "code"]
        verbose_name = _("account")
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="account_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    @property
    def is_money(self) -> bool:
        return self.role in ("cash", "bank")


class LedgerHead(models.Model):
    """The last posted entry of a fund: locked while posting, so numbers have no gaps."""

    fund = models.OneToOneField(Fund, on_delete=models.PROTECT, primary_key=True, related_name="+")
    number = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    objects: ClassVar[models.Manager[LedgerHead]] = fund_scoped_manager()


class JournalEntry(models.Model):
    """A posted entry. The database refuses to update or delete it; a mistake is reversed."""

    class Kind(models.TextChoices):
        VOUCHER = "voucher", _("Voucher")
        REVERSAL = "reversal", _("Reversal")
        OPENING = "opening", _("Opening balances")
        CONTRIBUTION = "contribution", _("Contribution")
        CLAIM = "claim", _("Welfare payment")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveBigIntegerField(_("entry number"))
    date = models.DateField(_("date"))
    memo = models.CharField(_("description"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[JournalEntry]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "number"]
        verbose_name = _("journal entry")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="entry_number_unique"),
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="entry_idempotency_unique"
            ),
        ]
        indexes = [models.Index(fields=["fund", "date"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.memo}"


class JournalLine(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    # Debit positive, credit negative: one signed amount per line.
    amount = MoneyField(_("amount"))
    source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    # Copied from the entry so books and statements filter by date without a join.
    date = models.DateField()

    objects: ClassVar[models.Manager[JournalLine]] = fund_scoped_manager()

    class Meta:
        ordering = ["entry", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="line_amount_not_zero")
        ]
        indexes = [models.Index(fields=["fund", "account", "date"])]


class Voucher(models.Model):
    """A receipt or payment voucher (ใบสำคัญรับ / ใบสำคัญจ่าย): made by one, approved by another."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt voucher")
        PAYMENT = "payment", _("Payment voucher")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for approval")
        APPROVED = "approved", _("Approved and posted")
        REJECTED = "rejected", _("Rejected")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("voucher number"), max_length=30)
    date = models.DateField(_("date"))
    party = models.CharField(_("received from / paid to"), max_length=200)
    # The member a welfare payment went to, so it shows in their passbook.
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    description = models.CharField(_("description"), max_length=500)
    money_account = models.ForeignKey(
        Account, verbose_name=_("cash or bank account"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, on_delete=models.PROTECT, related_name="voucher"
    )
    # The new-voucher form's one-time token: a double-clicked submit makes one voucher.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)

    objects: ClassVar[models.Manager[Voucher]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-date", "-number"]
        verbose_name = _("voucher")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="voucher_number_unique"),
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="voucher_idempotency_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))


class VoucherLine(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount"))
    source = models.CharField(
        _("source of money"), max_length=20, choices=Source.choices, blank=True
    )
    description = models.CharField(_("details"), max_length=300, blank=True)

    objects: ClassVar[models.Manager[VoucherLine]] = fund_scoped_manager()

    class Meta:
        ordering = ["voucher", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="voucher_line_positive")
        ]


class Attachment(models.Model):
    """Evidence for a voucher (a bill, a receipt photo): stored outside the web root."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="attachments")
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Attachment]] = fund_scoped_manager()


class PeriodClose(models.Model):
    """A closed month or year: no entry may be dated inside it until the chair reopens it."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        YEAR = "year", _("Fiscal year")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True)
    reopen_reason = models.CharField(max_length=500, blank=True)

    objects: ClassVar[models.Manager[PeriodClose]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="close_order"
            )
        ]


class BankReconciliation(models.Model):
    """A bank account's book balance beside the bank statement, the difference explained."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    statement_date = models.DateField(_("statement date"))
    statement_balance = MoneyField(_("balance on the bank statement"))
    book_balance = MoneyField(_("balance in the books"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time token: a double-clicked submit records one reconciliation.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)

    objects: ClassVar[models.Manager[BankReconciliation]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-statement_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"], name="reconciliation_idempotency_unique"
            ),
        ]


class ReconciliationItem(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT_IN_TRANSIT = "deposit", _("Deposit not yet on the statement")
        OUTSTANDING_CHEQUE = "cheque", _("Cheque or transfer not yet cleared")
        BANK_CHARGE = "charge", _("Bank charge not yet in the books")
        BANK_INTEREST = "interest", _("Interest not yet in the books")
        OTHER = "other", _("Other")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    reconciliation = models.ForeignKey(
        BankReconciliation, on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    # Signed so that statement balance − book balance = Σ items when fully explained.
    amount = MoneyField(_("amount"))

    objects: ClassVar[models.Manager[ReconciliationItem]] = fund_scoped_manager()


class MonthlyTotal(models.Model):
    """The sum of a fund's posted lines per account, source and calendar month.

    Kept in the same transaction as every posting (kongtun.ledger.summaries), so reports over
    years read a few hundred rows instead of millions of lines; verify_ledger proves these
    rows equal the lines exactly. Never edited by hand.
    """

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)
    period = models.PositiveIntegerField()  # year * 100 + month, Christian era
    amount = MoneyField()  # debit positive, credit negative, as the lines
    lines = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[MonthlyTotal]] = fund_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "account", "source", "period"], name="monthly_total_unique"
            )
        ]
        indexes = [models.Index(fields=["fund", "period"])]
