"""The worker's dispatcher (PostgreSQL's, with a lease): it claims into free
slots, says when more may be due than it had room for, and records finished
deliveries in batches rather than in a transaction each."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts import worker
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel

pytestmark = pytest.mark.django_db


def finish(dispatcher: worker.Dispatcher) -> None:
    for future in list(dispatcher.in_flight):
        future.result(timeout=10)


def test_it_says_when_more_may_be_due_than_it_had_room_for(rita, report):
    with WebhookReceiver() as hook, ThreadPoolExecutor(2) as pool:
        add_channel(hook.url, team=Team.DEFAULT)
        for _ in range(3):
            report()
        dispatcher = worker.Dispatcher(pool, 2, on_done=lambda: None)
        dispatcher.step(claim=True)
        assert len(dispatcher.in_flight) == 2
        assert dispatcher.backlog  # a freed slot is worth a claim
        finish(dispatcher)
        dispatcher.step(claim=True)
        assert len(dispatcher.in_flight) == 1
        assert not dispatcher.backlog  # only a commit or the poll brings more
        finish(dispatcher)
        dispatcher.finish()
        assert hook.wait_for(3)
    assert set(Alert.objects.values_list("status", flat=True)) == {Alert.Status.DELIVERED}


def test_it_records_finished_deliveries_in_batches(rita, report):
    with WebhookReceiver() as hook, ThreadPoolExecutor(2) as pool:
        add_channel(hook.url, team=Team.DEFAULT)
        report()
        dispatcher = worker.Dispatcher(pool, 2, on_done=lambda: None)
        dispatcher.step(claim=True)
        finish(dispatcher)
        dispatcher.step(claim=False)  # what a poke does
        assert Alert.objects.get().status == Alert.Status.PENDING
        assert 0 < dispatcher.record_in() <= worker.RECORD_EVERY_SECONDS
        time.sleep(worker.RECORD_EVERY_SECONDS)
        dispatcher.step(claim=False)
        assert Alert.objects.get().status == Alert.Status.DELIVERED
        assert dispatcher.record_in() == float("inf")
