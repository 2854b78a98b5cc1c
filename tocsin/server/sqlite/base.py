"""Django's SQLite backend, with writers queued at a file lock instead of SQLite's sleeps.

SQLite lets one transaction write at a time. A writer that finds the lock
taken is put to sleep by SQLite's busy handler for 1, 2, 5, 10 ... ms and
then tries again, so whoever is waiting keeps sleeping well past the moment
the lock is free: with two web workers each holding it ~2 ms per report,
most of a report's time was spent asleep. Here every transaction first takes
an exclusive ``flock`` on a file beside the database, trying again every
0.1 ms at first and never less often than every millisecond, so writers
follow each other within a millisecond, and SQLite's own lock is then free
when BEGIN IMMEDIATE asks. (A blocking ``flock`` would hand over at once, but
it cannot time out.)

Every Tocsin process (web, worker, commands) opens the database through this
backend, so all of them queue at the same file. Writes outside a transaction
(autocommit) and other programs opening the database still work: they meet
SQLite's lock and its busy handler as before. The kernel drops a dead
process's lock. A writer waits for the file lock at most as long as the
database's timeout, then goes on to BEGIN IMMEDIATE (and SQLite's own wait),
so a stuck holder gives "database is locked" as before, never a hang.

The queue is held until COMMIT returns, and so through any checkpoint SQLite
runs inside that COMMIT: connections opened here checkpoint by themselves
only rarely, and the worker does it outside the queue (see ``checkpoints``)."""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base

from .checkpoints import AUTOCHECKPOINT_PAGES


class WriterQueue:
    """One connection's place in the queue of writers of one database file."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + self.timeout
        pause = 0.0001
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's own busy timeout decides from here
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
                continue
            self.held = True
            return

    def release(self) -> None:
        if self.held and self.fd is not None:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers: WriterQueue | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        return conn

    def _queue(self) -> WriterQueue | None:
        if self._writers is None and not self.is_in_memory_db():
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
            self._writers = WriterQueue(f"{self.settings_dict['NAME']}-writers", timeout)
        return self._writers

    def _start_transaction_under_autocommit(self) -> None:
        queue = self._queue()
        if queue is not None:
            queue.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in the stubs
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._writers is not None:
            self._writers.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            if self._writers is not None:
                self._writers.close()
                self._writers = None
