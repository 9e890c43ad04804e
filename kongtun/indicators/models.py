"""Indicators kept as they were on a date: CODI's 30 September snapshot, and what packages bring."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager


class IndicatorSnapshot(models.Model):
    """A fund's indicators as of one date, frozen.

    `year_end` rows are taken on CODI's snapshot date (30 September) so the figures the fund
    reported stay what they were even after late entries; `imported` rows are what a fund
    that keeps its records on its own computer sent in a signed package.
    """

    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("30 September snapshot")
        IMPORTED = "imported", _("Imported from the fund's package")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    as_of = models.DateField(_("as of"))
    data = models.JSONField()
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The exchange package it came from, for imported rows (kongtun.exchange).
    package_id = models.UUIDField(null=True, blank=True)

    objects: ClassVar[models.Manager[IndicatorSnapshot]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-as_of", "-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "kind", "as_of"],
                condition=models.Q(kind="year_end"),
                name="one_year_end_snapshot_per_date",
            )
        ]
