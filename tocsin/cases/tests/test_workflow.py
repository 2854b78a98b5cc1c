"""The state machine: every allowed move, a table of refused ones, and time in each state."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tocsin.audit.models import Entry
from tocsin.cases import actions, workflow
from tocsin.cases.errors import Refused
from tocsin.cases.models import Case, CaseTransition, Referral, Status
from tocsin.cases.tests.conftest import key_for

pytestmark = pytest.mark.django_db

ALLOWED = [
    ("new", "vetting"),
    ("vetting", "accepted"), ("vetting", "out_of_mandate"), ("vetting", "closed"),
    ("accepted", "in_progress"), ("accepted", "out_of_mandate"),
    ("out_of_mandate", "vetting"), ("out_of_mandate", "closed"),
    ("in_progress", "resolved"),
    ("resolved", "in_progress"), ("resolved", "closed"),
    ("closed", "vetting"),
]
REFUSED = [(a, b) for a, b in itertools.product(Status.values, repeat=2) if (a, b) not in ALLOWED]
REFERRAL = {"partner": "Memorial", "note": "They take tax cases", "follow_up_on": dt.date(2099, 1, 1)}
T0 = dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)


def a_case(report, state: str = "new") -> Case:
    _, reference = report()
    Case.objects.filter(reference=reference).update(status=state)
    return Case.objects.get(reference=reference)


def move(case: Case, to_state: str, user, report_key: bytes | None = None, **extra):
    referral = REFERRAL if to_state == "out_of_mandate" else None
    return actions.transition(case, to_state, acting_user=user, referral=referral, case_key=report_key,
                              **extra)


def test_the_table_is_the_one_documented():
    table = {(a, b) for a, targets in workflow.TRANSITIONS.items() for b in targets}
    assert table == set(ALLOWED)
    assert set(workflow.TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_it_makes_every_allowed_move(rita, report, from_state, to_state):
    case = a_case(report, from_state)
    key = None
    if to_state == "out_of_mandate":
        key = key_for(rita, case.reference)
    moved = move(case, to_state, rita, key, now=T0)
    assert case.status == to_state
    assert Case.objects.get(pk=case.pk).status == to_state
    row = CaseTransition.objects.get(case=case)
    assert (row.from_state, row.to_state, row.at, row.by) == (from_state, to_state, T0, rita)
    assert row.pk == moved.pk
    entry = Entry.objects.get(action="case.transitioned")
    assert (entry.actor, entry.target) == (rita, case.reference)
    assert (entry.detail["from"], entry.detail["to"]) == (from_state, to_state)


@pytest.mark.parametrize(("from_state", "to_state"), REFUSED)
def test_it_refuses_every_other_move_and_changes_nothing(rita, report, from_state, to_state):
    case = a_case(report, from_state)
    before = Entry.objects.count()
    with pytest.raises(Refused) as refused:
        move(case, to_state, rita)
    assert refused.value.field == "to_state"
    assert refused.value.status == 400
    assert Case.objects.get(pk=case.pk).status == from_state
    assert not CaseTransition.objects.exists()
    assert not Referral.objects.exists()
    assert Entry.objects.count() == before


@pytest.mark.parametrize("name", ["", "open", "NEW", "in progress", "new\x00", "x" * 500])
def test_it_refuses_a_state_that_does_not_exist(rita, report, name):
    case = a_case(report)
    with pytest.raises(Refused) as refused:
        actions.transition(case, name, acting_user=rita)
    assert refused.value.field == "to_state"
    assert "is not a state" in refused.value.message
    assert not CaseTransition.objects.exists()


def test_it_says_where_the_case_can_go_instead(rita, report):
    case = a_case(report, "accepted")
    with pytest.raises(Refused) as refused:
        actions.transition(case, "closed", acting_user=rita)
    assert refused.value.message == (
        "A case in “Accepted” cannot move to “Closed”. From here it can move to: "
        "“Responders are acting”, “Referred to another organisation”.")


def test_out_of_mandate_needs_a_referral(rita, report):
    case = a_case(report, "vetting")
    with pytest.raises(Refused) as refused:
        actions.transition(case, "out_of_mandate", acting_user=rita)
    assert refused.value.field == "partner"
    assert Case.objects.get(pk=case.pk).status == "vetting"
    assert not CaseTransition.objects.exists()


def test_out_of_mandate_records_the_referral_in_the_same_action(rita, report):
    case = a_case(report, "vetting")
    move(case, "out_of_mandate", rita, key_for(rita, case.reference))
    referral = Referral.objects.get(case=case)
    assert (referral.partner, referral.follow_up_on) == ("Memorial", dt.date(2099, 1, 1))
    assert referral.created_by == rita
    entries = Entry.objects.filter(target=case.reference).exclude(action="report.received")
    assert [e.action for e in entries] == ["case.transitioned", "referral.created"]


def test_a_referral_that_fails_undoes_the_move(rita, report):
    case = a_case(report, "vetting")
    with pytest.raises(Refused):
        actions.transition(case, "out_of_mandate", acting_user=rita, case_key=key_for(rita, case.reference),
                           referral={**REFERRAL, "partner": "   "})
    assert Case.objects.get(pk=case.pk).status == "vetting"
    assert not CaseTransition.objects.exists()
    assert not Entry.objects.filter(action="case.transitioned").exists()


def test_it_refuses_a_decision_taken_on_an_outdated_page(rita, lena, report):
    case = a_case(report, "vetting")
    actions.transition(case, "accepted", acting_user=lena, expected_state="vetting")
    with pytest.raises(Refused) as refused:
        actions.transition(case, "closed", acting_user=rita, expected_state="vetting")
    assert (refused.value.field, refused.value.status) == ("from_state", 409)
    assert "Someone moved this case to “Accepted” meanwhile" in refused.value.message
    assert CaseTransition.objects.count() == 1


def test_the_first_move_acknowledges_the_case_once(rita, lena, report, events):
    case = a_case(report)
    actions.transition(case, "vetting", acting_user=rita, now=T0)
    actions.transition(case, "accepted", acting_user=lena, now=T0 + dt.timedelta(minutes=5))
    assert Case.objects.get(pk=case.pk).acknowledged_at == T0
    acknowledged = [e for e in events if e.signal == "case_acknowledged"]
    assert len(acknowledged) == 1
    assert acknowledged[0].kwargs["by"] == rita
    assert acknowledged[0].kwargs["case"].pk == case.pk


def test_every_move_is_announced_inside_its_transaction(rita, report, events):
    case = a_case(report)
    actions.transition(case, "vetting", acting_user=rita)
    actions.transition(case, "accepted", acting_user=rita)
    moves = [e for e in events if e.signal == "case_transitioned"]
    assert [(e.kwargs["from_state"], e.kwargs["to_state"], e.kwargs["by"]) for e in moves] == [
        ("new", "vetting", rita), ("vetting", "accepted", rita)]
    assert all(e.inside_the_action for e in events)
    assert [e.signal for e in events] == ["case_acknowledged", "case_transitioned", "case_transitioned"]


def test_a_refused_move_announces_nothing(rita, report, events):
    case = a_case(report)
    with pytest.raises(Refused):
        actions.transition(case, "closed", acting_user=rita)
    assert events == []


# -- Time in each state -----------------------------------------------------------


def walk(case: Case, user, steps: list[tuple[str, int]]) -> None:
    """Move ``case`` through ``steps`` of (state, minutes after receipt)."""
    for state, minutes in steps:
        at = case.received_at + dt.timedelta(minutes=minutes)
        actions.transition(case, state, acting_user=user, now=at)


def test_it_counts_the_time_spent_in_each_state(rita, report):
    case = a_case(report)
    walk(case, rita, [("vetting", 10), ("accepted", 40), ("in_progress", 100)])
    now = case.received_at + dt.timedelta(minutes=160)
    spent = workflow.time_in_states(case, case.transitions.all(), now)
    assert spent == {"new": dt.timedelta(minutes=10), "vetting": dt.timedelta(minutes=30),
                     "accepted": dt.timedelta(minutes=60), "in_progress": dt.timedelta(minutes=60)}


def test_a_reopened_case_adds_both_stays(rita, report):
    case = a_case(report)
    walk(case, rita, [("vetting", 1), ("accepted", 2), ("in_progress", 3), ("resolved", 13),
                      ("in_progress", 23), ("resolved", 53), ("closed", 54)])
    spent = workflow.time_in_states(case, case.transitions.all(), case.received_at + dt.timedelta(days=9))
    assert spent["in_progress"] == dt.timedelta(minutes=40)
    assert spent["resolved"] == dt.timedelta(minutes=11)


def test_it_reports_the_median_and_the_mean_over_cases():
    minutes = [{"new": dt.timedelta(minutes=m)} for m in (5, 10, 60)]
    figures = {f.state: f for f in workflow.summarise([*minutes, {"closed": dt.timedelta(days=99)}])}
    assert figures["new"].cases == 3
    assert figures["new"].median == dt.timedelta(minutes=10)
    assert figures["new"].mean == dt.timedelta(minutes=25)
    assert "closed" not in figures  # time closed is nobody's waiting
    assert (figures["vetting"].cases, figures["vetting"].median, figures["vetting"].mean) == (0, None, None)
