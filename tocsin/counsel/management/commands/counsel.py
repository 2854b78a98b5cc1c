"""``tocsin counsel add|list|remove``: the public list of counsel authorised to act for the company.

Administrators keep the list from the console, like API tokens: it changes
a few times a year, and a page for it would be one more staff form to guard.
``remove`` acts at once, without a dry run: it is used when someone misuses
the company's name, and a mistaken removal is undone by adding them again."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tocsin.counsel import actions
from tocsin.counsel.models import Counsel


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-12-31") from None


class Command(BaseCommand):
    help = "Add counsel to, list, and remove counsel from the public list of those authorised."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="add|list|remove")
        add = commands.add_parser("add", help="authorise a lawyer or a firm")
        add.add_argument("--kind", required=True, choices=Counsel.Kind.values)
        add.add_argument("--name", required=True, help="as the bar or company registry writes it")
        add.add_argument("--name-en", default="", help="their Latin spelling, if they use one")
        add.add_argument("--firm", default="", help="for a lawyer: the firm they practise with")
        add.add_argument("--country", required=True, help="two-letter ISO code, e.g. RU")
        add.add_argument("--registration-number", default="", help="bar or company registration number")
        add.add_argument("--from", dest="authorised_from", type=str, default=None,
                         help="first day of the authorisation (default: today)")
        add.add_argument("--until", dest="authorised_until", type=str, default=None,
                         help="last day of the authorisation (default: until removed)")
        listing = commands.add_parser("list", help="list the counsel")
        listing.add_argument("--all", dest="show_all", action="store_true",
                             help="include withdrawn and ended authorisations")
        remove = commands.add_parser("remove", help="withdraw an authorisation at once")
        remove.add_argument("counsel_id", metavar="ID", type=int, help="the number `counsel list` shows")
        remove.add_argument("--reason", default="", help="kept in the audit log, never shown publicly")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            getattr(self, f"_{subcommand}")(**options)
        except actions.Refused as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc

    def _add(self, *, kind: str, name: str, name_en: str, firm: str, country: str, registration_number: str,
             authorised_from: str | None, authorised_until: str | None, **_options: Any) -> None:
        counsel = actions.add_counsel(
            kind=kind, name=name, name_en=name_en, firm=firm, country=country,
            registration_number=registration_number,
            authorised_from=_date(authorised_from) if authorised_from else timezone.localdate(),
            authorised_until=_date(authorised_until) if authorised_until else None, acting_user=None,
        )
        self.stdout.write(f"Added {counsel.pk}: {counsel.name} ({counsel.kind}, {counsel.country}), "
                          f"authorised from {counsel.authorised_from}"
                          + (f" until {counsel.authorised_until}." if counsel.authorised_until else "."))

    def _list(self, *, show_all: bool, **_options: Any) -> None:
        today = timezone.localdate()
        rows = [("ID", "KIND", "NAME", "FIRM", "COUNTRY", "REGISTRATION", "FROM", "UNTIL", "STANDING")]
        for c in Counsel.objects.all():
            standing = c.standing(today)
            if show_all or standing in {Counsel.Standing.AUTHORISED, Counsel.Standing.NOT_YET}:
                rows.append((str(c.pk), c.kind, c.name, c.firm or "-", c.country,
                             c.registration_number or "-", str(c.authorised_from),
                             str(c.authorised_until or "-"), standing.value))
        if len(rows) == 1:
            self.stdout.write("Nobody is on the list." if show_all else
                              "Nobody is authorised (--all shows withdrawn and ended authorisations).")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                              .rstrip())

    def _remove(self, *, counsel_id: int, reason: str, **_options: Any) -> None:
        counsel = actions.withdraw_authorisation(counsel_id, acting_user=None, reason=reason)
        self.stdout.write(f"Withdrew the authorisation of {counsel.pk}: {counsel.name}. The public list "
                          "now says so.")
