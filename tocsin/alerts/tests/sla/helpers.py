"""Helpers of the SLA tests: channels for everyone, and a way to ask who was
alerted about what, when.

Every person and the team ``default`` get a real Channel row; the tests read
the outbox rows written for each channel to see who a step reached.
Delivery itself is proven through a real webhook receiver
(test_escalation_delivery.py, test_dead_letters_page.py)."""

from __future__ import annotations

import datetime as dt

from tocsin.accounts.actions import unlock_private_key
from tocsin.accounts.models import Team, User
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert, Channel, Timer
from tocsin.cases.models import Case, CaseKey
from tocsin.conftest import PASSWORD
from tocsin.crypto import boxes


def add_channel(*, team: Team | None = None, user: User | None = None, url: str | None = None) -> Channel:
    owner = team.name if team is not None else user.username if user is not None else ""
    url = url or f"json://127.0.0.1:9/{owner}"  # never delivered to: these tests read the outbox
    return Channel.objects.create(team=team, user=user, sealed_url=channel_secrets.seal_url(url),
                                  label=f"channel of {owner}", allow_private=True)


def reached(event: str, reference: str | None = None) -> set[str]:
    """Who the alerts of ``event`` went to: ``team:NAME`` or a username."""
    alerts = Alert.objects.filter(event=event).select_related("channel__team", "channel__user")
    if reference is not None:
        alerts = alerts.filter(reference=reference)
    return {f"team:{alert.channel.team.name}" if alert.channel.team else str(alert.channel.user)
            for alert in alerts}


def count(event: str) -> int:
    return Alert.objects.filter(event=event).count()


def case_of(reference: str) -> Case:
    return Case.objects.select_related("team").get(reference=reference)


def timer_of(reference: str, kind: str = Timer.Kind.ACKNOWLEDGE) -> Timer:
    return Timer.objects.get(case__reference=reference, kind=kind)


def minutes_after(case: Case, minutes: float) -> dt.datetime:
    """The controlled clock: a moment measured from the report's receipt."""
    return case.received_at + dt.timedelta(minutes=minutes)


def case_key_for(user: User, case: Case) -> bytes:
    """The case key as ``user`` opens it in their session."""
    private = unlock_private_key(user, PASSWORD)
    assert private is not None
    return boxes.unseal(bytes(CaseKey.objects.get(case=case, user=user).sealed_key), private)
