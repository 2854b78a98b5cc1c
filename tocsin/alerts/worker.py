"""The worker's loop: deliver alerts as soon as they commit, then the periodic jobs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import apprise
from django.db import close_old_connections

from . import outbox, transport, wakeup

log = logging.getLogger("tocsin.worker")

Periodic = list[tuple[float, Callable[[], object]]]


def _one_pass(stop: threading.Event, pool: ThreadPoolExecutor, periodic: Periodic,
              last_run: list[float]) -> None:
    try:
        while outbox.deliver_due(pool) and not stop.is_set():
            pass
        now = time.monotonic()
        for index, (every, job) in enumerate(periodic):
            if now - last_run[index] >= every:
                last_run[index] = now
                job()
    except Exception:
        log.exception("worker pass failed; retrying")
        stop.wait(1.0)
    finally:
        close_old_connections()


def run(stop: threading.Event, *, periodic: Periodic, poll_seconds: float = 2.0, threads: int = 8,
        once: bool = False) -> None:
    """Run until ``stop`` is set (or one pass, with ``once``).

    ``periodic`` lists (every seconds, job). Between passes the worker sleeps
    until an alert commits (see ``wakeup``) or ``poll_seconds`` pass; the poll
    catches retries falling due and rows whose worker died mid-delivery."""
    transport.install_connect_guard()
    apprise.Apprise.instantiate("json://localhost/")  # load Apprise's plugins now, not on the first alert
    last_run = [float("-inf")] * len(periodic)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="alert") as pool:
        if once:
            _one_pass(stop, pool, periodic, last_run)
            return
        listener = wakeup.Listener()
        try:
            while not stop.is_set():
                _one_pass(stop, pool, periodic, last_run)
                listener.wait(poll_seconds)
        finally:
            listener.close()
