
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tocsin.registry.models import Organisation
from tocsin.screening import index
from tocsin.tokens import actions as tokens


@pytest.fixture(autouse=True)
def fresh_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test has its own registry; no index may survive from another.
    Registry changes are seen at once (not within a second) unless a test says otherwise."""
    monkeypatch.setattr(index, "GENERATION_SECONDS", 0.0)
    index.forget(snapshot=True)
    yield
    index.forget(snapshot=True)


@pytest.fixture
def memorial(db: None) -> Organisation:
    return Organisation.objects.create(
        ref="D008", kind="ngo", country="RU", status="registered",
        name="Межрегиональная общественная организация «Международное общество Мемориал»",
        name_en="Memorial International", inn="7707083893", ogrn="1027700132195")


@pytest.fixture
def screening_token(db: None) -> str:
    return tokens.create_token(name="Firm LLP", scope="screening", acting_user=None).token


@pytest.fixture
def screen(screening_token: str) -> Callable[..., Any]:
    """POST a screening with the firm's token; ``body`` may be raw bytes."""
    def post(body: Any, *, token: str | None = None, content_type: str = "application/json") -> Any:
        data = body if isinstance(body, bytes) else __import__("json").dumps(body)
        return Client().post("/api/v1/screenings", data, content_type=content_type,
                             headers={"Authorization": f"Bearer {token or screening_token}"})
    return post
