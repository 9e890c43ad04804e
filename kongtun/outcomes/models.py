"""A fund's report of its year to the province: results, good practice, problems and obstacles.

The provincial committee hears every fund's results, problems and obstacles (the meeting of
the source article). A fund writes one `YearReport` per fiscal year while it is a draft and
submits it; from then on the province reads it as submitted, and only the chair can reopen it,
with a reason that the audit trail keeps. Its `Issue` rows carry a category from a fixed list,
so the province can count them across funds; the text says what happened in the fund's words.

Nothing in a report is about a member: it is the fund describing itself.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager

MAX_RESULTS = 4000
MAX_HIGHLIGHTS = 2000
MAX_DESCRIPTION = 1000
MAX_HELP = 500
MAX_ISSUES = 30
MAX_REASON = 500


class Category(models.TextChoices):
    """What a problem or obstacle is about: the troubles funds bring to the provincial meeting."""

    ARREARS = "arrears", _("Members not paying their dues / in arrears")
    MEMBERSHIP = "membership", _("Few new members / members mostly elderly")
    COMMITTEE = "committee", _("Committee capacity and succession")
    BOOKKEEPING = "bookkeeping", _("Bookkeeping and computer skills")
    REGULATION = "regulation", _("Regulation unclear or out of date")
    DEMAND = "demand", _("Welfare demand above the fund's budget")
    LOCAL_GOVERNMENT = "local_government", _("Too little support from the local government")
    CODI = "codi", _("CODI co-funding late or too little")
    COORDINATION = "coordination", _("Coordination with agencies")
    DOCUMENTS = "documents", _("Documents and evidence")
    OTHER = "other", _("Other")


class Kind(models.TextChoices):
    # A problem lies inside the fund (it can act on it); an obstacle comes from outside.
    PROBLEM = "problem", _("Problem")
    OBSTACLE = "obstacle", _("Obstacle")


class Severity(models.TextChoices):
    HIGH = "high", _("Severe")
    MEDIUM = "medium", _("Moderate")
    LOW = "low", _("Minor")


class YearReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the province")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    fiscal_year_be = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    results = models.TextField(_("Results of the year"), blank=True)
    highlights = models.TextField(_("Good practice and innovation"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The latest reopening, shown on the draft; every one of them is in the audit trail.
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=MAX_REASON, blank=True)

    objects: ClassVar[models.Manager[YearReport]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-fiscal_year_be"]
        verbose_name = _("year report")
        constraints = [
            models.UniqueConstraint(fields=["fund", "fiscal_year_be"], name="year_report_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="year_report_submitted_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.fiscal_year_be}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Issue(models.Model):
    """One problem or obstacle of a year report, in the order the fund wrote them."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(YearReport, on_delete=models.CASCADE, related_name="issues")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("problem or obstacle"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("how serious"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("What happened"))
    help_requested = models.TextField(_("Help asked of the network or province"), blank=True)

    objects: ClassVar[models.Manager[Issue]] = fund_scoped_manager()

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("problem or obstacle")
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="issue_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_category_display()}"
