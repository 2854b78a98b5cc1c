"""Waking the worker the moment an alert, or a report to open, commits: not at its next poll.

PostgreSQL: ``NOTIFY`` inside the transaction is delivered to listeners only
when it commits -- exactly the moment we want, to every worker on every
machine. SQLite (one machine): after commit, the web process sends one
datagram to each worker's Unix socket in ``DATA_DIR/wakeup/``. Either way,
polling remains as the fallback that guarantees nothing is missed if a
wake-up is lost (a worker restarting, a full socket buffer, a dropped
database connection)."""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import secrets
import select
import socket
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger("tocsin.worker")

CHANNEL = "tocsin_outbox"
# sockaddr_un holds 108 bytes; a longer path cannot be bound.
MAX_SOCKET_PATH = 100


def socket_dir() -> Path:
    return Path(settings.DATA_DIR) / "wakeup"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _send_datagrams() -> None:
    """Wake every worker of this data directory. Never raises: the commit has
    happened, and a lost wake-up only costs a poll interval."""
    try:
        entries = [entry for entry in os.scandir(socket_dir()) if entry.name.endswith(".sock")]
    except OSError:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        for entry in entries:
            try:
                sock.sendto(b"!", entry.path)
            except ConnectionRefusedError:
                # Nobody is bound to it: its worker died without cleaning up.
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
            except OSError:
                pass  # buffer full: that worker has wake-ups waiting already


def notify_on_commit() -> None:
    """Call inside the transaction that writes alert rows."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    else:
        transaction.on_commit(_send_datagrams)


def _pg_params() -> dict[str, Any]:
    """Django's own connection parameters, less its cursor class and adapters:
    the listener is a plain psycopg connection outside Django."""
    params = dict(connection.get_connection_params())
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return params


class Woken(enum.Flag):
    """Why ``Listener.wait`` returned; false if nothing woke it."""

    NOTHING = 0
    COMMIT = enum.auto()  # alerts committed (or may have: the listener was deaf for a while)
    POKE = enum.auto()  # one of the worker's own threads poked it


class Listener:
    """What a worker waits on between passes: wake-ups from committing
    transactions, and ``poke()`` from the worker's own threads (a delivery
    finished, so its result can be recorded and its slot reused)."""

    RECONNECT_SECONDS = 5.0

    def __init__(self) -> None:
        self._pg: Any = None
        self._pg_params: dict[str, Any] | None = None
        self._pg_retry_at = 0.0
        self._sock: socket.socket | None = None
        self._path: Path | None = None
        self._poke_r, self._poke_w = os.pipe()
        os.set_blocking(self._poke_r, False)
        os.set_blocking(self._poke_w, False)
        if _is_postgres():
            self._pg_params = _pg_params()
            self._connect_pg()
        else:
            self._bind()

    # -- sources ------------------------------------------------------------
    def _connect_pg(self) -> None:
        import psycopg

        try:
            self._pg = psycopg.connect(autocommit=True, **(self._pg_params or {}))
            self._pg.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("cannot listen for wake-ups (%s); polling until it can", exc)
            self._drop_pg()

    def _drop_pg(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
        self._pg = None
        self._pg_retry_at = time.monotonic() + self.RECONNECT_SECONDS

    def _bind(self) -> None:
        folder = socket_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        if len(str(path)) > MAX_SOCKET_PATH:
            log.warning("data directory path too long for a wake-up socket; polling only")
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(str(path))
        except OSError as exc:
            sock.close()
            log.warning("cannot bind the wake-up socket %s (%s); polling only", path, exc)
            return
        sock.setblocking(False)
        self._sock, self._path = sock, path

    @property
    def listening(self) -> bool:
        """True if a commit can wake this listener (else it only polls)."""
        return self._pg is not None or self._sock is not None

    # -- waiting ------------------------------------------------------------
    def poke(self) -> None:
        """Wake ``wait`` from another thread. Never blocks."""
        with contextlib.suppress(OSError):
            os.write(self._poke_w, b"!")

    def _drain_pg(self) -> None:
        import psycopg

        try:
            # Twice: a terminated backend first sends its farewell, then closes;
            # the second read sees the close at once if it has come.
            for _ in range(2):
                self._pg.pgconn.consume_input()
                while self._pg.pgconn.notifies() is not None:
                    pass
        except psycopg.Error as exc:
            log.warning("lost the wake-up connection (%s); polling until it is back", exc)
            self._drop_pg()

    def _pg_fileno(self) -> int | None:
        import psycopg

        if self._pg is None:
            return None
        try:
            return int(self._pg.fileno())
        except psycopg.Error as exc:
            log.warning("lost the wake-up connection (%s); polling until it is back", exc)
            self._drop_pg()
            return None

    def wait(self, timeout: float, *, commits: bool = True) -> Woken:
        """Block until woken or ``timeout`` passes; say by what. With
        ``commits`` false only a poke wakes it: a worker that will look at
        the database when ``timeout`` passes anyway need not wake for every
        commit meanwhile (under load, one a report); their wake-ups wait."""
        if self._pg_params is not None and self._pg is None and time.monotonic() >= self._pg_retry_at:
            self._connect_pg()
            if self._pg is not None:
                return Woken.COMMIT  # anything may have committed while we were deaf
        sources: list[Any] = [self._poke_r]
        pg_fd = self._pg_fileno() if commits else None
        if pg_fd is not None:
            sources.append(pg_fd)
        if self._sock is not None and commits:
            sources.append(self._sock)
        ready, _, _ = select.select(sources, [], [], max(timeout, 0.0))
        woken = Woken.NOTHING
        if self._poke_r in ready:
            woken |= Woken.POKE
            with contextlib.suppress(BlockingIOError):
                while os.read(self._poke_r, 512):
                    pass
        if self._sock is not None and self._sock in ready:
            woken |= Woken.COMMIT
            with contextlib.suppress(BlockingIOError):
                while self._sock.recv(64):
                    pass
        if pg_fd is not None and pg_fd in ready:
            # Also when the connection was lost: it polls meanwhile, and says
            # COMMIT once it listens again.
            woken |= Woken.COMMIT
            self._drain_pg()
        return woken

    def close(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
            self._pg = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()
        for fd in (self._poke_r, self._poke_w):
            with contextlib.suppress(OSError):
                os.close(fd)
