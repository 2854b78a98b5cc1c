"""Reports with evidence, and the reporter who holds a receipt."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from tocsin.cases.models import Evidence

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
