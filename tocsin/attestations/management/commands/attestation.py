"""``tocsin attestation issue|revoke|key rotate|key revoke``: the administrator's tools.

Commands run as the operator of the server, not as a Tocsin user: their
audit entries have no actor (``actor=None``); the shell's own history says
who ran them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tocsin.attestations import actions
from tocsin.attestations.errors import Refused
from tocsin.attestations.models import Attestation
from tocsin.registry.models import Organisation


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--valid-until: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Issue or revoke attestations; rotate or revoke the signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        issue = commands.add_parser("issue", help="sign an attestation for an organisation; prints the token")
        issue.add_argument("--org", required=True, metavar="REF",
                           help="the organisation's external reference")
        issue.add_argument("--valid-until", metavar="DATE",
                           help="last covered day (default: the current rule set's)")
        revoke = commands.add_parser("revoke", help="revoke an attestation")
        revoke.add_argument("token_id", metavar="TOKEN_ID")
        revoke.add_argument("--reason", required=True)
        key = commands.add_parser("key", help="the signing key")
        key_commands = key.add_subparsers(dest="key_command", required=True)
        key_commands.add_parser("rotate", help="start signing with a new key (the old one still verifies)")
        key_revoke = key_commands.add_parser("revoke", help="declare a key compromised")
        key_revoke.add_argument("key_id", metavar="KEY_ID")
        key_revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, command: str, **options: Any) -> None:
        try:
            if command == "issue":
                self._issue(options["org"], options["valid_until"])
            elif command == "revoke":
                self._revoke(options["token_id"], options["reason"])
            elif options["key_command"] == "rotate":
                key = actions.rotate_key(acting_user=None)
                self.stdout.write(f"Signing with new key {key.key_id}; earlier keys still verify.")
            else:
                key = actions.revoke_key(options["key_id"], acting_user=None, reason=options["reason"])
                count = key.attestations.filter(revoked_at__isnull=True).count()
                self.stdout.write(f"Revoked key {key.key_id}: {count} attestation(s) it signed now answer "
                                  "'revoked'; issue them again under a new key.")
        except Refused as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None

    def _issue(self, ref: str, valid_until: str | None) -> None:
        organisation = Organisation.objects.filter(ref=ref).first()
        if organisation is None:
            raise CommandError(f"--org: no organisation with reference {ref[:64]!r}")
        until = _date(valid_until) if valid_until else None
        attestation = actions.issue_attestation(organisation, acting_user=None, valid_until=until)
        self.stderr.write(f"Issued {attestation.token_id} for {organisation.ref}, valid until "
                          f"{attestation.valid_until.isoformat()} (key {attestation.key.key_id}).")
        self.stdout.write(attestation.token)

    def _revoke(self, token_id: str, reason: str) -> None:
        attestation = Attestation.objects.filter(token_id=token_id.strip().lower()).first()
        if attestation is None:
            raise CommandError(f"token_id: no attestation {token_id[:40]!r}")
        actions.revoke_attestation(attestation, acting_user=None, reason=reason)
        self.stdout.write(f"Revoked {attestation.token_id}.")
