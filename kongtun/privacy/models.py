"""Which members were erased (pseudonymised). The tombstone file outside the database says the
same, so that an erasure survives a restore of an older copy (see `erasure.py`)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager
from kongtun.members.models import Member


class Erasure(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="erasure")
    erased_at = models.DateTimeField(_("erased at"))
    # None when re-applied after a restore, or by the retention job.
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)

    objects: ClassVar[models.Manager[Erasure]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-erased_at"]
        verbose_name = _("erasure")
