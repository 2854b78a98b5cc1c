"""The directory version: every change that decides who receives a report
changes it, whatever way the change is made (save, bulk update, delete), and
nothing else does; a snapshot reloads exactly when it changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tocsin.accounts.models import Membership, ResponderKey, Team, User
from tocsin.alerts import directory as alert_directory
from tocsin.alerts.models import Channel, TeamPolicy
from tocsin.alerts.secrets import seal_url
from tocsin.server import snapshots


def changes_version(change: Callable[[], Any]) -> bool:
    before = snapshots.directory_version()
    change()
    return snapshots.directory_version() != before


def channel_of(team: Team) -> Channel:
    return Channel.objects.create(team=team, sealed_url=seal_url("json://example.org/hook"), label="hook")


@pytest.mark.parametrize("change", [
    lambda rita: Team.objects.create(name="armenia", countries=["AM"]),
    lambda rita: Team.objects.filter(name=Team.DEFAULT).update(countries=["RU"]),
    lambda rita: Membership.objects.filter(user=rita).update(role=Membership.Role.DIRECTOR),
    lambda rita: Membership.objects.filter(user=rita).delete(),
    lambda rita: ResponderKey.objects.filter(user=rita).update(public_key=b"\1" * 32),
    lambda rita: User.objects.filter(pk=rita.pk).update(is_active=False),
    lambda rita: channel_of(Team.objects.get(name=Team.DEFAULT)),
    lambda rita: TeamPolicy.objects.create(team=Team.objects.get(name=Team.DEFAULT),
                                           acknowledge_critical_minutes=5),
], ids=["team added", "countries claimed", "role changed", "membership removed", "key replaced",
        "user deactivated", "channel added", "policy set"])
def test_it_changes_with_the_directory(rita, change):
    assert changes_version(lambda: change(rita))


def test_a_login_does_not_change_it(rita):
    assert not changes_version(lambda: User.objects.filter(pk=rita.pk).update(last_login="2026-11-29T10:00Z"))


def test_saving_a_user_unchanged_does_not_change_it(rita):
    assert not changes_version(rita.save)


def test_a_changed_channel_set_reaches_the_alert_snapshot(rita):
    team = Team.objects.get(name=Team.DEFAULT)
    before = alert_directory.at(snapshots.directory_version()).new_report_channels(team.pk)
    channel = channel_of(team)
    after = alert_directory.at(snapshots.directory_version()).new_report_channels(team.pk)
    assert (before, after) == ([], [channel.pk])


def test_a_snapshot_loads_once_per_version(db):
    loads: list[int] = []
    snapshot = snapshots.Snapshot(lambda: loads.append(1) or len(loads))
    assert snapshot.at(7) == snapshot.at(7) == 1
    assert snapshot.at(8) == 2


def test_an_unknown_version_is_never_trusted(db):
    loads: list[int] = []
    snapshot = snapshots.Snapshot(lambda: loads.append(1) or len(loads))
    assert [snapshot.at(None), snapshot.at(None)] == [1, 2]
