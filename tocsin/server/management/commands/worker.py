import logging
import signal
import threading

from django.core.management.base import BaseCommand

from tocsin.alerts import sla, worker
from tocsin.attestations import checks as attestation_checks
from tocsin.audit import anchoring
from tocsin.enrolment import notices as enrolment_notices
from tocsin.enrolment import reminders as enrolment_reminders
from tocsin.server import housekeeping
from tocsin.server.sqlite import checkpoints

log = logging.getLogger("tocsin.worker")


class Command(BaseCommand):
    help = "Run Tocsin's background worker (alerts, timers, housekeeping) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0,
                            help="seconds between housekeeping passes")
        parser.add_argument("--poll", type=float, default=2.0,
                            help="seconds between outbox polls when no wake-up arrives")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, interval, poll, once, **options):
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set())
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("worker started")
        try:
            # SLA timers every second: an escalation is as urgent as the alert it follows.
            # A certificate check alerts its issuer within 5 s and its organisation's
            # contact (a notice, mailed) within 35 s: the promise is "within 5 minutes".
            periodic = [(interval, housekeeping.run_once), (1.0, sla.run_due),
                        (5.0, attestation_checks.announce_due),
                        (60.0, enrolment_reminders.send_due_reminders),
                        (30.0, enrolment_notices.deliver_pending),
                        (3600.0, anchoring.send_anchor),
                        # Out of the requests' commits (SQLite only; see checkpoints).
                        (checkpoints.CHECKPOINT_EVERY_SECONDS, checkpoints.checkpoint)]
            worker.run(stop, periodic=periodic, poll_seconds=poll, once=once)
        finally:
            # Run in-process (call_command, tests), give the caller its handlers back.
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("worker stopped")
