"""The acknowledgement clock of a case: its deadline by severity, the overdue
alert, the ladder (shift lead at 60 minutes, director at 90), and what stops
or moves it. The clock is controlled: ``run_due`` is told what time it is."""

import datetime as dt

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts import actions, sla
from tocsin.alerts.models import Timer
from tocsin.cases.actions import assign, change_severity, transition

from .helpers import add_channel, count, minutes_after, reached, timer_of

pytestmark = pytest.mark.django_db
SECOND = dt.timedelta(seconds=1)


def test_it_starts_the_clock_when_a_report_arrives(raid, channels):
    case = raid()  # a raid: provisionally critical
    timer = timer_of(case.reference)
    assert timer.started_at == case.received_at
    assert (timer.severity, timer.deadline_at) == ("critical", minutes_after(case, 15))
    assert (timer.next_step, timer.due_at) == (Timer.Step.OVERDUE, minutes_after(case, 15))
    assert timer.stopped_at is None


def test_a_report_without_a_raid_or_seizure_is_due_within_an_hour(raid, channels):
    case = raid(act_types=["summons"])
    assert (timer_of(case.reference).severity, timer_of(case.reference).deadline_at) == \
        ("high", minutes_after(case, 60))


@pytest.mark.parametrize(("severity", "minutes"), [("critical", 15), ("high", 60), ("normal", 120)])
def test_it_alerts_the_on_call_responders_and_the_shift_lead_when_the_deadline_passes(
        raid, channels, rita, severity, minutes):
    case = raid()
    change_severity(case, severity, acting_user=rita)
    deadline = minutes_after(case, minutes)
    sla.run_due(deadline - SECOND)
    assert count("case.overdue") == 0
    sla.run_due(deadline)
    assert reached("case.overdue", case.reference) == {"team:default", "rita", "lena"}
    assert timer_of(case.reference).overdue_alerted_at == deadline


def test_the_ladder_climbs_to_the_shift_lead_at_60_and_the_director_at_90_minutes(raid, channels):
    case = raid()
    sla.run_due(minutes_after(case, 60) - SECOND)
    assert count("case.escalated") == 0
    sla.run_due(minutes_after(case, 60))
    assert reached("case.escalated") == {"lena"}
    sla.run_due(minutes_after(case, 90) - SECOND)
    assert count("case.escalated") == 1
    sla.run_due(minutes_after(case, 90))
    assert reached("case.escalated") == {"lena", "dora"}
    assert count("case.escalated") == 2

    timer = timer_of(case.reference)
    assert (timer.escalations, timer.next_step, timer.due_at) == (2, "", None)
    assert timer.stopped_at is None, "still waiting for someone to acknowledge it"
    assert sla.run_due(minutes_after(case, 24 * 60)) == 0


def test_moving_the_case_out_of_new_stops_the_clock(raid, channels, rita):
    case = raid()
    sla.run_due(minutes_after(case, 20))
    assert count("case.overdue") == 3
    transition(case, "vetting", acting_user=rita)
    assert sla.run_due(minutes_after(case, 24 * 60)) == 0
    assert count("case.escalated") == 0
    timer = timer_of(case.reference)
    assert timer.stopped_at is not None and timer.stopped_because == "acknowledged"


def test_taking_the_case_on_stops_it_too(raid, channels, lena):
    case = raid()
    assign(case, "rita", acting_user=lena)
    assert sla.run_due(minutes_after(case, 90)) == 0
    assert count("case.overdue") == count("case.escalated") == 0


def test_a_lower_severity_moves_the_deadline_later(raid, channels, rita):
    case = raid()
    change_severity(case, "normal", acting_user=rita)
    timer = timer_of(case.reference)
    assert (timer.severity, timer.deadline_at) == ("normal", minutes_after(case, 120))
    sla.run_due(minutes_after(case, 120) - SECOND)
    assert count("case.overdue") == 0
    sla.run_due(minutes_after(case, 120))
    assert count("case.overdue") == 3


def test_a_higher_severity_moves_it_sooner_and_a_passed_deadline_alerts_at_once(raid, channels, rita):
    case = raid(act_types=["summons"])  # high: 60 minutes
    sla.run_due(minutes_after(case, 30))
    assert count("case.overdue") == 0
    change_severity(case, "critical", acting_user=rita)
    assert timer_of(case.reference).deadline_at == minutes_after(case, 15)
    sla.run_due(minutes_after(case, 30))
    assert count("case.overdue") == 3


def test_a_deadline_moved_later_after_its_overdue_alert_is_a_new_promise(raid, channels, rita):
    case = raid()
    sla.run_due(minutes_after(case, 20))
    assert count("case.overdue") == 3
    change_severity(case, "normal", acting_user=rita)
    sla.run_due(minutes_after(case, 120) - SECOND)
    assert count("case.overdue") == 3
    sla.run_due(minutes_after(case, 120))
    assert count("case.overdue") == 6


def test_the_severity_of_an_acknowledged_case_moves_nothing(raid, channels, rita):
    case = raid()
    transition(case, "vetting", acting_user=rita)
    change_severity(case, "normal", acting_user=rita)
    timer = timer_of(case.reference)
    assert (timer.severity, timer.stopped_because) == ("critical", "acknowledged")


def test_a_teams_own_policy_sets_the_deadline_and_the_ladder(raid, channels):
    actions.set_policy(Team.objects.get(name="default"), {"critical": 5, "shift_lead": 10, "director": 20})
    case = raid()
    assert timer_of(case.reference).deadline_at == minutes_after(case, 5)
    sla.run_due(minutes_after(case, 5))
    assert (count("case.overdue"), count("case.escalated")) == (3, 0)
    sla.run_due(minutes_after(case, 10))
    assert reached("case.escalated") == {"lena"}
    sla.run_due(minutes_after(case, 20))
    assert reached("case.escalated") == {"lena", "dora"}


def test_an_escalation_nobody_holds_the_role_for_goes_to_the_team_channel(raid, rita):
    add_channel(team=Team.objects.get(name="default"))
    add_channel(user=rita)
    case = raid()  # team default has no shift lead and no director
    sla.run_due(minutes_after(case, 90))
    assert reached("case.escalated") == {"team:default"}
    assert count("case.escalated") == 2


def test_only_the_cases_own_team_is_alerted(raid, channels, bora):
    add_channel(user=bora)
    case = raid(country="BY")
    assert case.team.name == "belarus"
    sla.run_due(minutes_after(case, 90))
    assert reached("case.overdue") == {"bora"}
    # belarus has neither a shift lead, a director nor a team channel: the
    # escalations reach nobody, and say so in the audit log (test_run_due).
    assert count("case.escalated") == 0
    assert "rita" not in reached("case.overdue") | reached("case.escalated")
