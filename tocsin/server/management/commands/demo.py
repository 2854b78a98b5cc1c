"""Create a demo team with demo responders, once, for `make run`."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import Membership, User

DEMO = [("demo-responder", Membership.Role.RESPONDER), ("demo-lead", Membership.Role.SHIFT_LEAD)]


class Command(BaseCommand):
    help = "If nobody has an account yet, create the team `default` with demo responders."

    def handle(self, *args, **options):
        logins = Path(settings.DATA_DIR) / "demo-logins.txt"
        if not User.objects.exists():
            lines = []
            for username, role in DEMO:
                password = secrets.token_urlsafe(12)
                created = create_responder(username, password, team_name="default", role=role,
                                           validate=False)
                lines.append(f"{username}  password: {password}  recovery key: {created.recovery_key}")
            logins.parent.mkdir(parents=True, exist_ok=True)
            logins.touch(mode=0o600)
            logins.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if logins.exists():
            self.stdout.write(f"Demo responders (also in {logins}), log in at "
                              f"{settings.BASE_URL}/accounts/login/ :")
            self.stdout.write(logins.read_text(encoding="utf-8"))
