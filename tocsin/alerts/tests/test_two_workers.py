"""Two worker processes under load: every alert delivered, none twice.

Both workers claim from the same outbox while reports keep arriving. On
PostgreSQL they claim side by side (``SELECT ... FOR UPDATE SKIP LOCKED``);
on SQLite the write lock takes them in turn. Each worker logs the
idempotency keys it claims (at DEBUG), so the test sees not only that the
receiver got each key once but that the two workers' claims never overlapped
and that both did their share."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection

from tocsin.accounts.models import Team
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import Reporter, Worker, add_channel, opened, settled

pytestmark = pytest.mark.django_db(transaction=True)

REPORTS = 500


def claimed_keys(worker: Worker) -> list[str]:
    lines = re.findall(r"DEBUG tocsin.worker claimed (.*)", worker.log())
    return [key for line in lines for key in line.split()]


def test_it_delivers_every_alert_exactly_once_with_two_workers(rita, tmp_path):
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        add_channel(hook.url.replace("/hook", "/rita"), user="rita")
        workers = [Worker(tmp_path, "--poll", "1", name=f"worker{n}", TOCSIN_LOG_LEVEL="DEBUG").start()
                   for n in (1, 2)]
        try:
            report = Reporter()
            for _ in range(REPORTS):
                report()
            opened()  # the workers write the reports' alerts as they open them
            expected = set(Alert.objects.values_list("idempotency_key", flat=True))
            assert len(expected) == 2 * REPORTS
            missing = hook.wait_for_keys(expected, timeout=60)
            settled()
        finally:
            for worker in workers:
                worker.stop()
        assert not missing, f"{len(missing)} alerts never arrived"
        arrivals = Counter(arrival.idempotency_key for arrival in hook.received)
        assert set(arrivals) == expected
        assert [key for key, times in arrivals.items() if times > 1] == []
        assert Alert.objects.filter(status=Alert.Status.DELIVERED, attempts=1).count() == 2 * REPORTS

        first, second = (claimed_keys(worker) for worker in workers)
        assert not set(first) & set(second), "both workers claimed the same alert"
        assert sorted(first + second) == sorted(expected)
        if connection.vendor == "postgresql":
            # Side by side, each takes a real share (on SQLite, whoever holds
            # the write lock may well take nearly all).
            assert min(len(first), len(second)) > REPORTS * 2 * 0.1, (len(first), len(second))
