"""Thailand's official DOPA area codes: province (2 digits), amphoe (4), tambon (6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    code = models.CharField(_("DOPA code"), max_length=6, primary_key=True)
    name_th = models.CharField(_("Thai name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


class Province(Area):
    class Meta(Area.Meta):
        verbose_name = _("province")


class Amphoe(Area):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="amphoes")

    class Meta(Area.Meta):
        verbose_name = _("district (amphoe)")


class Tambon(Area):
    amphoe = models.ForeignKey(Amphoe, on_delete=models.PROTECT, related_name="tambons")
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta(Area.Meta):
        verbose_name = _("subdistrict (tambon)")
