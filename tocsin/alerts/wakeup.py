"""Waking the worker the moment an alert commits, instead of waiting for a poll.

PostgreSQL: ``NOTIFY`` inside the transaction is delivered to listeners only
when it commits -- exactly the moment we want. SQLite: after commit, the web
process sends one datagram to a Unix socket in the data directory that the
worker listens on. Either way, polling remains as the fallback that
guarantees nothing is missed if a wake-up is lost."""

from __future__ import annotations

import contextlib
import select
import socket
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

CHANNEL = "tocsin_outbox"


def _socket_path() -> Path:
    return Path(settings.DATA_DIR) / "worker.sock"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _send_datagram() -> None:
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        sock.sendto(b"!", str(_socket_path()))


def notify_on_commit() -> None:
    """Call inside the transaction that writes alert rows."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    else:
        transaction.on_commit(_send_datagram)


class Listener:
    """What a worker waits on between passes."""

    def __init__(self) -> None:
        self._pg = None
        self._sock: socket.socket | None = None
        if _is_postgres():
            import psycopg

            params = connection.get_connection_params()
            self._pg = psycopg.connect(autocommit=True, **params)
            self._pg.execute(f"LISTEN {CHANNEL}")
        else:
            path = _socket_path()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                sock.bind(str(path))
            except OSError:
                sock.close()  # another worker holds it: this one only polls
            else:
                sock.setblocking(False)
                self._sock = sock

    def wait(self, timeout: float) -> bool:
        """Block until woken or ``timeout`` passes; True if woken."""
        if self._pg is not None:
            woken = False
            for _ in self._pg.notifies(timeout=timeout, stop_after=1):
                woken = True
            return woken
        if self._sock is not None:
            ready, _, _ = select.select([self._sock], [], [], timeout)
            if ready:
                with contextlib.suppress(BlockingIOError):
                    while self._sock.recv(64):
                        pass
                return True
            return False
        select.select([], [], [], timeout)
        return False

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
        if self._sock is not None:
            self._sock.close()
            with contextlib.suppress(FileNotFoundError):
                _socket_path().unlink()
