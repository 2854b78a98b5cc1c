"""Who delivers when several workers run: on PostgreSQL every worker (the
claims keep them apart); on SQLite one worker per data directory, the one
holding the outbox lock, while the others stand by -- and one of them takes
over as soon as that worker dies."""

from __future__ import annotations

import pytest
from django.db import connection

from tocsin.accounts.models import Team
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import Worker, add_channel, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_delivers_after_the_delivering_worker_dies(rita, report, tmp_path):
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        first = Worker(tmp_path, "--poll", "0.5", name="first").start()
        second = Worker(tmp_path, "--poll", "0.5", name="second").start()
        try:
            if connection.vendor == "sqlite":
                assert "the sole deliverer of this data directory" in first.log()
                assert "standing by: another worker delivers" in second.log()
            else:
                assert "worker ready: delivering," in first.log()
                assert "worker ready: delivering," in second.log()
            first.kill()
            _, reference = report()
            assert [a.body["reference"] for a in hook.wait_for(1, timeout=10)] == [reference]
            if connection.vendor == "sqlite":
                wait_until(lambda: "took over: delivering" in second.log(), 10, "the stand-by to take over")
        finally:
            first.kill()
            second.stop()
