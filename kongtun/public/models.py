"""What a fund chooses to publish beyond its figures: summaries of its committee meetings.

Minutes name people (who asked, who was paid), so they never go public. The secretary writes
a separate summary for the public; publishing it and withdrawing it are audited, and a
withdrawn summary stays in the database with who withdrew it and why.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager
from kongtun.welfare.models import Meeting


class MeetingSummary(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("summary for the public"), max_length=4000)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects: ClassVar[models.Manager[MeetingSummary]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-published_at"]
        verbose_name = _("published meeting summary")
        constraints = [
            # one summary in force per meeting; a withdrawn one may be followed by a new one
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="meeting_summary_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return str(self.meeting)
