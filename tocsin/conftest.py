"""The people every test can call on by name.

- ``rita``: a responder of the ``default`` team (which receives reports from
  countries no team claims);
- ``lena``: the shift lead of ``default``;
- ``bora``: a responder of team ``belarus``, which claims BY;
- ``adam``: an administrator with no key pair and no team;
- an anonymous visitor is a plain ``Client()``.

``logged_in(user)`` returns a client logged in through the real login page,
password then a code from the user's authenticator app (set up for them on
first use), so the session holds the responder's unwrapped key and its second
factor as in production. ``authenticator(user)`` is that app and
``current_code(device)`` the code it shows.
``report(**fields)`` submits a valid report through the API and returns its
receipt and reference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import Membership, Team, User
from tocsin.cases.actions import opening

PASSWORD = "correct horse battery staple"

VALID_REPORT: dict[str, Any] = {
    "act_types": ["raid", "seizure"],
    "occurred_on": "2026-03-15",
    "country": "RU",
    "locality": "Irkutsk",
    "perpetrator_type": "police",
    "perpetrator_name": "Economic crimes unit",
    "company": "Microsoft",
    "items_seized": {"count": 4, "kind": "laptops"},
    "organisation": "Baikal Environmental Wave",
    "contact": {"kind": "signal", "value": "+7 912 345 67 89"},
    "narrative": "Officers arrived at 10:00 and took every computer.",
}


def make_responder(username: str, team: str, role: str = Membership.Role.RESPONDER,
                   **kwargs: Any) -> User:
    return create_responder(username, PASSWORD, team_name=team, role=role, validate=False,
                            **kwargs).user


@pytest.fixture
def rita(db: None) -> User:
    return make_responder("rita", Team.DEFAULT)


@pytest.fixture
def lena(db: None, rita: User) -> User:
    return make_responder("lena", Team.DEFAULT, Membership.Role.SHIFT_LEAD)


@pytest.fixture
def bora(db: None) -> User:
    user = make_responder("bora", "belarus")
    Team.objects.filter(name="belarus").update(countries=["BY"])
    return user


@pytest.fixture
def adam(db: None) -> User:
    return User.objects.create_user("adam", password=PASSWORD, is_staff=True, is_superuser=True)


def authenticator(user: User) -> TOTPDevice:
    """The user's phone: a confirmed TOTP device, as if they had enrolled it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the app shows at ``at`` (a Unix time; now if not given)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client: Client, user: User) -> Any:
    """Enter the current code for a client that has just passed the password step."""
    device = authenticator(user)
    # Tests log the same user in several times within one 30-second step, and
    # a code that was accepted once is refused after (a replay); a real person
    # would wait for the next code.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return client.post("/accounts/code/", {"code": current_code(device)})


@pytest.fixture
def logged_in(db: None) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        authenticator(user)
        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content
        assert response["Location"].startswith("/accounts/code/"), response["Location"]
        response = pass_second_factor(client, user)
        assert response.status_code == 302, response.content
        return client

    return login


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Failed logins are counted in the cache; one test's must not throttle the next's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report(db: None) -> Callable[..., tuple[str, str]]:
    def submit(**overrides: Any) -> tuple[str, str]:
        body = {**VALID_REPORT, **overrides}
        response = Client().post("/api/v1/reports", body, content_type="application/json")
        assert response.status_code == 201, response.content
        opening.open_arrived()  # as the worker does, woken by the commit
        data = response.json()
        return data["receipt"], data["reference"]

    return submit
