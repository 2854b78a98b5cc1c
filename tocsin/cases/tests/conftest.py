"""Reports with evidence, the reporter who holds a receipt, and what the case-page tests share."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client

from tocsin.accounts import reauth
from tocsin.accounts.actions import unlock_private_key
from tocsin.cases import signals
from tocsin.cases.actions import opening
from tocsin.cases.models import CaseKey, Evidence
from tocsin.conftest import PASSWORD
from tocsin.crypto import boxes

MARKER = "Officers took every computer from room 12"
EVIDENCE = b"Protocol of seizure no. 17\n" * 4000  # ~100 KiB: two encrypted frames


@dataclass(frozen=True)
class Filed:
    receipt: str
    reference: str
    evidence_id: str


@pytest.fixture
def file_report(db: None) -> Callable[..., Filed]:
    """Submit a report with one text file through the API, as a reporter's client would."""

    def submit(*, country: str = "RU", narrative: str = MARKER, content: bytes = EVIDENCE,
               name: str = "protocol.txt") -> Filed:
        upload = io.BytesIO(content)
        upload.name = name
        response = Client().post("/api/v1/reports", {
            "act_types": ["raid", "seizure"], "occurred_on": "2026-03-15", "country": country,
            "narrative": narrative, "organisation": "Baikal Environmental Wave", "files": [upload],
        })
        assert response.status_code == 201, response.content
        opening.open_arrived()  # as the worker does, woken by the commit
        data = response.json()
        evidence = Evidence.objects.get(case__reference=data["reference"])
        return Filed(data["receipt"], data["reference"], evidence.public_id)

    return submit


@pytest.fixture
def reporter() -> Callable[[str], Client]:
    """A client that has come back with its receipt: it holds the receipt, not a login."""

    def follow_up(receipt: str) -> Client:
        client = Client()
        response = client.post("/followup/", {"receipt": receipt})
        assert response.status_code == 200, response.content
        return client

    return follow_up


# -- What the workflow, grant and export tests share ----------------------------


def fresh(client: Client) -> Client:
    """The session has just proved who its owner is (as the re-authentication page does)."""
    session = client.session
    request = HttpRequest()
    request.session = session
    reauth.mark_authenticated(request)
    session.save()
    return client


def stale(client: Client) -> Client:
    """The session last proved who its owner is too long ago: no mark at all."""
    session = client.session
    session.pop(reauth.SESSION_FIELD, None)
    session.save()
    return client


def act(client: Client, reference: str, what: str, data: dict[str, str] | None = None) -> Any:
    """POST a decision from the case page, e.g. ``act(client, ref, "state", {"to_state": "vetting"})``."""
    return client.post(f"/staff/cases/{reference}/{what}/", data or {})


def key_for(user: Any, reference: str) -> bytes:
    """The case key as ``user`` opens it: their own private key, unwrapped with their password."""
    private = unlock_private_key(user, PASSWORD)
    assert private is not None
    sealed = CaseKey.objects.get(case__reference=reference, user=user).sealed_key
    return boxes.unseal(bytes(sealed), private)


@dataclass
class Sent:
    """One domain event as a receiver saw it."""

    signal: str
    kwargs: dict[str, Any]
    inside_the_action: bool  # sent inside a transaction opened by the action itself


@pytest.fixture
def events(db: None) -> Iterator[list[Sent]]:
    """Every case event sent during the test, oldest first."""
    sent: list[Sent] = []
    depth_outside = len(connection.atomic_blocks)
    names = ["case_acknowledged", "case_transitioned", "severity_changed", "referral_created",
             "referral_closed", "reporter_replied"]
    receivers = {}
    for name in names:
        def receive(sender: Any, signal: Any, _name: str = name, **kwargs: Any) -> None:
            sent.append(Sent(_name, kwargs, len(connection.atomic_blocks) > depth_outside))
        receivers[name] = receive
        getattr(signals, name).connect(receive, weak=False)
    yield sent
    for name, receive in receivers.items():
        getattr(signals, name).disconnect(receive)
