"""Policies: defaults from settings, per-team overrides (``actions.set_policy``)."""

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts import actions, sla
from tocsin.alerts.models import TeamPolicy
from tocsin.audit.models import Entry

from .helpers import minutes_after, timer_of

pytestmark = pytest.mark.django_db
DEFAULTS = {"critical": 15, "high": 60, "normal": 120, "shift_lead": 60, "director": 90}


def test_the_defaults_are_the_promise_of_the_issue(rita):
    policy = sla.policy_for(Team.objects.get(name="default"))
    assert policy.minutes == DEFAULTS
    assert policy.overridden == frozenset()


def test_the_defaults_come_from_settings(rita, settings):
    settings.SLA_ACKNOWLEDGE_MINUTES = {"critical": 10, "high": 30, "normal": 240}
    settings.SLA_ESCALATION_MINUTES = {"shift_lead": 20, "director": 40}
    assert sla.policy_for(Team.objects.get(name="default")).minutes == {
        "critical": 10, "high": 30, "normal": 240, "shift_lead": 20, "director": 40}


def test_a_team_overrides_some_durations_and_keeps_the_default_for_the_rest(rita, bora):
    default = Team.objects.get(name="default")
    policy = actions.set_policy(default, {"critical": 5, "director": 120})
    assert policy.minutes == {**DEFAULTS, "critical": 5, "director": 120}
    assert policy.overridden == {"critical", "director"}
    assert sla.policy_for(default) == policy
    assert sla.policy_for(Team.objects.get(name="belarus")).minutes == DEFAULTS


def test_an_override_follows_no_later_change_of_the_default_but_the_rest_do(rita, settings):
    default = Team.objects.get(name="default")
    actions.set_policy(default, {"critical": 5})
    settings.SLA_ACKNOWLEDGE_MINUTES = {"critical": 10, "high": 30, "normal": 240}
    assert sla.policy_for(default).minutes["critical"] == 5
    assert sla.policy_for(default).minutes["high"] == 30


def test_none_puts_a_duration_back_to_the_default(rita):
    default = Team.objects.get(name="default")
    actions.set_policy(default, {"critical": 5, "high": 30})
    policy = actions.set_policy(default, {"critical": None})
    assert (policy.minutes["critical"], policy.minutes["high"]) == (15, 30)
    assert policy.overridden == {"high"}


def test_a_change_is_audited(rita):
    actions.set_policy(Team.objects.get(name="default"), {"high": 45})
    entry = Entry.objects.get(action="sla.policy_changed")
    assert (entry.target, entry.detail) == ("default", {"high": 45})


def test_a_change_moves_the_deadlines_of_open_cases_at_once(raid, channels):
    case = raid()
    actions.set_policy(Team.objects.get(name="default"), {"critical": 5, "shift_lead": 10})
    timer = timer_of(case.reference)
    assert (timer.deadline_at, timer.due_at) == (minutes_after(case, 5), minutes_after(case, 5))
    assert sla.run_due(minutes_after(case, 10)) == 2  # overdue, then the shift lead


@pytest.mark.parametrize(("changes", "name"), [
    ({"critical": 0}, "critical"),
    ({"high": -5}, "high"),
    ({"normal": sla.MAX_MINUTES + 1}, "normal"),
    ({"weekend": 10}, "weekend"),
    ({"director": 30}, "director"),  # sooner than the shift lead at 60
    ({"shift_lead": 120}, "director"),  # later than the director at 90
    ({}, "policy"),
])
def test_it_refuses_a_policy_it_cannot_keep_and_changes_nothing(rita, changes, name):
    default = Team.objects.get(name="default")
    with pytest.raises(sla.PolicyError) as refused:
        actions.set_policy(default, changes)
    assert refused.value.name == name
    assert not TeamPolicy.objects.exists()
    assert not Entry.objects.filter(action="sla.policy_changed").exists()
    assert sla.policy_for(default).minutes == DEFAULTS
