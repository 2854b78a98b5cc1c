"""The people of the demand register, beside the project's ``rita`` (default
team), ``lena`` (its shift lead), ``bora`` (team belarus) and ``adam`` (an
administrator in no team):

- ``hana``: a member of the headquarters team, who approves;
- ``demand(**fields)``: a demand rita recorded for the default team;
- ``organisation(kind)``: a registry organisation to link.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tocsin.accounts.models import Team, User
from tocsin.conftest import make_responder
from tocsin.demands import actions
from tocsin.demands.models import Demand
from tocsin.registry.models import Organisation

OFFICIAL = "Major Sidorenko, Investigative Committee"
SCOPE = "All e-mail of the account editor@novaya-example.org since March"


@pytest.fixture
def hana(db: None) -> User:
    return make_responder("hana", Team.HEADQUARTERS)


@pytest.fixture
def organisation(db: None) -> Callable[..., Organisation]:
    count = iter(range(1, 1000))

    def make(kind: str = "ngo", name: str | None = None) -> Organisation:
        n = next(count)
        return Organisation.objects.create(ref=f"ORG-{n}", kind=kind, name=name or f"Organisation {n}",
                                           country="RU")

    return make


def fields(**overrides: Any) -> dict[str, Any]:
    return {
        "country": "RU", "agency": "Prosecutor's Office of Irkutsk Region", "delivery": "written",
        "type": "account_data", "received_on": timezone.localdate() - datetime.timedelta(days=3),
        "due_on": None, "legal_basis": "", "official": OFFICIAL, "scope": SCOPE, "flagged": False,
        **overrides,
    }


@pytest.fixture
def demand(rita: User) -> Callable[..., Demand]:
    def record(**overrides: Any) -> Demand:
        team = Team.objects.get(name=Team.DEFAULT)
        return actions.record_demand(team=team, acting_user=rita, **fields(**overrides))

    return record


def form_data(**overrides: Any) -> dict[str, Any]:
    """The record form's POST body, as a browser sends it."""
    data = {**fields(), "team": Team.DEFAULT, **overrides}
    data["received_on"] = str(data["received_on"])
    data["due_on"] = "" if data["due_on"] is None else str(data["due_on"])
    if not data.pop("flagged"):
        data.pop("flagged", None)
    else:
        data["flagged"] = "on"
    return data
