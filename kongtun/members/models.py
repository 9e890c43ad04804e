"""The member register: people, their beneficiaries, consents and a dated status history."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Branch, Fund, fund_scoped_manager
from kongtun.geo.models import Tambon
from kongtun.lib.thaiid import mask_national_id


class MemberType(models.TextChoices):
    """CODI's annual form counts members by these types; each member has one primary type."""

    GENERAL = "general", _("General")
    CHILD = "child", _("Child / youth")
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Person with disability")
    DISADVANTAGED = "disadvantaged", _("Disadvantaged")
    ORPHAN = "orphan", _("Orphan")


class Status(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    RESIGNED = "resigned", _("Resigned")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")
    REJECTED = "rejected", _("Application rejected")


class Event(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved as member")
    REJECTED = "rejected", _("Application rejected")
    LAPSED = "lapsed", _("Lapsed")
    REINSTATED = "reinstated", _("Reinstated")
    RESIGNED = "resigned", _("Resigned")
    DIED = "died", _("Died")
    EXPELLED = "expelled", _("Expelled")
    REAPPLIED = "reapplied", _("Applied again")


# Which event may happen in which status, and the status it leads to.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Event.APPROVED: (frozenset({Status.APPLICANT}), Status.ACTIVE),
    Event.REJECTED: (frozenset({Status.APPLICANT}), Status.REJECTED),
    Event.LAPSED: (frozenset({Status.ACTIVE}), Status.LAPSED),
    Event.REINSTATED: (frozenset({Status.LAPSED}), Status.ACTIVE),
    Event.RESIGNED: (frozenset({Status.ACTIVE, Status.LAPSED}), Status.RESIGNED),
    Event.DIED: (frozenset({Status.APPLICANT, Status.ACTIVE, Status.LAPSED}), Status.DECEASED),
    Event.EXPELLED: (frozenset({Status.ACTIVE, Status.LAPSED}), Status.EXPELLED),
    # Someone who resigned or was turned down may apply again; the committee decides anew.
    Event.REAPPLIED: (frozenset({Status.RESIGNED, Status.REJECTED}), Status.APPLICANT),
}


class ImportBatch(models.Model):
    """One accepted register file. The file's hash makes a second import of it a no-op."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[ImportBatch]] = fund_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "sha256"], name="import_once_per_file"),
        ]


class Member(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="members")
    number = models.CharField(_("member number"), max_length=20)
    title = models.CharField(_("title"), max_length=30, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # The national ID is never stored in clear: ciphertext, a keyed index to find it, and the
    # last three digits for the masked form.
    national_id_encrypted = models.TextField(editable=False)
    national_id_index = models.CharField(max_length=64, editable=False)
    national_id_tail = models.CharField(max_length=3, editable=False)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    house_no = models.CharField(_("house number"), max_length=30, blank=True)
    moo = models.PositiveSmallIntegerField(_("village number (moo)"), null=True, blank=True)
    street = models.CharField(_("lane / road"), max_length=200, blank=True)
    tambon = models.ForeignKey(
        Tambon, verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    member_type = models.CharField(
        _("member type"), max_length=20, choices=MemberType.choices, default=MemberType.GENERAL
    )
    joined_on = models.DateField(_("joined on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT
    )
    status_since = models.DateField(_("status since"))
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Member]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "number"]
        verbose_name = _("member")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="member_number_unique"),
            models.UniqueConstraint(
                fields=["fund", "national_id_index"], name="member_national_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "last_name", "first_name"]),
            models.Index(fields=["fund", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    @property
    def national_id_masked(self) -> str:
        return mask_national_id(self.national_id_tail)


class Beneficiary(models.Model):
    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Brother or sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        RELATIVE = "relative", _("Other relative")
        OTHER = "other", _("Other")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="beneficiaries")
    full_name = models.CharField(_("full name"), max_length=200)
    national_id_encrypted = models.TextField(blank=True, editable=False)
    national_id_index = models.CharField(max_length=64, blank=True, editable=False)
    national_id_tail = models.CharField(max_length=3, blank=True, editable=False)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    objects: ClassVar[models.Manager[Beneficiary]] = fund_scoped_manager()

    class Meta:
        ordering = ["member", "pk"]
        verbose_name = _("beneficiary")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__gt=0, share_percent__lte=100),
                name="beneficiary_share_range",
            )
        ]

    @property
    def national_id_masked(self) -> str:
        return mask_national_id(self.national_id_tail) if self.national_id_tail else ""


class Consent(models.Model):
    """A PDPA consent the member gave for one purpose; withdrawing keeps the record."""

    class Purpose(models.TextChoices):
        MEMBERSHIP = "membership", _("Keep my data to run my membership")
        SENSITIVE = (
            "sensitive",
            _("Health and disability data for welfare claims (explicit consent)"),
        )
        CONTACT = "contact", _("Contact me by phone or LINE")
        PUBLICITY = "publicity", _("Show my name or photo in fund news")

    class Channel(models.TextChoices):
        PAPER = "paper", _("Signed paper form")
        IN_PERSON = "in_person", _("In person, recorded by the committee")
        ONLINE = "online", _("Online")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("how it was given"), max_length=20, choices=Channel.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[Consent]] = fund_scoped_manager()

    class Meta:
        ordering = ["member", "purpose", "-given_on"]
        verbose_name = _("consent")

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class StatusChange(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="history")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    effective_on = models.DateField(_("effective on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[StatusChange]] = fund_scoped_manager()

    class Meta:
        ordering = ["member", "effective_on", "pk"]
        verbose_name = _("status change")
        # Roll-ups look for the members whose history moved since a date, fund by fund.
        indexes = [models.Index(fields=["fund", "effective_on"], name="statuschange_fund_day")]
