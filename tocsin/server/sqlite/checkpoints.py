"""When SQLite copies the write-ahead log back into the database file.

A commit appends pages to the log; a checkpoint copies them into the database
file and syncs it, after which the next writer starts the log again from its
beginning. SQLite checkpoints by itself inside the COMMIT of whichever
connection takes the log past ``wal_autocheckpoint`` pages, and our writers'
queue (see ``base``) is held until that COMMIT returns: every other writer
waits while one request copies pages and syncs the file. A report writes ~22
pages, so SQLite's default of 1000 made every ~45th report pay ~2.5 ms (mostly
the syncs), 4-7% of the time the write lock was held under sustained intake
(measured with one and two writing processes).

So Tocsin's connections checkpoint only past ``AUTOCHECKPOINT_PAGES``: one
checkpoint per ~450 reports costs ~9 ms, 1-1.5% of the lock's time."""

from __future__ import annotations

# ~40 MB of log at 4 KiB pages.
AUTOCHECKPOINT_PAGES = 10_000
