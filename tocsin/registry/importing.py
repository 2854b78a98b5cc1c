"""Loading the registry from a CSV file: streamed, batched, bad rows reported and skipped.

The file has the columns ``id,name,name_en,kind,country,inn,ogrn,status``
(``id``, ``name``, ``kind`` and ``country`` are required; the others may be
absent or empty). ``id`` is the organisation's external reference (``ref``).

Decisions where the issue is silent:

- Re-importing updates rather than duplicates: a row whose ``id`` is already
  in the registry updates that organisation's names, kind, country and
  identifiers. Its status is only ever raised (registered < enrolled <
  attested): a stale file must not take protection away from a group Tocsin
  has enrolled. A change of name or kind of an enrolled or attested
  organisation sets ``requalify``, as enrolment does.
- ``inn`` and ``ogrn`` are Russia's identifiers whatever the row's country
  (the file format has no other identifier columns); they are checked by
  their check digits and must not belong to another organisation, in the file
  or already in the registry.
- Memory stays bounded whatever the file's size: the file is read a line at a
  time, rows go to the database in batches (each batch its own transaction),
  and the identifiers seen so far, needed to find duplicates within the file,
  live in a temporary on-disk SQLite index rather than in Python sets.
- Each batch commits on its own, so a crash midway leaves the batches before
  it stored; running the import again finishes the job, because re-importing
  is idempotent. One audit entry summarises the whole import.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from tocsin.audit import log as audit
from tocsin.registry import countries
from tocsin.registry.identifiers import InvalidIdentifier, normalise_inn, normalise_ogrn
from tocsin.registry.models import Organisation
from tocsin.registry.signals import organisations_imported

REQUIRED_COLUMNS = ("id", "name", "kind", "country")
OPTIONAL_COLUMNS = ("name_en", "inn", "ogrn", "status")
BATCH_SIZE = 2000
# How far each status goes; an import only ever moves an organisation up.
STATUS_RANK = {Organisation.Status.REGISTERED.value: 0, Organisation.Status.ENROLLED.value: 1,
               Organisation.Status.ATTESTED.value: 2}
KINDS = tuple(Organisation.Kind.values)
STATUSES = tuple(Organisation.Status.values)
# The columns a row sets; every other column takes the model's default.
FROM_FILE = ("ref", "name", "name_en", "kind", "country", "inn", "ogrn", "status")
# What an update compares and writes (ref is the key; requalify may be set).
UPDATED = ("name", "name_en", "kind", "country", "inn", "ogrn", "status", "requalify")
# Progress is reported every this many lines: calling tqdm per line costs more than parsing.
PROGRESS_EVERY = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_LENGTHS = {"id": 64, "name": 500, "name_en": 500}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing columns, empty); nothing was stored."""


@dataclasses.dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRow] = dataclasses.field(default_factory=list)
    # Bad rows beyond this many are counted, not kept (a wrong file could have millions).
    bad_count: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.bad_count


MAX_BAD_KEPT = 10_000


@dataclasses.dataclass
class _Row:
    line: int
    ref: str
    name: str
    name_en: str
    kind: str
    country: str
    inn: str
    ogrn: str
    status: str


class _Lines:
    """Decoded lines of a binary stream, remembering which lines were not valid UTF-8.

    Each line is decoded on its own so a broken byte is pinned to its line
    and the rest of the file still imports."""

    def __init__(self, stream: IO[bytes], progress: Callable[[int], Any] | None) -> None:
        self.stream = stream
        self.progress = progress
        self.broken: set[int] = set()
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        unreported = 0
        for raw in self.stream:
            self.number += 1
            unreported += len(raw)
            if self.progress is not None and self.number % PROGRESS_EVERY == 0:
                self.progress(unreported)
                unreported = 0
            if self.number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.broken.add(self.number)
                yield raw.decode("utf-8", errors="replace")
        if self.progress is not None and unreported:
            self.progress(unreported)


class _SeenIndex:
    """Identifiers already seen in this file, with their line, kept on disk.

    A million rows would need hundreds of megabytes as Python sets; a
    temporary SQLite file keeps the importer's memory flat."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="tocsin-import-", suffix=".sqlite3")
        os.close(fd)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def lookup(self, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT key, line FROM seen WHERE key IN ({marks})",  # noqa: S608
                                         chunk))
        return found

    def add(self, pairs: list[tuple[str, int]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", pairs)

    def close(self) -> None:
        self.db.close()
        os.unlink(self.path)


def _check_header(fieldnames: Sequence[str] | None) -> list[str]:
    if not fieldnames:
        raise ImportFileError("the file is empty: expected a header line "
                              f"{','.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    names = [n.strip() for n in fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ImportFileError(f"missing required column(s): {', '.join(missing)} "
                              f"(the header has: {', '.join(names)})")
    return names


def _parse_row(line: int, header: list[str], values: list[str]) -> _Row | BadRow:
    """A row's fields cleaned and checked on their own (duplicates are checked later)."""
    if len(values) != len(header):
        return BadRow(line, f"has {len(values)} field(s), the header has {len(header)}")
    cells = {column: value.strip() for column, value in zip(header, values, strict=True)}
    for column, cell in cells.items():
        # NUL cannot be stored in PostgreSQL text, and no name holds a line break or a tab.
        if _CONTROL.search(cell):
            return BadRow(line, f"{column} contains a control character")
    for column in REQUIRED_COLUMNS:
        if not cells.get(column):
            return BadRow(line, f"{column} is empty")
    for column, limit in _MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            return BadRow(line, f"{column} is longer than {limit} characters")
    kind = cells["kind"]
    if kind not in KINDS:
        return BadRow(line, f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    country = cells["country"].upper()
    if not countries.is_known(country):
        return BadRow(line, f"unknown country code {cells['country']!r} (expected ISO 3166 alpha-2)")
    status = cells.get("status") or Organisation.Status.REGISTERED
    if status not in STATUSES:
        return BadRow(line, f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    try:
        inn = normalise_inn(cells["inn"]) if cells.get("inn") else ""
        ogrn = normalise_ogrn(cells["ogrn"]) if cells.get("ogrn") else ""
    except InvalidIdentifier as e:
        return BadRow(line, str(e))
    return _Row(line=line, ref=cells["id"], name=cells["name"], name_en=cells.get("name_en", ""),
                kind=kind, country=country, inn=inn, ogrn=ogrn, status=status)


def _keys(row: _Row) -> list[str]:
    """The index key of each identifier a row claims: "id:…", "inn:…", "ogrn:…"."""
    keys = ["id:" + row.ref]
    if row.inn:
        keys.append("inn:" + row.inn)
    if row.ogrn:
        keys.append("ogrn:" + row.ogrn)
    return keys


def _label(key: str) -> str:
    scheme, value = key.split(":", 1)
    return f"{'id' if scheme == 'id' else scheme.upper()} {value}"


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _Importer:
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.seen = _SeenIndex()

    def reject(self, bad: BadRow) -> None:
        self.report.bad_count += 1
        if len(self.report.bad) < MAX_BAD_KEPT:
            self.report.bad.append(bad)

    def batch(self, rows: list[_Row]) -> None:
        rows = self._unique_in_file(rows)
        rows = self._unique_in_registry(rows)
        if rows:
            self._store(rows)

    def _unique_in_file(self, rows: list[_Row]) -> list[_Row]:
        keyed = [(row, _keys(row)) for row in rows]
        earlier = self.seen.lookup([k for _, keys in keyed for k in keys])
        kept: list[_Row] = []
        pairs: list[tuple[str, int]] = []
        for row, keys in keyed:
            clash = next((k for k in keys if k in earlier), None)
            if clash:
                self.reject(BadRow(row.line, f"duplicate {_label(clash)} (already on line {earlier[clash]})"))
                continue
            for key in keys:
                earlier[key] = row.line
                pairs.append((key, row.line))
            kept.append(row)
        self.seen.add(pairs)
        return kept

    def _unique_in_registry(self, rows: list[_Row]) -> list[_Row]:
        """Drop rows whose INN or OGRN already belongs to another organisation."""
        sql = _Statements.get()
        owner_of_inn = sql.owners("inn", [r.inn for r in rows if r.inn])
        owner_of_ogrn = sql.owners("ogrn", [r.ogrn for r in rows if r.ogrn])
        kept = []
        for row in rows:
            if row.inn and owner_of_inn.get(row.inn, row.ref) != row.ref:
                self.reject(BadRow(row.line, f"duplicate INN {row.inn} (already registered to "
                                             f"{owner_of_inn[row.inn]})"))
            elif row.ogrn and owner_of_ogrn.get(row.ogrn, row.ref) != row.ref:
                self.reject(BadRow(row.line, f"duplicate OGRN {row.ogrn} (already registered to "
                                             f"{owner_of_ogrn[row.ogrn]})"))
            else:
                kept.append(row)
        return kept

    def _store(self, rows: list[_Row]) -> None:
        """Insert new organisations and update changed ones, in one transaction.

        Plain parameterised SQL through Django's connection rather than
        bulk_create/bulk_update: building a model instance and compiling each
        value costs ten times the insert itself, and an import of a million
        rows is exactly where that matters. The column list and defaults come
        from the model, so a new field cannot be forgotten."""
        sql = _Statements.get()
        with transaction.atomic(), connection.cursor() as cursor:
            now = sql.timestamp(timezone.now())
            existing: dict[str, tuple[Any, ...]] = {}
            for refs in _chunks([r.ref for r in rows]):
                cursor.execute(sql.select.format(marks=", ".join(["%s"] * len(refs))), refs)
                existing.update((found[1], found) for found in cursor.fetchall())
            new, changed = [], []
            for row in rows:
                current = existing.get(row.ref)
                if current is None:
                    new.append(sql.insert_values(row, now))
                    continue
                wanted = _updated(current[2:], row)
                if wanted is None:
                    self.report.unchanged += 1
                else:
                    changed.append([*wanted, now, current[0]])
            if new:
                cursor.executemany(sql.insert, new)
            if changed:
                cursor.executemany(sql.update, changed)
            if new or changed:
                created, updated = len(new), len(changed)
                transaction.on_commit(lambda: organisations_imported.send(
                    sender=Organisation, created=created, updated=updated))
        self.report.created += len(new)
        self.report.updated += len(changed)


class _Statements:
    """The import's SQL for the current database, with the model's defaults prepared once."""

    def __init__(self) -> None:
        meta = Organisation._meta
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in fields]
        self.table = table = quote(meta.db_table)
        self.insert = (f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
                       f"VALUES ({', '.join(['%s'] * len(fields))})")
        self.defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields
                         if f.attname not in FROM_FILE and f.attname not in ("created_at", "updated_at")}
        self.timestamp_field = meta.get_field("updated_at")
        # A row's values: the defaults, with the file's columns and the timestamps put in.
        self.template = [self.defaults.get(c) for c in self.columns]
        self.from_row = [(i, c) for i, c in enumerate(self.columns) if c in FROM_FILE]
        self.stamped = [i for i, c in enumerate(self.columns) if c in ("created_at", "updated_at")]
        # Field names are column names here: the registry has no foreign keys.
        compared = ", ".join(quote(f) for f in UPDATED)
        self.select = (f"SELECT {quote('id')}, {quote('ref')}, {compared} FROM {table} "  # noqa: S608
                       f"WHERE {quote('ref')} IN ({{marks}})")
        assignments = ", ".join(f"{quote(f)} = %s" for f in (*UPDATED, "updated_at"))
        self.update = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608

    def owners(self, column: str, values: list[str]) -> dict[str, str]:
        """{identifier: ref} of the organisations already holding these INNs or OGRNs."""
        quote = connection.ops.quote_name
        found: dict[str, str] = {}
        with connection.cursor() as cursor:
            for chunk in _chunks(values):
                cursor.execute(f"SELECT {quote(column)}, {quote('ref')} FROM {self.table} "  # noqa: S608
                               f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(chunk))})", chunk)
                found.update(cursor.fetchall())
        return found

    def timestamp(self, moment: Any) -> Any:
        return self.timestamp_field.get_db_prep_save(moment, connection)

    def insert_values(self, row: _Row, now: Any) -> list[Any]:
        values = self.template.copy()
        for index, attribute in self.from_row:
            values[index] = getattr(row, attribute)
        for index in self.stamped:
            values[index] = now
        return values

    @classmethod
    def get(cls) -> _Statements:
        # Per database vendor: tests run the same process on SQLite and PostgreSQL.
        cached = _STATEMENTS.get(connection.vendor)
        if cached is None:
            cached = _STATEMENTS[connection.vendor] = cls()
        return cached


_STATEMENTS: dict[str, _Statements] = {}


def _updated(current: tuple[Any, ...], row: _Row) -> list[Any] | None:
    """The UPDATED values bringing an organisation in line with ``row``, or None if nothing changes."""
    name, kind, status = current[0], current[2], current[6]
    requalify = bool(current[7]) or (status != Organisation.Status.REGISTERED
                                     and (name != row.name or kind != row.kind))
    wanted = [row.name, row.name_en, row.kind, row.country, row.inn, row.ogrn,
              row.status if STATUS_RANK[row.status] > STATUS_RANK[status] else status, requalify]
    return None if wanted == [*current[:7], bool(current[7])] else wanted


def import_registry(stream: IO[bytes], *, acting_user: Any = None, source: str = "",
                    batch_size: int = BATCH_SIZE,
                    progress: Callable[[int], Any] | None = None) -> ImportReport:
    """Import organisations from a binary CSV stream; returns what happened.

    Raises ImportFileError, storing nothing, if the header lacks a required
    column. ``progress`` is called with the byte counts read, every few lines.
    """
    lines = _Lines(stream, progress)
    reader = csv.reader(lines)
    try:
        header = _check_header(next(reader, None))
    except csv.Error as e:
        raise ImportFileError(f"the header line is not valid CSV: {e}") from e
    if 1 in lines.broken:
        raise ImportFileError("the header line is not valid UTF-8")
    report = ImportReport()
    importer = _Importer(report)
    try:
        pending: list[_Row] = []
        first_line = lines.number + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                importer.reject(BadRow(first_line, f"is not valid CSV: {e}"))
                lines.broken.clear()
                first_line = lines.number + 1
                continue
            last_line = lines.number
            broken = sorted(n for n in lines.broken if n <= last_line)
            lines.broken.difference_update(broken)
            if broken:
                importer.reject(BadRow(first_line, f"is not valid UTF-8 (line {broken[0]})"))
            elif values:  # a blank line is no row
                parsed = _parse_row(first_line, header, values)
                if isinstance(parsed, BadRow):
                    importer.reject(parsed)
                else:
                    pending.append(parsed)
            first_line = last_line + 1
            if len(pending) >= batch_size:
                importer.batch(pending)
                pending = []
        if pending:
            importer.batch(pending)
    finally:
        importer.seen.close()
    with transaction.atomic():
        audit.record("registry.imported", actor=acting_user, target=source[:200],
                     created=report.created, updated=report.updated, unchanged=report.unchanged,
                     bad=report.bad_count)
    return report
