"""Which team receives a report, and who in it can read it.

The answer comes from a per-process snapshot of the teams and their
responders' public keys (``tocsin.server.snapshots``): the intake confirms it
is current inside the report's transaction with one read, instead of asking
for every team and key on every report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tocsin.accounts.models import ResponderKey, Team
from tocsin.server import snapshots


class NoResponders(Exception):
    """Nobody could read a report if we stored it now: refuse it (503) instead."""


@dataclass(frozen=True)
class Route:
    team: Team
    readers: list[tuple[int, bytes]]  # (user id, X25519 public key)


@dataclass(frozen=True)
class Directory:
    """The teams, in the order they are tried, with the active responders
    holding a key pair in each."""

    teams: list[Team]
    readers: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)

    def route(self, country: str) -> Route | None:
        """The team claiming ``country``, else the ``default`` team, provided
        it has at least one reader; None when neither has."""
        candidates = [team for team in self.teams if country in (team.countries or [])]
        candidates += [team for team in self.teams if team.name == Team.DEFAULT]
        for team in candidates:
            if self.readers.get(team.pk):
                return Route(team, self.readers[team.pk])
        return None

    @property
    def any_reader(self) -> bool:
        return any(self.readers.values())


def _load() -> Directory:
    readers: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    keys = (ResponderKey.objects.filter(user__is_active=True)
            .values_list("user__memberships__team_id", "user_id", "public_key").order_by("user_id"))
    for team_id, user_id, public in keys:
        if team_id is not None:
            readers[team_id].append((user_id, bytes(public)))
    return Directory(list(Team.objects.order_by("pk")), dict(readers))


directory = snapshots.Snapshot(_load)


def route(country: str, *, fresh: bool = False) -> tuple[int | None, Route]:
    """The route for ``country`` and the directory version it was read at
    (to confirm inside the report's transaction; ``fresh`` after that found
    it stale). A "nobody" answer is confirmed against the database before
    ``NoResponders`` is raised."""
    version, current = directory.fresh() if fresh else directory.latest()
    found = current.route(country)
    if found is None:
        version, current = directory.fresh()
        found = current.route(country)
    if found is None:
        raise NoResponders(country)
    return version, found


def any_responder() -> bool:
    """Whether anyone can read a report now (one indexed read; the snapshot it
    refreshes is the one ``route`` then uses)."""
    return directory.fresh()[1].any_reader
