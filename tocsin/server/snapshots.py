"""Per-process snapshots of the directory: who receives a report and how.

Routing a report needs the teams, their responders' public keys, the team's
alert channels and response-time policy -- a dozen queries that return the
same rows for weeks. Each process keeps a copy, tagged with the value of
``accounts.DirectoryVersion`` it was loaded at; database triggers change that
value whenever any of those rows change (see the accounts and alerts
migrations). The intake reads the value once, inside the report's
transaction, and retries with a fresh copy when it moved: a report is never
sealed to a responder who was deactivated before it committed, and the hot
path costs one indexed read instead of the dozen.

A missing row (a flushed test database) means "unknown": nothing is cached."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from .rows import Statement

T = TypeVar("T")

TABLE = "accounts_directory_version"
MAX_SAFE = 2**53 - 1  # PostgreSQL's random() is a double: 53 bits of it


class Stale(Exception):
    """The directory changed after the snapshot was taken: reload and redo."""


_read_version = Statement(f"SELECT value FROM {TABLE} WHERE id = 1")  # noqa: S608 -- a constant


def directory_version() -> int | None:
    found = _read_version.rows()
    return int(found[0][0]) if found else None


class Snapshot(Generic[T]):
    """``load()``'s result, reloaded when the directory version changes.

    The version is read *before* loading, so a change committed while loading
    leaves the copy tagged older than it is: the next check reloads it again,
    never the other way round."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._held: tuple[int | None, T] | None = None

    def at(self, version: int | None) -> T:
        """The copy for ``version``, loading it if the one held is older."""
        held = self._held
        if held is not None and held[0] is not None and held[0] == version:
            return held[1]
        with self._lock:
            value = self._load()
            self._held = (version, value)
        return value

    def latest(self) -> tuple[int | None, T]:
        """The copy held, without asking the database whether it is current
        (the caller confirms it in its transaction); loaded if none is held."""
        held = self._held
        if held is not None and held[0] is not None:
            return held
        version = directory_version()
        return version, self.at(version)

    def fresh(self) -> tuple[int | None, T]:
        """A copy confirmed current now: for answers that must not be stale
        in the reporter's disfavour ("nobody can read your report")."""
        version = directory_version()
        return version, self.at(version)

    def forget(self) -> None:
        self._held = None


# -- The triggers that change the version --------------------------------------

def _sqlite_trigger(name: str, event: str, table: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return (f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} BEGIN "  # noqa: S608
            f"INSERT INTO {TABLE} (id, value) VALUES (1, random()) "
            "ON CONFLICT (id) DO UPDATE SET value = excluded.value; END")


POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION accounts_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (id, value) VALUES (1, floor(random() * {MAX_SAFE})::bigint)
    ON CONFLICT (id) DO UPDATE SET value = excluded.value;
    RETURN NULL;
END $$
"""  # noqa: S608 -- constants


def trigger_sql(vendor: str, table: str, *, only_column: str | None = None) -> list[str]:
    """Statements that make every insert, delete and update of ``table``
    (with ``only_column``: every change of that column) change the version."""
    name = f"{table}_directory"
    if vendor == "postgresql":
        each = "FOR EACH STATEMENT EXECUTE FUNCTION accounts_directory_changed()"
        if only_column is None:
            return [f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} {each}"]
        return [
            f"CREATE TRIGGER {name} AFTER INSERT OR DELETE ON {table} {each}",
            f"CREATE TRIGGER {name}_{only_column} AFTER UPDATE OF {only_column} ON {table} FOR EACH ROW "
            f"WHEN (OLD.{only_column} IS DISTINCT FROM NEW.{only_column}) "
            "EXECUTE FUNCTION accounts_directory_changed()",
        ]
    if vendor == "sqlite":
        update = ("UPDATE", "") if only_column is None else (
            f"UPDATE OF {only_column}", f"OLD.{only_column} IS NOT NEW.{only_column}")
        return [_sqlite_trigger(f"{name}_insert", "INSERT", table),
                _sqlite_trigger(f"{name}_delete", "DELETE", table),
                _sqlite_trigger(f"{name}_update", update[0], table, update[1])]
    raise NotImplementedError(f"no directory triggers for {vendor}")


def drop_trigger_sql(vendor: str, table: str, *, only_column: str | None = None) -> list[str]:
    name = f"{table}_directory"
    if vendor == "postgresql":
        names = [name] + ([f"{name}_{only_column}"] if only_column else [])
        return [f"DROP TRIGGER IF EXISTS {n} ON {table}" for n in names]
    return [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in ("insert", "delete", "update")]
