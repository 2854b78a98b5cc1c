import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tocsin.server import housekeeping

log = logging.getLogger("tocsin.worker")


class Command(BaseCommand):
    help = "Run Tocsin's background worker until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, interval, once, **options):
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set())
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("worker started")
        try:
            while not stop.is_set():
                try:
                    housekeeping.run_once()
                except Exception:
                    log.exception("housekeeping pass failed; retrying next pass")
                finally:
                    close_old_connections()
                if once:
                    break
                stop.wait(interval)
        finally:
            # Run in-process (call_command, tests), give the caller its handlers back.
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("worker stopped")
