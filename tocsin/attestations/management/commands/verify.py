"""``tocsin verify TOKEN_OR_FILE --keys FILE [--revocations FILE]``: offline, no database.

No system checks and no migration check, and nothing here queries: the
command runs where no database is reachable (``offline.py`` does the work;
``python -m tocsin.attestations.offline`` is the same without Django)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tocsin.attestations import offline


class Command(BaseCommand):
    help = "Verify an attestation token offline with the published keys and revocation list."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        offline.add_arguments(parser)

    def handle(self, *args: Any, token_or_file: str, keys: Any, revocations: Any, **options: Any) -> None:
        code = offline.run(token_or_file, keys, revocations, out=self.stdout, err=self.stderr)
        if code:
            raise SystemExit(code)
