"""When SQLite copies the write-ahead log back into the database file.

A commit appends pages to the log; a checkpoint copies them into the database
file and syncs it, after which the next writer starts the log again from its
beginning. SQLite checkpoints by itself inside the COMMIT of whichever
connection takes the log past ``wal_autocheckpoint`` pages, and our writers'
queue (see ``base``) is held until that COMMIT returns: every other writer
waits while one request copies pages and syncs the file. When a report wrote
~22 pages (before the worker took over opening reports: ~12 since),
SQLite's default of 1000 made every ~45th report pay ~2.5 ms (mostly the
syncs), 4-7% of the time the write lock was held under sustained intake
(measured with one and two writing processes).

So the worker checkpoints every ``CHECKPOINT_EVERY_SECONDS`` outside the
queue (a PASSIVE checkpoint never blocks a writer, nor waits for one), and
Tocsin's connections checkpoint by themselves only past
``AUTOCHECKPOINT_PAGES``. That safety net is still needed: a checkpoint that
runs while writers keep appending never finds the whole log copied, so the
log is never started again and grows for as long as writes keep coming
without a pause (a flood of reports); one run inside a commit, with the queue
held, is the only kind nothing appends to. It also bounds the log when no
worker runs (``tocsin serve --no-worker``). Past it, one checkpoint per ~450
reports costs ~9 ms, 1-1.5% of the lock's time.

A reader holding an old snapshot (a long export) stops any checkpoint at the
frame it reads from, and the log from being started again, until it finishes;
the log grows meanwhile and is caught up by the next checkpoint after it."""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection

# ~40 MB of log at 4 KiB pages.
AUTOCHECKPOINT_PAGES = 10_000
CHECKPOINT_EVERY_SECONDS = 1.0


class Checkpoint(NamedTuple):
    busy: bool  # another checkpoint was running, or a reader stopped this one short
    log_frames: int  # frames in the log (-1: the database is not in WAL mode)
    copied_frames: int  # of which now in the database file


def checkpoint() -> Checkpoint | None:
    """Copy what the log holds into the database file, as far as readers allow,
    without waiting for the writers' queue or holding it up (None: not SQLite).
    Call it outside a transaction."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, log_frames, copied_frames = cursor.fetchone()
    return Checkpoint(bool(busy), log_frames, copied_frames)
