"""The people and cases the SLA tests share: a director for the ladder (rita
and lena of team ``default`` come from tocsin/conftest.py), channels for all
of them, and reports as cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tocsin.accounts.models import Membership, Team, User
from tocsin.alerts.models import Channel
from tocsin.cases.models import Case
from tocsin.conftest import make_responder

from .helpers import add_channel, case_of


@pytest.fixture
def dora(db: None, rita: User) -> User:
    """The director of team ``default``."""
    return make_responder("dora", Team.DEFAULT, Membership.Role.DIRECTOR)


@pytest.fixture
def channels(rita: User, lena: User, dora: User) -> dict[str, Channel]:
    """A channel for the team ``default`` and for each of its people."""
    return {
        "team:default": add_channel(team=Team.objects.get(name=Team.DEFAULT)),
        "rita": add_channel(user=rita),
        "lena": add_channel(user=lena),
        "dora": add_channel(user=dora),
    }


@pytest.fixture
def raid(report: Callable[..., tuple[str, str]]) -> Callable[..., Case]:
    """A report (by default of a raid: provisionally critical) as its case."""

    def submit(**fields: Any) -> Case:
        _, reference = report(**fields)
        return case_of(reference)

    return submit


@pytest.fixture
def holder_of_receipt(report: Callable[..., tuple[str, str]]) -> Callable[[], tuple[Client, str]]:
    """A reporter's client that has come back with its receipt, and its case's reference."""

    def follow_up() -> tuple[Client, str]:
        receipt, reference = report()
        client = Client()
        assert client.post("/followup/", {"receipt": receipt}).status_code == 200
        return client, reference

    return follow_up
