"""Where a new report's alerts go and how long its team promises to take:
a per-process snapshot, confirmed by the directory version that the worker
opening reports reads (see ``tocsin.server.snapshots``), so a batch of
reports costs one query to find them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tocsin.accounts.models import Membership
from tocsin.server import snapshots

from .models import Channel, TeamPolicy


@dataclass(frozen=True)
class AlertDirectory:
    team_channels: dict[int, list[int]]
    user_channels: dict[int, list[int]]
    on_call: dict[int, list[int]]  # team id -> active responders (first rung)
    policies: dict[int, TeamPolicy]

    def new_report_channels(self, team_id: int) -> list[int]:
        """The team's channels and its on-call responders' own, each once."""
        ids = set(self.team_channels.get(team_id, ()))
        for user_id in self.on_call.get(team_id, ()):
            ids.update(self.user_channels.get(user_id, ()))
        return sorted(ids)


def load() -> AlertDirectory:
    team_channels: dict[int, list[int]] = defaultdict(list)
    user_channels: dict[int, list[int]] = defaultdict(list)
    for pk, team_id, user_id in Channel.objects.values_list("pk", "team_id", "user_id").order_by("pk"):
        if team_id is not None:
            team_channels[team_id].append(pk)
        else:
            user_channels[user_id].append(pk)
    on_call: dict[int, list[int]] = defaultdict(list)
    members = Membership.objects.filter(role=Membership.Role.RESPONDER, user__is_active=True)
    for team_id, user_id in members.values_list("team_id", "user_id").order_by("user_id"):
        on_call[team_id].append(user_id)
    policies = {policy.team_id: policy for policy in TeamPolicy.objects.all()}
    return AlertDirectory(dict(team_channels), dict(user_channels), dict(on_call), policies)


snapshot = snapshots.Snapshot(load)


def at(version: int | None) -> AlertDirectory:
    """The snapshot for the directory version the caller's transaction
    confirmed (the worker opening reports passes it along with
    ``cases_received``); read now
    when the caller has none."""
    return snapshot.at(snapshots.directory_version() if version is None else version)
