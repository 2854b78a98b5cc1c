"""Real local receivers for alerts: an HTTP webhook endpoint and an SMTP server.

Used by the tests, the crash test and ``bench/alerts.py``; they listen on
loopback only and record what arrives, with the time it arrived."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    at: float  # time.time() when the request was read
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("Idempotency-Key", "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections in a burst (two workers with
    # eight threads each), and a dropped SYN is retried only after a second.
    request_queue_size = 256


@dataclass
class WebhookReceiver:
    """A JSON webhook endpoint on loopback.

    ``with WebhookReceiver() as hook: ... hook.url`` is ``json://127.0.0.1:PORT/hook``.
    It answers ``status`` (after ``failures`` answers of 500 first, to test
    retries); ``requests`` counts every POST, ``received`` keeps the ones it
    accepted; ``on_arrival`` is called with each accepted one."""

    status: int = 200
    failures: int = 0
    received: list[Received] = field(default_factory=list)
    on_arrival: Callable[[Received], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                at = time.time()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                with receiver._arrived:
                    receiver.requests += 1
                    status = 500 if receiver.requests <= receiver.failures else receiver.status
                    if status < 300:
                        arrival = Received(at, dict(self.headers.items()), body)
                        receiver.received.append(arrival)
                        if receiver.on_arrival is not None:
                            receiver.on_arrival(arrival)
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/hook"
        self.http_url = f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """At least ``count`` accepted requests, or what came within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            return list(self.received)

    def wait_for_keys(self, keys: Iterable[str], timeout: float = 10.0) -> set[str]:
        """Wait until every idempotency key in ``keys`` arrived; return the missing ones."""
        wanted = set(keys)
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                missing = wanted - {arrival.idempotency_key for arrival in self.received}
                if not missing or time.monotonic() >= deadline:
                    return missing
                self._arrived.wait(min(0.5, deadline - time.monotonic()))


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes, policy

                receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = _free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()

    def url(self, to: str = "responder@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=tocsin@example.org&to={to}&mode=insecure"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)
