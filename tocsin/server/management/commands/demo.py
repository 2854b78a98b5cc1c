"""Create a demo team with demo responders, once, for `make run`."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import Membership, User


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by Tocsin's user only, whatever the umask, and
    even over a file an earlier installation left readable by others."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text)


DEMO = [("demo-responder", Membership.Role.RESPONDER), ("demo-lead", Membership.Role.SHIFT_LEAD)]


class Command(BaseCommand):
    help = "If nobody has an account yet, create the team `default` with demo responders."

    def handle(self, *args, **options):
        logins = Path(settings.DATA_DIR) / "demo-logins.txt"
        if not User.objects.exists():
            lines = []
            with transaction.atomic():
                for username, role in DEMO:
                    password = secrets.token_urlsafe(12)
                    created = create_responder(username, password, team_name="default", role=role,
                                               validate=False)
                    lines.append(f"{username}  password: {password}  "
                                 f"recovery key: {created.recovery_key}")
                logins.parent.mkdir(parents=True, exist_ok=True)
                _write_private(logins, "\n".join(lines) + "\n")
        if logins.exists():
            self.stdout.write(f"Demo responders (also in {logins}), log in at "
                              f"{settings.BASE_URL}/accounts/login/ :")
            self.stdout.write(logins.read_text(encoding="utf-8"))
