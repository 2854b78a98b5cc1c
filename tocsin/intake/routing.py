"""Which team receives a report, and who in it can read it."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.accounts.models import ResponderKey, Team


class NoResponders(Exception):
    """Nobody could read a report if we stored it now: refuse it (503) instead."""


@dataclass(frozen=True)
class Route:
    team: Team
    readers: list[tuple[int, bytes]]  # (user id, X25519 public key)


def _readers(team: Team) -> list[tuple[int, bytes]]:
    keys = ResponderKey.objects.filter(user__memberships__team=team, user__is_active=True)
    return [(user_id, bytes(public)) for user_id, public in keys.values_list("user_id", "public_key")]


def route(country: str) -> Route:
    """The team claiming ``country``, else the ``default`` team, provided it has
    at least one active responder with a key; otherwise ``NoResponders``."""
    teams = list(Team.objects.all())  # a handful; one query instead of two
    candidates = [team for team in teams if country in (team.countries or [])]
    candidates += [team for team in teams if team.name == Team.DEFAULT]
    for team in candidates:
        readers = _readers(team)
        if readers:
            return Route(team, readers)
    raise NoResponders(country)


def any_responder() -> bool:
    return ResponderKey.objects.filter(user__is_active=True).exists()
