"""Who must log in with a second factor, and the device that gives it."""

from __future__ import annotations

from typing import Any

from kongtun.accounts.models import MFADevice
from kongtun.funds.models import FundRole, OfficerAssignment
from kongtun.funds.permissions import Role

# The roles that move money or decide about members' claims (ASVS 6.3.3 asks for a second
# factor on such accounts); officers see many funds, administrators everything.
MFA_ROLES = (Role.CHAIR, Role.TREASURER)


def mfa_required(user: Any) -> bool:
    """Whether `user` must give a code from an authenticator app to log in."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if FundRole.objects.filter(user=user, is_active=True, role__in=MFA_ROLES).exists():
        return True
    return OfficerAssignment.objects.filter(user=user).exists()


def mfa_device(user: Any) -> MFADevice | None:
    """The user's device, confirmed or still being set up; None if they have none."""
    return MFADevice.objects.filter(user=user).first()


def mfa_enrolled(user: Any) -> bool:
    return MFADevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
