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


def run(stop: threading.Event, *, periodic: list[tuple[float, Callable[[], object]]],
        poll_seconds: float = 2.0, threads: int = 8) -> None:
    """Run until ``stop`` is set. ``periodic`` lists (every seconds, job)."""
    transport.install_connect_guard()
    apprise.Apprise.instantiate("json://localhost/")  # load Apprise's plugins now, not on the first alert
    listener = wakeup.Listener()
    last_run = [0.0] * len(periodic)
    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="alert") as pool:
            while not stop.is_set():
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
                listener.wait(poll_seconds)
    finally:
        listener.close()
