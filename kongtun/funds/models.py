"""The fund is the tenant: every fund-owned row points at one, and is read through its scope."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from kongtun.funds.permissions import Role
from kongtun.geo.models import Amphoe, Province, Tambon


def fund_scoped_manager(path: str = "fund") -> Any:
    """The one manager for fund-owned models: a query outside a fund's scope raises ScopeError."""
    return ScopedManager(fund=path)


class Fund(models.Model):
    class Kind(models.TextChoices):
        TAMBON = "tambon", _("Subdistrict (tambon) fund")
        MUNICIPALITY = "municipality", _("Municipality fund")

    class FiscalYear(models.TextChoices):
        GOVERNMENT = "government", _("1 October – 30 September (named by the BE year it ends)")
        CALENDAR = "calendar", _("Calendar year (1 January – 31 December)")

    class RunsOn(models.TextChoices):
        SERVER = "server", _("This server")
        # The fund keeps members and books on its own laptop and sends signed packages; here
        # it has only what the packages carry (indicators and monthly totals).
        OWN_COMPUTER = "own_computer", _("The fund's own computer (sends data packages)")

    code = models.SlugField(_("fund code"), max_length=20, unique=True)
    name = models.CharField(_("fund name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TAMBON)
    tambon = models.ForeignKey(
        Tambon, verbose_name=_("subdistrict (tambon)"), on_delete=models.PROTECT, related_name="+"
    )
    municipality_name = models.CharField(_("municipality"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"))
    fiscal_year = models.CharField(
        _("fiscal year"), max_length=20, choices=FiscalYear.choices, default=FiscalYear.GOVERNMENT
    )
    # How many villages (หมู่) or urban communities the tambon or municipality has: CODI's
    # coverage criterion compares the villages the members come from against it.
    villages_in_area = models.PositiveSmallIntegerField(
        _("villages or communities in the area"), null=True, blank=True
    )
    runs_on = models.CharField(
        _("keeps its records on"), max_length=20, choices=RunsOn.choices, default=RunsOn.SERVER
    )
    admin_cost_cap_percent = models.DecimalField(
        _("administration cost cap (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fund")

    def __str__(self) -> str:
        return self.name

    @property
    def amphoe(self) -> Amphoe:
        return self.tambon.amphoe

    @property
    def province(self) -> Province:
        return self.tambon.amphoe.province


class Branch(models.Model):
    """A self-managed part of the fund: a village (หมู่) or an urban community (ชุมชน)."""

    class Kind(models.TextChoices):
        MOO = "moo", _("Village (moo)")
        COMMUNITY = "community", _("Community")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="branches")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MOO)
    number = models.PositiveSmallIntegerField(_("village number"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)

    objects: ClassVar[models.Manager[Branch]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "number", "name"]
        verbose_name = _("branch")
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="branch_unique_name"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.MOO and self.number:
            return f"{gettext('Moo')} {self.number} {self.name}"
        return self.name


class CommitteeMember(models.Model):
    """A seat on the fund's elected committee for one term, as CODI's form lists it."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        TREASURER = "treasurer", _("Treasurer")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Committee member")
        ADVISER = "adviser", _("Adviser")

    class Representing(models.TextChoices):
        MEMBERS = "members", _("Member representative")
        LOCAL_GOVERNMENT = "local_government", _("Local government representative")
        VILLAGE_HEAD = "village_head", _("Kamnan / village head")
        MONK = "monk", _("Monk")
        EXPERT = "expert", _("Expert")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="committee")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    representing = models.CharField(
        _("representing"), max_length=20, choices=Representing.choices, default=Representing.MEMBERS
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[models.Manager[CommitteeMember]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-term_start", "position", "full_name"]
        verbose_name = _("committee member")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="committee_term_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_position_display()})"


class FundRole(models.Model):
    """What one user may do in one fund.

    Not fund-scoped: the tenancy middleware reads it to decide the scope. Every other reader
    (the chair's people page) filters by the fund explicitly.
    """

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fund role")
        constraints = [
            models.UniqueConstraint(fields=["fund", "user"], name="fundrole_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.fund} · {self.get_role_display()}"


class OfficerAssignment(models.Model):
    """A network or provincial officer: sees aggregates of the funds in an area, never members."""

    class Level(models.TextChoices):
        TAMBON = "tambon", _("Subdistrict network")
        AMPHOE = "amphoe", _("District network")
        PROVINCE = "province", _("Province")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_assignments"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    area_code = models.CharField(_("area code"), max_length=6)

    class Meta:
        verbose_name = _("officer assignment")
        constraints = [
            models.UniqueConstraint(fields=["user", "level", "area_code"], name="officer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_level_display()} {self.area_code}"

    def fund_filter(self) -> models.Q:
        prefix = {"tambon": "tambon_id", "amphoe": "tambon__amphoe_id"}
        field = prefix.get(self.level, "tambon__amphoe__province_id")
        return models.Q(**{field: self.area_code})


class CofundingApplication(models.Model):
    """A fund's application for state co-funding through CODI in one fiscal year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the province")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="applications")
    fiscal_year_be = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)

    objects: ClassVar[models.Manager[CofundingApplication]] = fund_scoped_manager()

    class Meta:
        verbose_name = _("co-funding application")
        constraints = [
            models.UniqueConstraint(fields=["fund", "fiscal_year_be"], name="application_per_year"),
        ]
