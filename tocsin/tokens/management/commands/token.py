"""``tocsin token create|list|revoke``: API tokens for the enforcement desk and its law firms.

The operator at the console acts as nobody in particular (actor None in the
audit log): whoever can run this command already holds the server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tocsin.tokens import actions
from tocsin.tokens.models import ApiToken


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="create|list|revoke")
        create = commands.add_parser("create", help="create a token and print it once")
        create.add_argument("--scope", required=True, choices=ApiToken.Scope.values)
        create.add_argument("--name", required=True, help="who will hold it, e.g. the law firm")
        create.add_argument("--rate", type=int, default=None,
                            help="requests per minute allowed (default: API_TOKEN_REQUESTS_PER_MINUTE)")
        listing = commands.add_parser("list", help="list tokens by prefix (never the secret)")
        listing.add_argument("--all", dest="show_all", action="store_true", help="include revoked tokens")
        revoke = commands.add_parser("revoke", help="revoke a token at once")
        revoke.add_argument("prefix", help="the 8 characters after tocsin_")
        revoke.add_argument("--reason", default="", help="kept in the audit log")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            getattr(self, f"_{subcommand}")(**options)
        except actions.Refused as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc

    def _create(self, *, scope: str, name: str, rate: int | None, **_options: Any) -> None:
        created = actions.create_token(name=name, scope=scope, requests_per_minute=rate, acting_user=None)
        self.stdout.write(f"Created token {created.api_token.prefix} ({scope}) for {created.api_token.name}, "
                          f"{created.api_token.requests_per_minute} requests a minute.")
        self.stdout.write("The token (shown once; only its hash is kept, so it cannot be shown again):")
        self.stdout.write(f"  {created.token}")

    def _list(self, *, show_all: bool, **_options: Any) -> None:
        tokens = ApiToken.objects.all() if show_all else ApiToken.objects.filter(revoked_at__isnull=True)
        rows = [("PREFIX", "SCOPE", "NAME", "CREATED", "LAST USED", "REVOKED")]
        for t in tokens:
            rows.append((t.prefix, t.scope, t.name, _when(t.created_at), _when(t.last_used_at),
                         _when(t.revoked_at)))
        if len(rows) == 1:
            self.stdout.write("No tokens." if show_all else "No live tokens (--all shows revoked ones).")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                              .rstrip())

    def _revoke(self, *, prefix: str, reason: str, **_options: Any) -> None:
        api_token = actions.revoke_token(prefix, acting_user=None, reason=reason)
        self.stdout.write(f"Revoked token {api_token.prefix} ({api_token.name}); it is refused from now on.")


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
