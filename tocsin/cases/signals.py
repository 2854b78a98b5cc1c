"""Domain events about cases, for the apps that react to them (alerts, SLA timers).

Each is sent by an action *inside* its transaction, so a receiver that writes
rows (an outbox alert, a timer) commits or rolls back with the event itself.
Receivers must not do network I/O: that is the worker's job."""

from django.dispatch import Signal

# The worker opened newly stored reports (actions.opening).  kwargs: cases, version
# (a list of cases, oldest first, without their sealed fields; the directory
# version its transaction read)
cases_received = Signal()
# The case left `new` or was first assigned: the acknowledgement clock stops.
#                                                           kwargs: case, by
case_acknowledged = Signal()
# Any state change.                                         kwargs: case, from_state, to_state, by
case_transitioned = Signal()
# Triage set or changed the severity.                       kwargs: case, by
severity_changed = Signal()
# A referral to a partner was recorded, with a follow-up date. kwargs: referral
referral_created = Signal()
# The referral was followed up: its reminder stops.         kwargs: referral
referral_closed = Signal()
# The reporter wrote through /followup/ or the status API.  kwargs: case
reporter_replied = Signal()
