"""What people change in alerting: a team's response-time promise, dead
letters sent again. Each action is atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from tocsin.accounts.models import Team
from tocsin.audit import log as audit

from . import outbox, sla, wakeup
from .models import Alert, TeamPolicy


@transaction.atomic
def set_policy(team: Team, changes: Mapping[str, int | None], *, acting_user: Any = None) -> sla.Policy:
    """Override (minutes) or reset to the default (None) some of the team's
    durations, by the names of ``sla.POLICY_FIELDS``. The team's open
    acknowledgement timers move with the new policy at once: a promise made
    shorter at 3 a.m. should wake someone now, not for the next report.

    Raises ``sla.PolicyError`` before anything is written."""
    if not changes:
        raise sla.PolicyError("policy", "name at least one duration to change")
    for name, minutes in changes.items():
        sla.check_minutes(name, minutes)
    row = TeamPolicy.objects.select_for_update().filter(team=team).first() or TeamPolicy(team=team)
    for name, minutes in changes.items():
        setattr(row, sla.POLICY_FIELDS[name], minutes)
    policy = sla.policy_from(row)
    sla.check_policy(policy)
    row.save()
    audit.record("sla.policy_changed", actor=acting_user, target=team.name,
                 **{name: minutes for name, minutes in changes.items()})
    sla.replan_team(team)
    return policy


@transaction.atomic
def retry_dead_letters(alerts: Iterable[Alert], *, acting_user: Any) -> int:
    """Give alerts the worker gave up on a fresh series of attempts (after the
    channel was mended, say) and wake the worker on commit."""
    ids = [alert.pk for alert in alerts]
    count = outbox.retry_dead(ids)
    if count:
        audit.record("alerts.retried", actor=acting_user, alerts=ids, count=count)
        wakeup.notify_on_commit()
    return count
