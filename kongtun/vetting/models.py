"""The provincial committee's vetting of co-funding applications for a fiscal year.

A province's committee (คณะกรรมการสนับสนุนการขับเคลื่อนสวัสดิการชุมชนจังหวัด) meets in numbered
meetings (ครั้งที่ 1/2566). Each application is screened against CODI's six criteria: one
Screening per application, with a CriterionResult per check, decided by the fund's figures or
by a person's recorded check. The committee's Decision is final: a change is a new decision
that supersedes the old one, and the database refuses to change or delete a decision.

Screenings and decisions belong to the fund they judge, so they are read through its scope
like everything else of the fund; meetings belong to the province.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import CofundingApplication, Fund, fund_scoped_manager
from kongtun.geo.models import Province
from kongtun.lib.fields import MoneyField


class CommitteeMeeting(models.Model):
    """A meeting of a province's committee; it is numbered within the fiscal year."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year_be = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    number = models.PositiveSmallIntegerField(
        _("meeting number"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    held_on = models.DateField(_("date of the meeting"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "fiscal_year_be", "number"]
        verbose_name = _("provincial committee meeting")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "fiscal_year_be", "number"], name="vetting_meeting_number"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """As the minutes write it: 1/2566."""
        return f"{self.number}/{self.fiscal_year_be}"


class Outcome(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NEEDS_CHECK = "needs_check", _("Needs a check")
    INFO = "info", _("For information")


class Screening(models.Model):
    """An application screened against the criteria: the fund's figures on one day, as used."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        CofundingApplication, on_delete=models.PROTECT, related_name="screening"
    )
    as_of = models.DateField(_("figures as of"))
    # The fund's indicators exactly as the criteria read them (Indicators.as_dict()), so a
    # result can always be traced to the figure behind it even after the books move on.
    indicators = models.JSONField(_("indicators used"))
    figures = models.JSONField(_("figures the criteria read"))  # criteria.facts_to_json
    thresholds = models.JSONField(_("thresholds used"))
    requested_amount = MoneyField(_("matching amount requested"))
    # How the amount was computed: members, contributions, ratio, cap, where the terms came from.
    requested_basis = models.JSONField(_("how the amount was computed"))
    status = models.CharField(
        _("status"), max_length=20, choices=Outcome.choices, default=Outcome.NEEDS_CHECK
    )
    computed_at = models.DateTimeField(_("screened at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[Screening]] = fund_scoped_manager()

    class Meta:
        verbose_name = _("screening")


class CriterionResult(models.Model):
    """One check of one criterion: what the figures gave, and a person's check if recorded.

    Screening again recomputes what the figures give (`auto_outcome`, `evidence`, `facts`) but
    never a person's check: while `how` is "human", `outcome` stays what they recorded.
    """

    class How(models.TextChoices):
        AUTOMATIC = "automatic", _("From the fund's figures")
        HUMAN = "human", _("Checked by a person")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="results")
    criterion = models.PositiveSmallIntegerField(
        _("criterion"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    check_key = models.CharField(_("check"), max_length=30)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    how = models.CharField(_("decided"), max_length=20, choices=How.choices, default=How.AUTOMATIC)
    auto_outcome = models.CharField(
        _("what the figures give"), max_length=20, choices=Outcome.choices
    )
    evidence = models.TextField(_("evidence"))  # in Thai, as printed in the meeting pack
    facts = models.JSONField(_("figures used"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects: ClassVar[models.Manager[CriterionResult]] = fund_scoped_manager()

    class Meta:
        ordering = ["screening", "criterion", "pk"]
        verbose_name = _("criterion result")
        constraints = [
            models.UniqueConstraint(fields=["screening", "check_key"], name="vetting_check_once"),
            models.CheckConstraint(
                condition=models.Q(criterion__gte=1, criterion__lte=6), name="vetting_criterion"
            ),
        ]


class Decision(models.Model):
    """The committee's decision on an application, recorded with its meeting.

    Never changed or deleted (the database refuses): a change is a new row that names the one
    it supersedes, so the history of what the committee decided, and when, stays whole.
    """

    class Result(models.TextChoices):
        APPROVED = "approved", _("Approved")
        NOT_APPROVED = "not_approved", _("Not approved")
        DEFERRED = "deferred", _("Deferred")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        CofundingApplication, on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Result.choices)
    amount_approved = MoneyField(_("amount approved"), default=0)
    conditions = models.TextField(_("conditions"), blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Decision]] = fund_scoped_manager()

    class Meta:
        ordering = ["application", "recorded_at", "pk"]
        verbose_name = _("committee decision")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(outcome="approved", amount_approved__gt=0)
                    | (~models.Q(outcome="approved") & models.Q(amount_approved=0))
                ),
                name="vetting_decision_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.meeting.label})"
