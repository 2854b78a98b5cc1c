"""Moving a case through its states, and triage: severity, assignment, labels.

Each action locks the case row first (``SELECT … FOR UPDATE``; SQLite's
immediate transactions serialise writers anyway), so two responders acting
at the same moment see each other's decision instead of overwriting it. The
signals go out inside the transaction, after the rows they announce."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import User
from tocsin.audit import log as audit

from .. import signals, workflow
from ..errors import Refused
from ..models import Case, CaseKey, CaseTransition, Severity, Status
from .records import refer


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("team").get(pk=case.pk)


def _state_name(state: str) -> str:
    return f"“{Status(state).label}”"


def _acknowledge(case: Case, by: Any, now: dt.datetime) -> bool:
    """Stop the acknowledgement clock the first time someone takes the case up."""
    if case.acknowledged_at is not None:
        return False
    case.acknowledged_at = now
    case.save(update_fields=["acknowledged_at"])
    signals.case_acknowledged.send(sender=Case, case=case, by=by)
    return True


@transaction.atomic
def transition(case: Case, to_state: str, *, acting_user: Any, expected_state: str | None = None,
               referral: dict[str, Any] | None = None, case_key: bytes | None = None,
               now: dt.datetime | None = None) -> CaseTransition:
    """Move ``case`` to ``to_state`` if ``workflow.TRANSITIONS`` allows it from its current state.

    ``expected_state`` is the state the responder saw; if the case has moved
    since, the move is refused (409) rather than applied to a state they did
    not see. Going out of mandate needs ``referral`` (partner, note,
    follow_up_on) and the ``case_key`` to seal its note: both are recorded in
    this same transaction. Raises ``Refused`` naming the field at fault."""
    now = now or timezone.now()
    if to_state not in Status.values:
        raise Refused("to_state", _("“%(value)s” is not a state. The states are: %(states)s.")
                      % {"value": to_state, "states": ", ".join(Status.values)})
    locked = _locked(case)
    from_state = locked.status
    if expected_state is not None and expected_state != from_state:
        raise Refused("from_state", _("Someone moved this case to %(state)s meanwhile. Look at it again "
                                      "before you decide.") % {"state": _state_name(from_state)},
                      status=409)
    if not workflow.is_allowed(from_state, to_state):
        allowed = ", ".join(_state_name(state) for state in workflow.allowed_from(from_state))
        raise Refused("to_state", _("A case in %(from)s cannot move to %(to)s. From here it can move to: "
                                    "%(allowed)s.") % {"from": _state_name(from_state),
                                                       "to": _state_name(to_state), "allowed": allowed})
    if to_state == Status.OUT_OF_MANDATE and (referral is None or case_key is None):
        raise Refused("partner", _("A case out of mandate is referred to a partner: name the partner "
                                   "organisation and the day to follow up."))
    locked.status = to_state
    locked.save(update_fields=["status"])
    moved = CaseTransition.objects.create(case=locked, from_state=from_state, to_state=to_state, at=now,
                                          by=acting_user)
    acknowledged = _acknowledge(locked, acting_user, now)
    audit.record("case.transitioned", actor=acting_user, target=locked.reference,
                 **{"from": from_state, "to": to_state}, acknowledged=acknowledged)
    if to_state == Status.OUT_OF_MANDATE:
        assert referral is not None and case_key is not None  # noqa: S101 - checked above, for mypy
        refer(locked, case_key, acting_user=acting_user, now=now, **referral)
    signals.case_transitioned.send(sender=Case, case=locked, from_state=from_state, to_state=to_state,
                                   by=acting_user)
    case.refresh_from_db()
    return moved


@transaction.atomic
def change_severity(case: Case, severity: str, *, acting_user: Any) -> bool:
    """Set the severity at triage; False (and nothing recorded) if it already was that."""
    if severity not in Severity.values:
        raise Refused("severity", _("“%(value)s” is not a severity. Choose one of: %(choices)s.")
                      % {"value": severity, "choices": ", ".join(Severity.values)})
    locked = _locked(case)
    before = locked.severity
    if before == severity:
        return False
    locked.severity = severity
    locked.save(update_fields=["severity"])
    audit.record("case.severity_changed", actor=acting_user, target=locked.reference,
                 **{"from": before, "to": severity})
    signals.severity_changed.send(sender=Case, case=locked, by=acting_user)
    case.refresh_from_db()
    return True


def reader_named(case: Case, username: str) -> User | None:
    """The reader of ``case`` called ``username``: someone whose copy of the case key exists."""
    key = CaseKey.objects.filter(case=case, user__username=username, user__is_active=True) \
        .select_related("user").first()
    return key.user if key is not None else None


@transaction.atomic
def assign(case: Case, username: str, *, acting_user: Any, now: dt.datetime | None = None) -> bool:
    """Assign the case to the reader ``username``, or to nobody with ``""``.

    Only someone who can open the case can act on it, so anyone else is
    refused. The first assignment acknowledges the case. False (and nothing
    recorded) if it was already so."""
    now = now or timezone.now()
    locked = _locked(case)
    assignee = None
    if username:
        assignee = reader_named(locked, username)
        if assignee is None:
            raise Refused("assignee", _("“%(name)s” cannot open this case. Give them access first, then "
                                        "assign it.") % {"name": username[:150]})
    before = locked.assignee
    if before == assignee:
        return False
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    acknowledged = assignee is not None and _acknowledge(locked, acting_user, now)
    audit.record("case.assigned", actor=acting_user, target=locked.reference,
                 **{"from": before.username if before else None,
                    "to": assignee.username if assignee else None}, acknowledged=acknowledged)
    case.refresh_from_db()
    return True


@transaction.atomic
def set_labels(case: Case, labels: list[str], *, acting_user: Any) -> bool:
    """Replace the case's labels (already cleaned by ``forms.clean_labels``)."""
    locked = _locked(case)
    if locked.labels == labels:
        return False
    before = locked.labels
    locked.labels = labels
    locked.save(update_fields=["labels"])
    audit.record("case.labelled", actor=acting_user, target=locked.reference,
                 **{"from": before, "to": labels})
    case.refresh_from_db()
    return True
