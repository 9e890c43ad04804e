"""Reset someone's two-step login from the server's shell: the way back in when the only
administrator has lost their phone and their recovery codes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.accounts.models import User
from kongtun.accounts.services import mfa_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator device and recovery codes; they set it up again at "
        "their next login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if mfa_reset(user=user, actor=None, reason="command"):
            self.stdout.write(f"{username} will set up the app again at the next login.")
        else:
            self.stdout.write(f"{username} had no two-step device; nothing to reset.")
