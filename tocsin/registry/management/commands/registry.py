"""`tocsin registry import FILE.csv`: load organisations into the registry.

Messages are for administrators at a terminal, in English like Django's own
commands. Bad rows are reported with their line numbers on stderr and
skipped; the import exits non-zero if any row was bad, so a script notices."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tocsin.registry.importing import BATCH_SIZE, ImportFileError, import_registry


class Command(BaseCommand):
    help = "Manage the registry of organisations: import a CSV file."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser(
            "import", help="import organisations from a CSV file with columns "
                           "id,name,name_en,kind,country,inn,ogrn,status; re-importing updates")
        load.add_argument("file", help="the CSV file (UTF-8)")
        load.add_argument("--quiet", action="store_true", help="no progress bar")
        load.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                          help=f"rows per transaction (default {BATCH_SIZE})")

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _import(self, *, file, quiet, batch_size, **_):
        path = Path(file)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            stream = path.open("rb")
        except OSError as e:
            raise CommandError(f"cannot read {file}: {e.strerror}") from e
        # The bar goes to stderr and only to a terminal: piped output and
        # logs stay clean.
        show = not quiet and sys.stderr.isatty()
        with stream, tqdm(total=path.stat().st_size, unit="B", unit_scale=True, disable=not show,
                          file=sys.stderr, desc="import") as bar:
            try:
                report = import_registry(stream, source=path.name, batch_size=batch_size,
                                         progress=bar.update)
            except ImportFileError as e:
                raise CommandError(f"{file}: {e}; nothing stored") from e
        for bad in report.bad:
            self.stderr.write(f"{file}:{bad.line}: skipped: {bad.reason}")
        if report.bad_count > len(report.bad):
            self.stderr.write(f"... and {report.bad_count - len(report.bad)} more bad rows")
        self.stdout.write(f"{report.created} created, {report.updated} updated, "
                          f"{report.unchanged} unchanged, {report.bad_count} skipped")
        if report.bad_count:
            raise CommandError(f"{report.bad_count} bad row(s) skipped", returncode=2)
