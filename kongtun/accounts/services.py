"""Two-step login: setting up an authenticator app, checking its codes, recovery codes, reset.

Every outcome that matters after the fact (set up, wrong code, locked, recovery code used,
reset) goes on the system audit chain, in the same transaction as the change it records.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kongtun.accounts import totp
from kongtun.accounts.models import MFADevice, RecoveryCode, User
from kongtun.audit.services import Change, audit_log
from kongtun.lib.crypto import blind_index, decrypt, encrypt

log = logging.getLogger(__name__)

RECOVERY_CODES = 10
RECOVERY_DIGITS = 10  # digits only: typed on the same numeric keypad as the app's codes
# The lockout escalates: MFA_FAILURE_LIMIT wrong codes in a row lock the device for
# MFA_LOCKOUT_MINUTES, which alone would let a guesser try some 480 codes a day; this many
# wrong codes within a day (counted from the first of them, right codes in between or not)
# block it until an administrator resets it (admin action or `manage.py mfa_reset`).
MFA_DAILY_LIMIT = 20
DAY = dt.timedelta(days=1)


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    RECOVERY = "recovery"  # accepted, by a recovery code (now used up)
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong codes: no code is checked until the lock ends
    BLOCKED = "blocked"  # too many in a day: no code is checked until an administrator resets


class AlreadyEnrolled(Exception):
    """The user has a confirmed device; a new one needs a reset first."""


def device_secret(device: MFADevice) -> bytes:
    return totp.from_base32(decrypt(device.secret_encrypted))


def _recovery_hash(user: User, code: str) -> str:
    # Keyed, so the table alone does not let anyone test guesses offline; per user, so equal
    # codes of two people never look alike.
    return blind_index(f"mfa-recovery:{user.pk}", code)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def mfa_enrol_confirm(*, user: User, secret: bytes, code: str, at: float | None = None) -> Outcome:
    """Set up `user`'s device with the secret their login was shown, if `code` is from it.

    The secret lives only in that login's session (kongtun.accounts.pending) until this moment,
    so nobody else who typed the password saw it; the device is stored only now. Wrong codes
    here are not counted on a device (there is none yet): the per-address login limit slows
    guessing, and guessing would only set up a phone the guesser already controls.
    """
    at = time.time() if at is None else at
    with transaction.atomic():
        # Locks the user's row: two confirmations at once cannot both store a device.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if MFADevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
            raise AlreadyEnrolled
        step = totp.match(secret, _digits(code), at)
        if step is None:
            return Outcome.WRONG
        # A device left unconfirmed by an earlier version of this code goes.
        MFADevice.objects.filter(user=user).delete()
        MFADevice.objects.create(
            user=user,
            secret_encrypted=encrypt(totp.to_base32(secret)),
            confirmed_at=timezone.now(),
            last_step=step,
        )
        audit_log(
            fund=None,
            actor=user,
            changes=[Change.of("accounts.mfa.enrolled", user, after={"user": user.username})],
        )
    return Outcome.ACCEPTED


def mfa_device_install(*, user: User, secret: bytes, actor: Any = None) -> MFADevice:
    """Give `user` a confirmed device with a known secret (test and demo seeds; a new phone
    set up by the administrator at the user's side)."""
    with transaction.atomic():
        MFADevice.objects.filter(user=user).delete()
        device = MFADevice.objects.create(
            user=user,
            secret_encrypted=encrypt(totp.to_base32(secret)),
            confirmed_at=timezone.now(),
        )
        audit_log(
            fund=None,
            actor=actor or user,
            changes=[Change.of("accounts.mfa.installed", user, after={"user": user.username})],
        )
    return device


def _use_recovery_code(user: User, code: str) -> bool:
    digits = _digits(code)
    if len(digits) != RECOVERY_DIGITS:
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_recovery_hash(user, digits), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def mfa_check(*, user: User, code: str, at: float | None = None) -> Outcome:
    """Check a code typed at the second step against the user's confirmed device.

    A code works once: the step it belongs to is stored and no code at or before it works
    again. A recovery code works once, in place of the app's code. After `MFA_FAILURE_LIMIT`
    wrong codes in a row the device is locked for `MFA_LOCKOUT_MINUTES`, whatever the code;
    after `MFA_DAILY_LIMIT` within a day it is blocked until a reset.
    """
    at = time.time() if at is None else at
    now = timezone.now()
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is None:
            return Outcome.WRONG
        if device.blocked_at is not None:
            return Outcome.BLOCKED
        if device.locked_until is not None and device.locked_until > now:
            return Outcome.LOCKED
        step = totp.match(device_secret(device), _digits(code), at, after=device.last_step)
        outcome = Outcome.WRONG
        changes: list[Change] = []
        if step is not None:
            outcome = Outcome.ACCEPTED
            device.last_step = step
        elif _use_recovery_code(user, code):
            outcome = Outcome.RECOVERY
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            changes.append(
                Change.of(
                    "accounts.mfa.recovery_used", user, after={"user": user.username, "left": left}
                )
            )
        if outcome is Outcome.WRONG:
            outcome = _count_wrong(user, device, now, changes)
        else:
            # Only the run of wrong codes ends; the day's count stands (see MFA_DAILY_LIMIT).
            device.failures = 0
            device.locked_until = None
        device.save(
            update_fields=[
                "last_step",
                "failures",
                "locked_until",
                "failures_today",
                "failures_since",
                "blocked_at",
            ]
        )
        audit_log(fund=None, actor=user, changes=changes)
    return outcome


def _count_wrong(user: User, device: MFADevice, now: dt.datetime, changes: list[Change]) -> Outcome:
    device.failures += 1
    if device.failures_since is None or now - device.failures_since >= DAY:
        device.failures_since, device.failures_today = now, 0
    device.failures_today += 1
    changes.append(
        Change.of(
            "accounts.mfa.wrong_code",
            user,
            after={"user": user.username, "failures": device.failures},
        )
    )
    log.warning("wrong two-step code for %s (%d in a row)", user.username, device.failures)
    if device.failures_today >= MFA_DAILY_LIMIT:
        device.blocked_at = now
        device.failures, device.locked_until = 0, None
        changes.append(
            Change.of(
                "accounts.mfa.blocked",
                user,
                after={"user": user.username, "failures_today": device.failures_today},
            )
        )
        log.warning("two-step login of %s blocked until an administrator resets it", user)
        return Outcome.BLOCKED
    if device.failures >= settings.MFA_FAILURE_LIMIT:
        device.locked_until = now + dt.timedelta(minutes=settings.MFA_LOCKOUT_MINUTES)
        device.failures = 0
        changes.append(
            Change.of(
                "accounts.mfa.locked",
                user,
                after={"user": user.username, "until": device.locked_until.isoformat()},
            )
        )
        log.warning("two-step login of %s locked until %s", user.username, device.locked_until)
        return Outcome.LOCKED
    return Outcome.WRONG


def recovery_codes_issue(*, user: User) -> list[str]:
    """New recovery codes (the old ones stop working); only their hashes are kept, so the
    caller shows them once."""
    codes = [
        str(secrets.randbelow(10**RECOVERY_DIGITS)).zfill(RECOVERY_DIGITS)
        for _ in range(RECOVERY_CODES)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=_recovery_hash(user, code)) for code in set(codes)
        )
        audit_log(
            fund=None,
            actor=user,
            changes=[
                Change.of("accounts.mfa.recovery_issued", user, after={"count": len(set(codes))})
            ],
        )
    return [f"{code[:5]} {code[5:]}" for code in dict.fromkeys(codes)]


def mfa_reset(*, user: User, actor: Any, reason: str = "") -> bool:
    """Remove the user's device and recovery codes, and end every session they have open (a
    lost or stolen phone may still be logged in): at their next login they set up the app
    again. False if they had no device."""
    with transaction.atomic():
        had = MFADevice.objects.filter(user=user).exists()
        MFADevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        # Each session's stored hash no longer matches: Django logs it out at its next request.
        User.objects.filter(pk=user.pk).update(sessions_version=F("sessions_version") + 1)
        if had:
            audit_log(
                fund=None,
                actor=actor,
                changes=[
                    Change.of(
                        "accounts.mfa.reset", user, after={"user": user.username, "reason": reason}
                    )
                ],
            )
    return had
