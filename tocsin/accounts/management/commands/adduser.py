import getpass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import Membership, User


class Command(BaseCommand):
    help = "Create a responder with a key pair in TEAM (created if it does not exist)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--team", required=True, help="team name, e.g. default")
        parser.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.RESPONDER)
        parser.add_argument("--password-file", type=Path,
                            help="read the password from this file instead of prompting")
        parser.add_argument("--admin", action="store_true", help="also an administrator")

    def handle(self, *args, username, team, role, password_file, admin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        if password_file:
            try:
                password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise CommandError(f"cannot read {password_file}: {exc}") from exc
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords do not match")
        try:
            created = create_responder(username, password, team_name=team, role=role, is_admin=admin)
        except ValidationError as exc:
            raise CommandError("; ".join(
                f"{field}: {message}" for field, messages in exc.message_dict.items()
                for message in messages
            )) from exc
        self.stdout.write(f"Created responder {username} in team {team}.")
        self.stdout.write("Recovery key (shown once; store it offline, it restores access "
                          "if the password is forgotten):")
        self.stdout.write(f"  {created.recovery_key}")
        self.stdout.write("At the first login they set up an authenticator app (two-step login).")
