"""Helpers for the delivery tests: channels added the way an administrator
adds them, and real worker processes on the test database.

Worker processes see the test database because it is a real one: a file on
SQLite (settings_test) or the test database on PostgreSQL, named to them in
``DATABASE_URL``. Tests that start them use ``transaction=True`` so that
what they write is committed where the worker can read it."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tocsin.accounts.models import Team
from tocsin.alerts.models import Alert, Channel
from tocsin.cases.models import Arrival
from tocsin.conftest import VALID_REPORT

REPO = Path(__file__).resolve().parents[3]
# What the canary report says; none of it may ever appear in an alert.
SECRETS_OF_THE_REPORT = {
    "narrative": "Canary narrative: officers of unit 7 took the Ostrov archive server.",
    "locality": "Canaryville-on-Volga",
    "organisation": "Canary Environmental Watch",
    "contact": {"kind": "email", "value": "canary.reporter@example.org"},
    "perpetrator_name": "Major Canary Petrov",
    "items_seized": {"count": 3, "kind": "canary laptops"},
}


def canary_words(receipt: str) -> list[str]:
    """Every sensitive string of the canary report, and its receipt."""
    return [str(SECRETS_OF_THE_REPORT["narrative"]), "Ostrov", "Canaryville", "Canary Environmental",
            "canary.reporter", "Petrov", "canary laptops", receipt]


class Reporter:
    """Submits reports through the API, as the ``report`` fixture does, but
    with one client for all: a new client sets up every middleware again,
    which would make a load test measure that."""

    def __init__(self) -> None:
        self.client = Client()

    def __call__(self, **fields: Any) -> str:
        response = self.client.post("/api/v1/reports", {**VALID_REPORT, **fields},
                                    content_type="application/json")
        assert response.status_code == 201, response.content
        return str(response.json()["reference"])


def add_channel(url: str, *, team: str | None = None, user: str | None = None,
                allow_private: bool = True) -> Channel:
    """``tocsin channel add`` -- the administrator's own way."""
    owner = ["--team", team] if team is not None else ["--user", str(user)]
    out = io.StringIO()
    call_command("channel", "add", *owner, url, *(["--allow-private"] if allow_private else []), stdout=out)
    number = int(re.search(r"Added channel (\d+)", out.getvalue()).group(1))  # type: ignore[union-attr]
    return Channel.objects.get(pk=number)


def default_team() -> Team:
    return Team.objects.get(name=Team.DEFAULT)


def database_url() -> str:
    """The test database, as a worker process must be told."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "tocsin.settings",
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,  # the channel URLs are sealed under it
        "TOCSIN_DATA_DIR": str(settings.DATA_DIR),  # the wake-up sockets live there
        "DATABASE_URL": database_url(),
        "TOCSIN_LOG_LEVEL": "INFO",
        **extra,
    }


class Worker:
    """``python -m tocsin worker`` as its own process (group), logging to a file."""

    def __init__(self, log_dir: Path, *args: str, name: str = "worker", **env: str) -> None:
        self.argv = [sys.executable, "-m", "tocsin", "worker", *args]
        self.env = worker_env(**env)
        self.log_dir, self.name = log_dir, name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}-{self.starts}.log"

    def start(self, *, ready_within: float = 30.0) -> Worker:
        self.starts += 1
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=log,  # noqa: S603
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: "worker ready" in self.log() or self.process.poll() is not None,  # type: ignore[union-attr]
                   ready_within, f"{self.name} to start")
        assert self.process.poll() is None, self.log()
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last word -- a power cut for this process."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {timeout} s for {what}")
        time.sleep(0.05)


def opened(timeout: float = 30.0) -> None:
    """Wait until a worker has opened every stored report (written its alerts)."""
    wait_until(lambda: not Arrival.objects.exists(), timeout, "every report to be opened")


def settled(timeout: float = 30.0) -> None:
    """Wait until no alert is pending (delivered or dead, every one)."""
    wait_until(lambda: not Alert.objects.filter(status=Alert.Status.PENDING).exists(), timeout,
               "every alert to be delivered")
