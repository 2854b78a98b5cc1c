"""Response-time promises: acknowledgement deadlines, escalation ladders and
referral reminders, kept by timers that the worker fires with ``run_due``.

The immediate alert to the on-call responders on a new report is not here
(see ``announcements``); this module covers what happens when nobody answers
it: an overdue alert when the severity's deadline passes, then the team's
ladder (shift lead, director), each step exactly once.

Timers start and stop on the domain events of ``tocsin.cases.signals``. The
receivers run inside the event's transaction and only write rows; alerts
leave through the outbox, so nothing here touches the network. What an
alert may say is what DESIGN.md allows: reference, country, act types,
severity, a link."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.accounts.models import Membership, Team, User
from tocsin.audit import log as audit
from tocsin.audit.models import Head
from tocsin.cases import signals
from tocsin.cases.models import Case, Severity, Status, provisional_severity
from tocsin.server.rows import Insert

from . import directory, outbox
from .announcements import on_call_responders
from .models import TeamPolicy, Timer

log = logging.getLogger("tocsin.alerts.sla")


# Each duration a policy sets, by the name `tocsin sla` uses, with its TeamPolicy field.
POLICY_FIELDS = {
    "critical": "acknowledge_critical_minutes",
    "high": "acknowledge_high_minutes",
    "normal": "acknowledge_normal_minutes",
    "shift_lead": "shift_lead_minutes",
    "director": "director_minutes",
}
MAX_MINUTES = 7 * 24 * 60


class PolicyError(ValueError):
    """A policy change that cannot be kept; ``name`` is the duration at fault.
    Its messages are for administrators at the command line, in English like
    ``tocsin channel``'s."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass(frozen=True)
class Policy:
    minutes: dict[str, int]  # by the names of POLICY_FIELDS
    overridden: frozenset[str] = frozenset()

    def acknowledge_within(self, severity: str) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes[severity if severity in Severity.values else Severity.HIGH])

    def ladder(self) -> list[tuple[str, dt.timedelta]]:
        """The rungs after the on-call responders, in the order they are climbed."""
        return [(Timer.Step.SHIFT_LEAD, dt.timedelta(minutes=self.minutes["shift_lead"])),
                (Timer.Step.DIRECTOR, dt.timedelta(minutes=self.minutes["director"]))]


def default_minutes() -> dict[str, int]:
    return {**settings.SLA_ACKNOWLEDGE_MINUTES, **settings.SLA_ESCALATION_MINUTES}


def policy_from(row: TeamPolicy | None) -> Policy:
    minutes = default_minutes()
    overridden = set()
    for name, field in POLICY_FIELDS.items():
        value = getattr(row, field) if row is not None else None
        if value is not None:
            minutes[name] = value
            overridden.add(name)
    return Policy(minutes, frozenset(overridden))


def policy_for(team: Team | int) -> Policy:
    team_id = team.pk if isinstance(team, Team) else team
    return policy_from(TeamPolicy.objects.filter(team_id=team_id).first())


def check_minutes(name: str, minutes: int | None) -> None:
    if name not in POLICY_FIELDS:
        raise PolicyError(name, f"unknown duration; use one of {', '.join(POLICY_FIELDS)}")
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise PolicyError(name, f"must be a whole number of minutes from 1 to {MAX_MINUTES}")


def check_policy(policy: Policy) -> None:
    if policy.minutes["director"] < policy.minutes["shift_lead"]:
        raise PolicyError("director", "the director is the last rung of the ladder: not sooner than "
                                      f"the shift lead ({policy.minutes['shift_lead']} minutes)")


def severity_of(case: Case) -> str:
    """The case's severity; intake sets a provisional one, so only a row
    written before severities existed falls back to the same rule here."""
    if case.severity in Severity.values:
        return str(case.severity)
    return str(provisional_severity(case.act_types or []))


# -- Planning: when a timer must next act, and what it will do -----------------

def plan(timer: Timer, policy: Policy, now: dt.datetime) -> None:
    """Set ``due_at`` and ``next_step`` from what has fired so far."""
    if timer.kind == Timer.Kind.ACKNOWLEDGE:
        _plan_acknowledgement(timer, policy)
    else:
        _plan_reminder(timer, now)


def _plan_acknowledgement(timer: Timer, policy: Policy) -> None:
    """The overdue alert at the deadline and the ladder's next rung, whichever
    is sooner; on a tie the overdue alert goes first (both fire in the same pass)."""
    candidates: list[tuple[dt.datetime, int, str]] = []
    if timer.overdue_alerted_at is None:
        candidates.append((timer.deadline_at, 0, Timer.Step.OVERDUE))
    ladder = policy.ladder()
    if timer.escalations < len(ladder):
        step, after = ladder[timer.escalations]
        candidates.append((timer.started_at + after, 1, step))
    if candidates:
        timer.due_at, _order, timer.next_step = min(candidates)
    else:
        timer.due_at, timer.next_step = None, ""


def _plan_reminder(timer: Timer, now: dt.datetime) -> None:
    repeat = dt.timedelta(hours=settings.REFERRAL_REMINDER_REPEAT_HOURS)
    if timer.reminders_sent == 0:
        timer.due_at, timer.next_step = timer.deadline_at, Timer.Step.REMINDER
    elif repeat:
        # The next repeat after now: a worker that was down for days sends one
        # reminder when it comes back, not one for every day it missed.
        periods = max((now - timer.deadline_at) // repeat, 0) + 1
        timer.due_at, timer.next_step = timer.deadline_at + periods * repeat, Timer.Step.REMINDER
    else:
        timer.due_at, timer.next_step = None, ""


def _set_deadline(timer: Timer, severity: str, policy: Policy, now: dt.datetime) -> None:
    """Compute the acknowledgement deadline for ``severity``. A deadline moved
    into the future is a new promise, so breaking it alerts again; one moved
    into the past that was already alerted about is not repeated."""
    deadline = timer.started_at + policy.acknowledge_within(severity)
    timer.severity = severity
    if deadline != timer.deadline_at and deadline > now:
        timer.overdue_alerted_at = None
    timer.deadline_at = deadline
    plan(timer, policy, now)


def replan_team(team: Team, now: dt.datetime | None = None) -> int:
    """Apply a changed policy to the team's open acknowledgement timers.
    Call inside the transaction that changed it."""
    moment = timezone.now() if now is None else now
    policy = policy_for(team)
    timers = Timer.objects.select_for_update().filter(
        case__team=team, kind=Timer.Kind.ACKNOWLEDGE, stopped_at__isnull=True).select_related("case")
    count = 0
    for timer in timers:
        _set_deadline(timer, severity_of(timer.case), policy, moment)
        timer.save(update_fields=["severity", "deadline_at", "overdue_alerted_at", "due_at", "next_step"])
        count += 1
    return count


# -- Receivers of the case events (inside the event's transaction) ------------

def start_acknowledgements(sender: Any, cases: Sequence[Case], version: int | None = None,
                           **kwargs: Any) -> None:
    """New reports: the clock for each one's acknowledgement starts at its
    receipt, not at its opening. A case somebody took up in the moment
    between needs no clock (the worker holds the cases' rows, so that moment
    is over). Policies come from the directory snapshot ``version`` names."""
    known = directory.at(version)
    now = timezone.now()
    timers = []
    for case in cases:
        if case.acknowledged_at is not None:
            continue
        timer = Timer(case=case, kind=Timer.Kind.ACKNOWLEDGE, started_at=case.received_at,
                      deadline_at=case.received_at)
        _set_deadline(timer, severity_of(case), policy_from(known.policies.get(case.team_id)), now)
        timers.append(timer)
    _insert_timer.rows(timers)  # one statement for the batch (see rows.Insert)


_insert_timer = Insert(Timer)


def stop_acknowledgement(sender: Any, case: Case, **kwargs: Any) -> None:
    _stop(Timer.objects.filter(case=case, kind=Timer.Kind.ACKNOWLEDGE), "acknowledged")


def move_deadline(sender: Any, case: Case, **kwargs: Any) -> None:
    """Triage changed the severity: the deadline moves (from the receipt, not
    from now: the reporter has been waiting since then)."""
    timer = (Timer.objects.select_for_update()
             .filter(case=case, kind=Timer.Kind.ACKNOWLEDGE, stopped_at__isnull=True).first())
    if timer is None:
        return
    _set_deadline(timer, severity_of(case), policy_for(case.team_id), timezone.now())
    timer.save(update_fields=["severity", "deadline_at", "overdue_alerted_at", "due_at", "next_step"])


def follow_up_moment(day: dt.date) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(settings.REFERRAL_REMINDER_HOUR), tzinfo=zone)


def start_follow_up(sender: Any, referral: Any, **kwargs: Any) -> None:
    """A referral with a follow-up date: remind the team on that date until
    someone records the follow-up."""
    if referral.follow_up_on is None:
        return
    due = follow_up_moment(referral.follow_up_on)
    timer = Timer(case=referral.case, kind=Timer.Kind.REFERRAL_FOLLOW_UP, referral_id=referral.pk,
                  started_at=timezone.now(), deadline_at=due)
    _plan_reminder(timer, timer.started_at)
    timer.save(force_insert=True)


def stop_follow_up(sender: Any, referral: Any, **kwargs: Any) -> None:
    _stop(Timer.objects.filter(kind=Timer.Kind.REFERRAL_FOLLOW_UP, referral_id=referral.pk), "followed_up")


def stop_on_close(sender: Any, case: Case, to_state: str, **kwargs: Any) -> None:
    """A closed case keeps no promises: nobody should be woken for it."""
    if to_state == Status.CLOSED:
        _stop(Timer.objects.filter(case=case), "case_closed")


def _stop(timers: QuerySet[Timer], because: str) -> int:
    # An update by condition: a worker holding the row finishes its step
    # first, and then this sees the row as it committed.
    return timers.filter(stopped_at__isnull=True).update(stopped_at=timezone.now(), stopped_because=because)


def connect() -> None:
    """Called from the app's ``ready()``."""
    signals.cases_received.connect(start_acknowledgements, dispatch_uid="sla.start_acknowledgements")
    signals.case_acknowledged.connect(stop_acknowledgement, dispatch_uid="sla.stop_acknowledgement")
    signals.severity_changed.connect(move_deadline, dispatch_uid="sla.move_deadline")
    signals.referral_created.connect(start_follow_up, dispatch_uid="sla.start_follow_up")
    signals.referral_closed.connect(stop_follow_up, dispatch_uid="sla.stop_follow_up")
    signals.case_transitioned.connect(stop_on_close, dispatch_uid="sla.stop_on_close")


# -- Firing steps ---------------------------------------------------------------

def _members(team_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(memberships__team_id=team_id, memberships__role=role, is_active=True)


def _announcement(event: str, title: str, case: Case) -> outbox.Announcement:
    return outbox.Announcement(event=event, title=title, reference=case.reference, fields={
        "country": case.country,
        "act_types": ", ".join(case.act_types or ()),
        "severity": severity_of(case),
        "link": outbox.case_link(case.reference),
    })


def _alert_overdue(timer: Timer, case: Case) -> int:
    minutes = round((timer.deadline_at - timer.started_at).total_seconds() / 60)
    title = ngettext("Overdue: case %(reference)s was not acknowledged within %(minutes)s minute",
                     "Overdue: case %(reference)s was not acknowledged within %(minutes)s minutes",
                     minutes) % {"reference": case.reference, "minutes": minutes}
    users = on_call_responders(case) | _members(case.team_id, Membership.Role.SHIFT_LEAD)
    return outbox.announce(_announcement("case.overdue", title, case), teams=[case.team], users=users)


def _alert_rung(step: str, case: Case, policy: Policy) -> int:
    minutes = policy.minutes[step]
    title = ngettext("Escalated: case %(reference)s has waited %(minutes)s minute without acknowledgement",
                     "Escalated: case %(reference)s has waited %(minutes)s minutes without acknowledgement",
                     minutes) % {"reference": case.reference, "minutes": minutes}
    announcement = _announcement("case.escalated", title, case)
    sent = outbox.announce(announcement, users=_members(case.team_id, step))
    if not sent:
        # Nobody holds the role, or has a channel: the escalation must not
        # vanish, so the team's own channels carry it.
        sent = outbox.announce(announcement, teams=[case.team])
    return sent


def _alert_follow_up(case: Case) -> int:
    title = _("Follow-up due: a referral of case %(reference)s is waiting for its follow-up") % {
        "reference": case.reference}
    # The responder who took the case on knows the referral; without one, the on-call responders.
    users = (User.objects.filter(pk=case.assignee_id, is_active=True) if case.assignee_id
             else on_call_responders(case))
    return outbox.announce(_announcement("referral.follow_up_due", title, case),
                           teams=[case.team], users=users)


def _fire(timer: Timer, policy: Policy, now: dt.datetime) -> None:
    """Write the alerts and the audit entry of ``timer.next_step``, and record
    on the timer that it fired. The caller holds the timer's row lock."""
    case, step = timer.case, timer.next_step
    # The site's language, as for the immediate alerts (``announcements``).
    with translation.override(settings.LANGUAGE_CODE):
        if step == Timer.Step.OVERDUE:
            sent, action = _alert_overdue(timer, case), "case.overdue"
            timer.overdue_alerted_at = now
        elif step in (Timer.Step.SHIFT_LEAD, Timer.Step.DIRECTOR):
            sent, action = _alert_rung(step, case, policy), "case.escalated"
            timer.escalations += 1
        else:
            sent, action = _alert_follow_up(case), "referral.reminded"
            timer.reminders_sent += 1
    if not sent:
        log.warning("timer %s of case %s: step %s reached no channel", timer.pk, case.reference, step)
    audit.record(action, target=case.reference, step=step, timer=timer.pk, alerts=sent,
                 due_at=timer.due_at.isoformat() if timer.due_at else "", fired_at=now.isoformat())


def _lock_audit_head() -> None:
    """Take the audit log's head before any timer. Actions that stop a timer
    hold the head (their audit entry) while they wait for the timer's row;
    taking the two in the same order here means they can never deadlock."""
    Head.objects.select_for_update().get_or_create(pk=1)


RETRY_FAILED = dt.timedelta(minutes=1)


def due(now: dt.datetime) -> QuerySet[Timer]:
    return Timer.objects.filter(stopped_at__isnull=True, due_at__lte=now)


def _fire_due_steps(timer: Timer, policy: Policy, now: dt.datetime) -> int:
    fired = 0
    while timer.due_at is not None and timer.due_at <= now:
        _fire(timer, policy, now)
        plan(timer, policy, now)
        fired += 1
    timer.save(update_fields=["due_at", "next_step", "escalations", "overdue_alerted_at", "reminders_sent"])
    return fired


def _run_batch(now: dt.datetime, limit: int) -> tuple[int, int]:
    fired = 0
    with transaction.atomic():
        _lock_audit_head()
        timers = list(due(now).select_for_update(skip_locked=True, of=("self",))
                      .select_related("case__team").order_by("due_at", "pk")[:limit])
        policies: dict[int, Policy] = {}
        for timer in timers:
            team_id = timer.case.team_id
            if team_id not in policies:
                policies[team_id] = policy_for(team_id)
            try:
                with transaction.atomic():
                    fired += _fire_due_steps(timer, policies[team_id], now)
            except Exception:
                # One timer that fails (a bug, bad data) must not hold back the
                # escalations due after it: it steps aside and is tried again.
                log.exception("timer %s of case %s failed; trying it again in a minute",
                              timer.pk, timer.case.reference)
                Timer.objects.filter(pk=timer.pk).update(due_at=now + RETRY_FAILED)
    return fired, len(timers)


def run_due(now: dt.datetime | None = None, *, limit: int = 100) -> int:
    """Fire every step that has fallen due by ``now``; return how many fired.

    Each step fires exactly once however many workers run this: a timer is
    claimed under its row lock (``SKIP LOCKED`` on PostgreSQL, so workers
    never wait for each other's rows; SQLite's write lock serialises), and
    the step is recorded as fired in the same transaction as its alerts and
    its audit entry. With nothing due, the cost is one probe of an index."""
    moment = timezone.now() if now is None else now
    fired = 0
    while due(moment).exists():
        count, claimed = _run_batch(moment, limit)
        fired += count
        if claimed < limit:
            break
    return fired
