"""Fund-to-province exchange: the laptop's signing key and exports, the province's trusted keys
and imported packages.

The same installation can play both parts (a province server whose funds export too), so all
four live in one app; a laptop simply never has TrustedKey or ImportedPackage rows.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund, fund_scoped_manager


class FundSigningKey(models.Model):
    """The key this installation signs a fund's packages with (made on the first export).

    The private half is encrypted with the field-encryption key, as national IDs are: a copy of
    the database alone cannot sign for the fund.
    """

    fund = models.OneToOneField(Fund, on_delete=models.PROTECT, related_name="+")
    public_key = models.BinaryField(max_length=32)
    private_key_encrypted = models.BinaryField()
    fingerprint = models.CharField(_("fingerprint"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[FundSigningKey]] = fund_scoped_manager()

    class Meta:
        verbose_name = _("fund signing key")


class ExportLog(models.Model):
    """One package made on this installation: numbers the fund's packages, and records who sent
    the members' personal data out, when and why (PDPA)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(_("package number"))
    package_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    as_of = models.DateField(_("as of"))
    includes_full_data = models.BooleanField(_("includes the full data"), default=False)
    purpose = models.CharField(_("purpose of sending personal data"), max_length=500, blank=True)
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[ExportLog]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-sequence"]
        verbose_name = _("exported package")
        constraints = [
            models.UniqueConstraint(fields=["fund", "sequence"], name="exportlog_sequence_unique"),
        ]


class TrustedKey(models.Model):
    """A fund's public key, registered by a province officer: packages signed by it are the
    fund's. At most one key of a fund is in force; a revoked key verifies nothing."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    public_key = models.BinaryField(max_length=32)
    fingerprint = models.CharField(_("fingerprint"), max_length=40)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[TrustedKey]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-registered_at"]
        verbose_name = _("trusted fund key")
        constraints = [
            models.UniqueConstraint(
                fields=["fund"],
                condition=models.Q(revoked_at__isnull=True),
                name="trustedkey_one_in_force",
            ),
        ]


class ImportedPackage(models.Model):
    """A package the province server accepted; the zip itself is kept under VAR_DIR/packages."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    package_id = models.UUIDField(unique=True)
    sequence = models.PositiveIntegerField(_("package number"))
    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(_("made on the fund's computer at"))
    includes_full_data = models.BooleanField(_("includes the full data"), default=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    stored_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    signed_with = models.ForeignKey(TrustedKey, on_delete=models.PROTECT, related_name="+")
    # Whether this package's monthly totals became the fund's: only the package with the latest
    # as-of date sets them, so importing an old year's package late never rolls them back.
    monthly_replaced = models.BooleanField(default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[ImportedPackage]] = fund_scoped_manager()

    class Meta:
        ordering = ["fund", "-sequence"]
        verbose_name = _("imported package")
        constraints = [
            # Numbers run per key: a fund that makes a new key starts again at 1.
            models.UniqueConstraint(
                fields=["fund", "signed_with", "sequence"], name="importedpackage_sequence_unique"
            ),
        ]
