from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may see comes from FundRole and OfficerAssignment."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Raised to end every open session of this person at once (a reset two-step login: a
    # stolen phone's session must not outlive it). Part of the hash each session carries.
    sessions_version = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django keeps a session only while this hash is the one stored at login (the password
        # hash's HMAC). Version 0 gives Django's own hash, so no session ended on upgrade.
        if not self.sessions_version:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "kongtun.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.sessions_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class MFADevice(models.Model):
    """A person's authenticator app: the secret it shares with us, encrypted at rest.

    Unconfirmed until the person types a code from it (enrolment); only then does it guard
    their login. `last_step` is the time step of the last code accepted: no code at or before
    it works again. Wrong codes are counted here, across logins, so starting the login again
    does not give a guesser fresh tries.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mfa_device")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Wrong codes since `failures_since`, a window of a day (see services.MFA_DAILY_LIMIT);
    # at the limit the device is `blocked_at` and stays locked until an administrator resets it.
    failures_today = models.PositiveSmallIntegerField(default=0)
    failures_since = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step login device")

    def __str__(self) -> str:
        return f"{self.user} · {'confirmed' if self.confirmed_at else 'enrolling'}"


class RecoveryCode(models.Model):
    """A one-time code to use instead of the app (a lost phone); only a keyed hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique"),
        ]
