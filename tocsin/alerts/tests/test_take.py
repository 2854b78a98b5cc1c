"""``outbox.take``: how the sole deliverer of a SQLite data directory takes
alerts -- a plain read, nothing written until the outcome is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.tests.delivery import add_channel

pytestmark = pytest.mark.django_db


def test_it_takes_due_alerts_without_writing(rita, report):
    add_channel("json://127.0.0.1:9/hook", team=Team.DEFAULT)
    report()
    before = Alert.objects.values().get()
    [taken] = outbox.take(10)
    assert taken.attempts == 1  # counted in memory, written with the outcome
    assert Alert.objects.values().get() == before
    assert outbox.take(10, exclude={taken.pk}) == []


def test_it_writes_the_attempt_with_the_outcome(rita, report):
    add_channel("json://127.0.0.1:9/hook", team=Team.DEFAULT)
    report()
    report()
    first, second = outbox.take(10)
    now = timezone.now()
    outbox.record([outbox.Outcome(first), outbox.Outcome(second, "ChannelError: HTTP 502")], now=now)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == (Alert.Status.DELIVERED, 1)
    assert (second.status, second.attempts) == (Alert.Status.PENDING, 1)
    assert second.last_error == "ChannelError: HTTP 502"
    assert second.next_attempt_at == now + dt.timedelta(seconds=5)
    assert outbox.take(10, now=now) == []
    [again] = outbox.take(10, now=now + dt.timedelta(seconds=5))
    assert again.attempts == 2
