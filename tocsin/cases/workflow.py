"""The states a case moves through, the moves allowed, and the time spent in each.

The main road is ``new → vetting → accepted → in_progress → resolved →
closed``; a case outside the mandate leaves it at ``out_of_mandate`` and is
referred to a partner. The table below is the whole state machine; anything
not in it is refused with nothing changed. The moves off the main road, and
why a responder would make them:

- ``vetting → out_of_mandate``: the check shows another organisation should
  act (the move records the referral to it, in the same action);
- ``vetting → closed``: not credible, a duplicate, or a test -- the platform
  is expected to be flooded with fake reports, and those need no referral;
- ``accepted → out_of_mandate``: accepted, then found to be better handled
  by a partner;
- ``out_of_mandate → vetting``: the partner declined; check it again;
- ``resolved → in_progress``: reopened, the police came back;
- ``closed → vetting``: a closed case is reopened only through a fresh check,
  because it may have been closed as not credible.

There is no way back to ``new``: ``new`` means nobody has looked yet, and
the response-time promise is measured until a responder first moves the case
out of it (or takes it on)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Case, CaseTransition, Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.VETTING,),
    Status.VETTING: (Status.ACCEPTED, Status.OUT_OF_MANDATE, Status.CLOSED),
    Status.ACCEPTED: (Status.IN_PROGRESS, Status.OUT_OF_MANDATE),
    Status.OUT_OF_MANDATE: (Status.VETTING, Status.CLOSED),
    Status.IN_PROGRESS: (Status.RESOLVED,),
    Status.RESOLVED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.CLOSED: (Status.VETTING,),
}

# Time in a terminal state is not time anyone is waiting or working: it grows
# for ever, and would swamp the figures for the states that matter.
REPORTED_STATES = [state for state in Status.values if state != Status.CLOSED]


def allowed_from(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in allowed_from(from_state)


def time_in_states(case: Case, transitions: Iterable[CaseTransition],
                   now: dt.datetime) -> dict[str, dt.timedelta]:
    """How long ``case`` has spent in each state it has been in, the current one until ``now``.

    ``transitions`` must be the case's own, oldest first. A state entered
    twice (a case reopened) adds both stays together."""
    spent: dict[str, dt.timedelta] = {}
    state, since = Status.NEW.value, case.received_at
    for transition in transitions:
        spent[state] = spent.get(state, dt.timedelta()) + max(transition.at - since, dt.timedelta())
        state, since = transition.to_state, transition.at
    spent[state] = spent.get(state, dt.timedelta()) + max(now - since, dt.timedelta())
    return spent


@dataclass(frozen=True)
class StateFigures:
    state: str
    cases: int
    median: dt.timedelta | None
    mean: dt.timedelta | None

    @property
    def label(self) -> str:
        return str(Status(self.state).label)


def summarise(per_case: Iterable[dict[str, dt.timedelta]]) -> list[StateFigures]:
    """Median and mean time in each reported state, over the cases that have been in it."""
    durations: dict[str, list[dt.timedelta]] = {state: [] for state in REPORTED_STATES}
    for spent in per_case:
        for state, duration in spent.items():
            if state in durations:
                durations[state].append(duration)
    figures = []
    for state, values in durations.items():
        if not values:
            figures.append(StateFigures(state, 0, None, None))
            continue
        seconds = [value.total_seconds() for value in values]
        figures.append(StateFigures(
            state, len(values),
            dt.timedelta(seconds=round(statistics.median(seconds))),
            dt.timedelta(seconds=round(statistics.fmean(seconds))),
        ))
    return figures
