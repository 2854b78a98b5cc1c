"""`tocsin serve`: migrate, then gunicorn and a background worker, supervised together."""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, then serve Tocsin (gunicorn) with a background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("TOCSIN_WEB_WORKERS", "2")),
                            help="gunicorn worker processes (default 2)")
        parser.add_argument("--no-worker", action="store_true",
                            help="web server only; run `tocsin worker` beside it, "
                                 "which opens new reports and sends alerts")

    def handle(self, *args, host, port, workers, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # No access log: it would record client addresses (threat model).
        web = [sys.executable, "-m", "gunicorn", "tocsin.wsgi:application",
               "--config", "python:tocsin.server.gunicorn_config",
               "--bind", f"{'[' + host + ']' if ':' in host else host}:{port}",
               "--workers", str(workers), "--worker-class", "sync",
               "--timeout", "300", "--graceful-timeout", "20", "--no-control-socket"]
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        # Before the children start, so a stop request never leaves them orphaned.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        children = {"web": subprocess.Popen(web)}  # noqa: S603
        worker_cmd = [sys.executable, "-m", "tocsin", "worker"]
        if not no_worker:
            children["worker"] = subprocess.Popen(worker_cmd)  # noqa: S603
        self.stdout.write(f"Tocsin is serving on http://{host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        try:
            while not stopping:
                if children["web"].poll() is not None:
                    self.stderr.write("the web server exited; stopping")
                    break
                worker = children.get("worker")
                if worker is not None and worker.poll() is not None:
                    self.stderr.write("the worker exited; restarting it")
                    children["worker"] = subprocess.Popen(worker_cmd)  # noqa: S603
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    child.kill()
        code = children["web"].returncode
        if code not in (0, None, -signal.SIGTERM) and not stopping:
            sys.exit(code)
