from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may see comes from FundRole and OfficerAssignment."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username
