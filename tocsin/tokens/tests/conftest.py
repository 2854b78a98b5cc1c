from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tocsin.tokens import actions


@pytest.fixture
def issue(db: None) -> Callable[..., actions.Created]:
    def make(name: str = "Firm LLP", scope: str = "screening", rate: int | None = None) -> actions.Created:
        return actions.create_token(name=name, scope=scope, requests_per_minute=rate, acting_user=None)

    return make


@pytest.fixture
def call() -> Callable[..., object]:
    """GET the guarded stand-in endpoint with ``Authorization: <header>``."""
    def get(header: str | None):  # type: ignore[no-untyped-def]
        headers = {} if header is None else {"Authorization": header}
        return Client().get("/token-test/guarded", headers=headers)

    return get
